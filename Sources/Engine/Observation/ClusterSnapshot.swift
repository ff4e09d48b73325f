/// Everything a reader (the dashboard, `run --headless`, a drill) may know about the
/// cluster at one moment, taken without stopping the engine.
public struct ClusterSnapshot: Sendable, Codable {
    /// The life of a node as the engine sees it.
    public enum NodeState: String, Sendable, Equatable, Codable { case starting, running, aligning, stopped }

    /// A node's health, as the failure detector, the supervisor and the faults make it.
    public enum Health: String, Sendable, Equatable, Codable {
        case healthy, suspect, down, recovering, hung, slow, partitioned, quarantined, dead
        /// Heartbeats come but its work makes no progress (a gray failure): not down.
        case stalled
    }

    /// One recovery, with its phases.
    public struct Recovery: Sendable, Equatable, Codable {
        public var reason: String
        /// Fault injected (or noticed) to node marked down, seconds; nil when not measured.
        public var detect: Double?
        /// Down to every node running again from the restored state.
        public var restore: Double
        /// Running again to the sources back at the offsets they had reached; nil until then.
        public var replay: Double?
        public var checkpoint: UInt64?
        /// Per node, in words ("node 2: standby copy on node 3").
        public var sources: [String]
        public var at: Double
        /// Per node, where its state came from (nil: quarantined, or no checkpoint restored).
        public var restoredFrom: [RestoreSource?] = []
    }

    /// One node's row.
    public struct Node: Sendable, Equatable, Codable {
        public var id: Int
        public var state: NodeState
        /// Frames waiting in the node's input links (backpressure).
        public var queueDepth: Int
        /// Balance updates applied per second.
        public var updatesPerSecond: Double
        /// Transfers read from its partitions per second.
        public var producedPerSecond: Double
        public var produced: Int64
        public var applied: Int64
        public var corruptFrames: Int64
        public var stateBytes: Int
        public var restarts: Int
        public var health: Health
        public var phi: Double
        /// Seconds since its last heartbeat.
        public var heartbeatAge: Double
        public var incarnation: Int
        /// Frames it received again after a bad CRC or a gap.
        public var retransmits: Int
        /// Standby copies of peers' state it holds.
        public var standbyCopies: Int
        /// Shards of the retained checkpoints on its disk, as the scrubber last saw them.
        public var diskShards = 0
        /// Of those, how many were corrupt or missing and could not be repaired.
        public var badDiskShards = 0
        /// When the scrubber last rewrote a shard on its disk (seconds since start).
        public var lastDiskRepair: Double? = nil
        // An attached cluster's node (a Flink TaskManager); nil on the embedded engine.
        /// Its name (a TaskManager's resource id).
        public var name: String? = nil
        public var slots: Int? = nil
        /// Subtasks of the job it hosts.
        public var subtasks: Int? = nil
        /// JVM CPU load, 0-1.
        public var cpuLoad: Double? = nil
        public var heapUsed: Int? = nil
        public var heapMax: Int? = nil
    }

    /// The life of a checkpoint.
    public enum CheckpointStatus: String, Sendable, Equatable, Codable { case inProgress = "in progress", complete, failed, restored }

    /// One checkpoint's row.
    public struct Checkpoint: Sendable, Equatable, Codable {
        public var id: UInt64
        public var status: CheckpointStatus
        /// Barrier injected to manifest durable, seconds.
        public var duration: Double?
        /// Longest barrier alignment of any node, seconds.
        public var alignment: Double?
        public var bytes: Int
        public var shards: Int
        public var healthyShards: Int
        /// Why it failed, or where it was restored from.
        public var note: String
    }

    public var uptime: Double
    public var running: Bool
    public var nodes: [Node]
    /// Newest last.
    public var checkpoints: [Checkpoint]
    public var produced: Int64
    public var applied: Int64
    /// Transfers read from the sources per second (replays count again).
    public var producedPerSecond: Double
    /// Transfers the sink committed per second (epochs made durable in SQLite).
    public var committedPerSecond: Double
    /// Source batch created to applied at the owning node, nanoseconds, over the last seconds.
    public var latencyP50: UInt64
    public var latencyP99: UInt64
    /// The same over the whole run.
    public var runLatencyP50: UInt64
    public var runLatencyP99: UInt64
    public var audit: AuditVerdict
    /// Newest last.
    public var events: [EngineEvent] = []
    /// The checkpoint the engine restored from at start, if any.
    public var restoredFrom: UInt64?
    public var checkpointsCompleted: Int
    /// Throughput history, oldest first.
    public var history: [HistoryPoint] = []
    /// Recoveries so far, oldest first.
    public var recoveries: [Recovery]
    /// Whether a recovery is under way.
    public var recovering: Bool

    // The proof: what the sink committed, what the auditor checked, and how fresh that is.
    /// The newest epoch (checkpoint id) the sink committed; nil before the first.
    public var committedCheckpoint: UInt64? = nil
    /// Transfers below the sink's committed offsets (the audit's figure may be older).
    public var sinkCommittedTransfers: Int64 = 0
    /// Transfers below the sources' current offsets (a rollback rewinds it): once a run has
    /// finished, what the sink must have committed, no more and no less.
    public var readTransfers: Int64 = 0
    /// The newest complete (durable) checkpoint.
    public var newestCheckpoint: UInt64? = nil
    /// Seconds since the barrier of the audited checkpoint was injected: everything read
    /// before that moment is proven; before the first audit, since the engine opened.
    public var verdictAge: Double = 0
    /// The 99th percentile of `verdictAge` over the run (sampled every 50 ms), seconds.
    public var verdictAgeP99: Double = 0
    /// Checkpoints begun and not yet audited.
    public var unauditedCheckpoints: Int = 0
    /// The sources are waiting for the auditor to catch up (the lag bound holds them).
    public var heldForAudit: Bool = false
    /// Seconds the lag bound has held the sources so far.
    public var heldForAuditSeconds: Double = 0
    /// Transfers audited per second.
    public var auditedPerSecond: Double = 0
    /// The auditor's last error, until an audit succeeds again.
    public var auditError: String? = nil
    /// What a stopping engine is doing; nil while it runs normally.
    public var stopPhase: StopPhase? = nil
    /// A receipt per fault (oldest first): what broke, each step the engine took, the proof.
    public var receipts: [FaultReceipt] = []
    /// Since when checkpoints (or the sink's commits) fail for want of disk space; nil when
    /// the last checkpoint stored.
    public var diskFullSince: Double? = nil
    /// The cluster this snapshot describes, when firedrill is attached to one it does not run.
    public var attached: AttachedCluster? = nil
    /// Checkpoints that failed before they were stored, oldest first (at most 10,000): the
    /// sink must never hold one of their epochs. Not recorded.
    public var checkpointsNeverStored: [UInt64] = []
    /// Shards whose last word was the scrubber's `shard-repaired`, with no fault aimed at
    /// them since (at most 10,000): each must be whole on disk while its checkpoint is kept.
    /// Not recorded.
    public var shardsReportedRepaired: [StoredShard] = []

    /// One stored shard: a checkpoint's shard number and the node whose disk holds it.
    public struct StoredShard: Sendable, Hashable, Codable {
        public var checkpoint: UInt64
        public var shard: Int
        public var node: Int

        public init(checkpoint: UInt64, shard: Int, node: Int) {
            self.checkpoint = checkpoint
            self.shard = shard
            self.node = node
        }
    }

    /// The audited checkpoint (the verdict's epoch).
    public var auditedCheckpoint: UInt64? { audit.checkpoint }

    /// The same snapshot with every time moved back by `base` seconds (times since a drill
    /// or a recorded session began).
    public func rebased(by base: Double) -> ClusterSnapshot {
        guard base != 0 else { return self }
        var s = self
        s.uptime -= base
        for i in s.events.indices { s.events[i].time -= base }
        s.receipts = receipts.map { $0.rebased(by: base) }
        for i in s.recoveries.indices { s.recoveries[i].at -= base }
        for i in s.history.indices { s.history[i].time -= base }
        for i in s.nodes.indices { s.nodes[i].lastDiskRepair = s.nodes[i].lastDiskRepair.map { $0 - base } }
        s.diskFullSince = diskFullSince.map { $0 - base }
        return s
    }

    /// What a record's frame holds (`--record`): everything but the event log, the receipts
    /// and the throughput history, which a record holds once each (events and receipts as
    /// their own lines, history as the totals of each frame).
    enum CodingKeys: String, CodingKey {
        case uptime, running, nodes, checkpoints, produced, applied, producedPerSecond, committedPerSecond
        case latencyP50, latencyP99, runLatencyP50, runLatencyP99, audit, restoredFrom, checkpointsCompleted
        case recoveries, recovering, committedCheckpoint, sinkCommittedTransfers, newestCheckpoint, verdictAge
        case verdictAgeP99, unauditedCheckpoints, heldForAudit, heldForAuditSeconds, auditedPerSecond, auditError, stopPhase, diskFullSince, attached
    }

    /// One point of the throughput history: rates per second over the preceding second.
    public struct HistoryPoint: Sendable, Equatable, Codable {
        /// Seconds since the engine opened.
        public var time: Double
        /// Transfers read per second.
        public var produced: Double
        /// Transfers the sink committed per second.
        public var committed: Double
        /// Transfers the auditor checked per second.
        public var audited: Double
        public init(time: Double, produced: Double, committed: Double, audited: Double) {
            self.time = time
            self.produced = produced
            self.committed = committed
            self.audited = audited
        }

        /// The history from totals sampled about four times a second: one point per four
        /// samples, each the rates over its span (the board's samples live, a record's frames
        /// in a replay).
        public static func points(_ samples: [(time: Double, produced: Int64, committed: Int64, audited: Int64)]) -> [HistoryPoint] {
            var history: [HistoryPoint] = []
            history.reserveCapacity(samples.count / 4)
            var i = 0
            while i + 4 < samples.count {
                let a = samples[i], b = samples[i + 4]
                let dt = max(b.time - a.time, 1e-9)
                // A rollback moves the committed offsets back: that is no negative rate.
                history.append(HistoryPoint(
                    time: b.time, produced: Double(b.produced - a.produced) / dt,
                    committed: Double(max(0, b.committed - a.committed)) / dt, audited: Double(max(0, b.audited - a.audited)) / dt))
                i += 4
            }
            return history
        }
    }

    /// The steps of a stop that finishes the run (sources paused, last checkpoint, commit,
    /// audit of the remainder), so a screen can say what it waits for.
    public enum StopPhase: String, Sendable, Equatable, Codable {
        case finalCheckpoint = "final checkpoint"
        case committing = "committing"
        case auditing = "auditing the rest"
        case stopped = "stopped"
    }
}
