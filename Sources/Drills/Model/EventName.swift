import Engine

/// The names a drill uses for events that must appear (`events = ["node-down"]`), each a
/// test over the engine's event log.
public enum EventName: String, Sendable, Equatable, CaseIterable {
    case nodeDown = "node-down"
    case restarted
    case recovered
    case caughtUp = "caught-up"
    case retransmit
    case linkDegraded = "link-degraded"
    case shardBad = "shard-bad"
    case shardRepaired = "shard-repaired"
    case fallback
    case quarantined
    case checkpointFailed = "checkpoint-failed"
    case sinkRebuilt = "sink-rebuilt"
    case auditMismatch = "audit-mismatch"

    /// What the name stands for, for `--list` and errors.
    public var meaning: String {
        switch self {
        case .nodeDown: "the failure detector marked a node down"
        case .restarted: "the supervisor restarted a node"
        case .recovered: "the job rolled back to a checkpoint"
        case .caughtUp: "the sources replayed back to where they were"
        case .retransmit: "a frame was resent after a bad CRC or a loss"
        case .linkDegraded: "a link saw 3 or more corrupt frames in 10 s"
        case .shardBad: "the scrubber found a corrupt or missing shard"
        case .shardRepaired: "the scrubber rewrote a shard from the others"
        case .fallback: "the newest checkpoint was unrecoverable; an older one was used"
        case .quarantined: "the supervisor quarantined a node"
        case .checkpointFailed: "a checkpoint failed or was abandoned"
        case .sinkRebuilt: "the sink's database was found damaged and rebuilt from a checkpoint"
        case .auditMismatch: "the auditor found committed rows that differ from the expected balances"
        }
    }

    /// Whether `e` is an event of this name (its typed case, never its words).
    public func matches(_ e: EngineEvent) -> Bool {
        switch (self, e.detail) {
        case (.nodeDown, .nodeDown), (.restarted, .restartScheduled), (.recovered, .rolledBack), (.caughtUp, .caughtUp),
             (.retransmit, .frameLost), (.retransmit, .frameCorrupt), (.linkDegraded, .linkDegraded), (.shardBad, .shardBad),
             (.shardRepaired, .shardRepaired), (.fallback, .fallback), (.quarantined, .quarantined), (.checkpointFailed, .checkpointFailed),
             (.sinkRebuilt, .sinkRebuilt), (.auditMismatch, .auditMismatch):
            true
        default: false
        }
    }
}
