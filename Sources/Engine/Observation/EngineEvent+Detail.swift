extension EngineEvent {
    /// Why a checkpoint did not complete.
    public enum CheckpointFailure: Sendable, Equatable {
        /// The barriers did not align within this many seconds.
        case alignmentTimeout(seconds: Double)
        /// A recovery rolled the job back while it was under way.
        case abandonedByRecovery
        /// Coding or writing it failed.
        case store(String)
        /// The sink could not commit its epoch.
        case commit(String)
        /// The last checkpoint of a stop did not complete in time.
        case finalDidNotComplete
        /// Writing it (or committing its epoch) found the disk full.
        case diskFull(String)

        /// Whether it failed before it was stored, so its epoch must never reach the sink. A
        /// full disk is not counted (it may have stopped the commit of a stored checkpoint),
        /// nor a final checkpoint that was not audited in time (it may have stored).
        var beforeStored: Bool {
            switch self {
            case .alignmentTimeout, .abandonedByRecovery, .store: true
            case .commit, .diskFull, .finalDidNotComplete: false
            }
        }

        var text: String {
            switch self {
            case let .alignmentTimeout(s): "abandoned: barriers did not align within \(Int(s)) s"
            case .abandonedByRecovery: "abandoned by a recovery"
            case let .store(why): "failed: \(why)"
            case let .commit(why): "failed to commit: \(why)"
            case .finalDidNotComplete: "failed: the final checkpoint did not complete"
            case let .diskFull(why): "failed: the disk is full (\(why)); older checkpoints stay restorable"
            }
        }
    }

    /// Why a node's input from one peer stopped until a recovery.
    public enum InputStall: Sendable, Equatable {
        /// Frames `first..<next` never arrived, and the sender no longer has them.
        case lost(first: UInt64, next: UInt64)
        /// A frame failed its check, and the sender no longer has it.
        case corruptGone(frame: UInt64, why: String)
        /// A frame failed its check, and the sender's copy did too (or the sender resent
        /// another frame): the wire damages only what it carries, so this is a bug or rot.
        case resentBad(frame: UInt64)

        var text: String {
            switch self {
            case let .lost(first, next): "frames \(first)..<\(next) were lost and cannot be sent again"
            case let .corruptGone(frame, why): "frame \(frame) failed its check (\(why)) and cannot be sent again"
            case let .resentBad(frame): "frame \(frame) fails its check in the sender's copy too"
            }
        }
    }

    /// Where a gray failure (a node heartbeating without progress) is.
    public enum StallPhase: String, Sendable, Equatable {
        /// Shown stalled: heartbeats come, its work does not.
        case began
        /// Its work turned again.
        case ended
        /// Stalled past the limit: the supervisor restarts it.
        case restarted
    }

    /// What happened, with its data. One case per thing a drill, a receipt or a report may
    /// ask about; `note` carries free text nobody judges.
    public enum Detail: Sendable, Equatable {
        case started(nodes: Int, partitions: Int, accounts: Int, dataShards: Int, parityShards: Int)
        case stopped
        case warning(String)
        /// An operator command (a key, the command line or a drill step).
        case command(Command)
        /// The failure detector marked a node down.
        case nodeDown(node: Int, phi: Double, silence: Double)
        /// A gray failure: the node heartbeats but its work has not turned for `seconds`.
        case nodeStalled(node: Int, seconds: Double, phase: StallPhase)
        /// The supervisor restarts a node after `backoff` seconds.
        case restartScheduled(node: Int, backoff: Double)
        /// Past its restart limit: the node stays down until healed.
        case quarantined(node: Int, restarts: Int, window: Double)
        /// A recovery starts: every node halts to roll back.
        case recoveryBegan(reason: String)
        /// Every node rolled back to `checkpoint` in `seconds`; each node's restore source
        /// (nil: quarantined, not restored).
        case rolledBack(checkpoint: UInt64, seconds: Double, sources: [RestoreSource?])
        /// A node killed while a recovery was already under way came back with that recovery
        /// (from `source`, not its own memory): the fault was absorbed, never detected.
        case faultAbsorbed(node: Int, checkpoint: UInt64, source: RestoreSource)
        /// No checkpoint restores: the job started again from the beginning.
        case startedOver
        /// The sources replayed back to where they were before the failure.
        case caughtUp(after: Double)
        /// The newest checkpoint could not be restored; an older one was used.
        case fallback(from: UInt64, to: UInt64)
        /// A copy or checkpoint a recovery could not use, and why.
        case restoreSkipped(String)
        /// A shard rebuilt from the others while restoring.
        case shardRebuilt(checkpoint: UInt64, shard: Int, reason: String)
        /// A frame lost on the link was resent from the sender's retransmit buffer.
        case frameLost(frame: UInt64, from: Int)
        /// A frame failed its CRC32C and was resent.
        case frameCorrupt(frame: UInt64, from: Int, why: String)
        /// A link saw 3 or more corrupt frames in 10 s.
        case linkDegraded(from: Int, to: Int)
        /// An input lost frames it cannot get again; it waits for a rollback.
        case inputStalled(from: Int, InputStall)
        /// The scrubber found a corrupt or missing shard.
        case shardBad(checkpoint: UInt64, shard: Int, node: Int, why: String)
        /// The scrubber rewrote a shard from the others (`from`: the intact shards it read).
        case shardRepaired(checkpoint: UInt64, shard: Int, node: Int, from: [Int])
        /// A scrubber pass over `shards` shards ended (reported after a pass that found a bad one).
        case scrubPassed(shards: Int, repaired: Int, bad: Int)
        /// An operator wiped a node's disk: `shards` shard files were on it.
        case diskWiped(node: Int, shards: Int)
        /// Too few intact shards to rewrite one.
        case shardUnrepairable(checkpoint: UInt64, shard: Int, why: String)
        case checkpointFailed(checkpoint: UInt64, CheckpointFailure)
        /// The audit of an epoch found a difference.
        case auditMismatch(epoch: UInt64, lost: Int64, duplicated: Int64, accounts: Int, moneyConserved: Bool)
        case auditFailed(String)
        case auditRecovered(epoch: UInt64)
        /// The sink was damaged and rebuilt from `checkpoint` (nil: empty, nothing committed
        /// yet) in `seconds`; the damaged file was kept as `keptAs`.
        case sinkRebuilt(checkpoint: UInt64?, why: String, keptAs: String, rows: Int, seconds: Double)
        /// Checkpoints store again after the disk was full for `seconds`.
        case diskSpaceBack(checkpoint: UInt64, seconds: Double)
        /// The engine's own control loop did not run for `seconds` (the whole process stopped
        /// or starved of CPU): that silence is credited to every node, and a drill leaves the
        /// time out of its throughput figures.
        case enginePaused(seconds: Double)
        /// The host-stall guard's other findings (every node late at once, a starved heartbeat
        /// sender).
        case hostStall(String)
        case note(Kind, String)

        /// The node the event is about, when the case names one.
        public var node: Int? {
            switch self {
            case let .nodeDown(n, _, _), let .restartScheduled(n, _), let .quarantined(n, _, _), let .nodeStalled(n, _, _): n
            case let .shardBad(_, _, n, _), let .shardRepaired(_, _, n, _), let .diskWiped(n, _), let .faultAbsorbed(n, _, _): n
            case let .command(c): c.node
            default: nil
            }
        }

        /// The colour class.
        public var kind: Kind {
            switch self {
            case .started, .stopped: .info
            case .warning, .quarantined, .fallback, .restoreSkipped, .inputStalled, .shardUnrepairable, .checkpointFailed, .auditFailed: .error
            case .command, .diskWiped: .operatorAction
            case .nodeDown, .nodeStalled, .linkDegraded, .shardBad, .enginePaused, .hostStall: .detection
            case .restartScheduled, .recoveryBegan, .rolledBack, .startedOver, .caughtUp, .faultAbsorbed: .recovery
            case .shardRebuilt, .frameLost, .frameCorrupt, .shardRepaired, .sinkRebuilt, .scrubPassed, .diskSpaceBack: .repair
            case .auditMismatch, .auditRecovered: .audit
            case let .note(k, _): k
            }
        }

        /// The case's name for records and reports.
        public var name: String {
            switch self {
            case .started: "started"
            case .stopped: "stopped"
            case .warning: "warning"
            case .command: "command"
            case .nodeDown: "node-down"
            case .nodeStalled: "node-stalled"
            case .restartScheduled: "restarted"
            case .quarantined: "quarantined"
            case .recoveryBegan: "recovery-began"
            case .rolledBack: "rolled-back"
            case .faultAbsorbed: "fault-absorbed"
            case .startedOver: "started-over"
            case .caughtUp: "caught-up"
            case .fallback: "fallback"
            case .restoreSkipped: "restore-skipped"
            case .shardRebuilt: "shard-rebuilt"
            case .frameLost, .frameCorrupt: "retransmit"
            case .linkDegraded: "link-degraded"
            case .inputStalled: "input-stalled"
            case .shardBad: "shard-bad"
            case .shardRepaired: "shard-repaired"
            case .scrubPassed: "scrub-passed"
            case .diskWiped: "disk-wiped"
            case .shardUnrepairable: "shard-unrepairable"
            case .checkpointFailed: "checkpoint-failed"
            case .auditMismatch: "audit-mismatch"
            case .auditFailed: "audit-failed"
            case .auditRecovered: "audit-recovered"
            case .sinkRebuilt: "sink-rebuilt"
            case .diskSpaceBack: "disk-space-back"
            case .enginePaused, .hostStall: "host-stall"
            case .note: "note"
            }
        }

        /// The text shown for the event: every event's words are written here.
        public var text: String {
            switch self {
            case let .started(n, p, a, k, m): "started \(n) nodes, \(p) partitions, \(a) accounts, RS(\(k),\(m))"
            case .stopped: "stopped"
            case let .warning(w): "warning: \(w)"
            case let .command(c): c.description
            case let .nodeDown(n, phi, silence):
                "node \(n) is down: phi \(BenchFormat.fixed(phi, 1)) after \(Int((silence * 1000).rounded())) ms without a heartbeat"
            case let .nodeStalled(n, seconds, phase):
                switch phase {
                case .began: "node \(n) stalled on I/O \(Int((seconds * 1000).rounded())) ms: it heartbeats but makes no progress (not down)"
                case .ended: "node \(n) made progress again after stalled on I/O \(Int((seconds * 1000).rounded())) ms"
                case .restarted: "node \(n) stalled on I/O \(Int((seconds * 1000).rounded())) ms, past the limit: the supervisor restarts it"
                }
            case let .restartScheduled(n, backoff):
                backoff == 0 ? "supervisor restarts node \(n) now" : "supervisor restarts node \(n) in \(Int(backoff * 1000)) ms (backoff)"
            case let .quarantined(n, r, w): "node \(n) quarantined after \(r) restarts in \(Int(w)) s: heal it to let it rejoin"
            case let .recoveryBegan(reason): "recovery (\(reason)): halting every node to roll back"
            case let .rolledBack(id, seconds, sources):
                "rolled back to checkpoint \(id) in \(Int(seconds * 1000)) ms (\(Self.summary(sources)))"
            case .startedOver: "no checkpoint restores: started again from the beginning"
            case let .faultAbsorbed(n, id, source):
                "node \(n) went down while the recovery was under way and came back with it, at checkpoint \(id) from its \(source): absorbed, no detection of its own"
            case let .caughtUp(t): "caught up: sources back at their offsets before the failure after \(Int(t * 1000)) ms of replay"
            case let .fallback(from, to): "checkpoint \(from) was unrecoverable; rolled back to checkpoint \(to) instead"
            case let .restoreSkipped(why): "recovery: \(why)"
            case let .shardRebuilt(id, s, why): "recovery: checkpoint \(id) shard \(s) rebuilt from the others (\(why))"
            case let .frameLost(f, src): "frame \(f) from node \(src) was lost on the link; resent"
            case let .frameCorrupt(f, src, why): "frame \(f) from node \(src) failed its CRC32C (\(why)); the sender resent it"
            case let .linkDegraded(src, dst): "link \(src)->\(dst) degraded: 3 or more corrupt frames in 10 s"
            case let .inputStalled(src, why): "input from node \(src) stalls until recovery: \(why.text)"
            case let .shardBad(id, s, n, why): "scrubber: checkpoint \(id) shard \(s) on node \(n) is bad (\(why))"
            case let .shardRepaired(id, s, n, from):
                "scrubber rewrote checkpoint \(id) shard \(s) on node \(n) from shards \(from.map(String.init).joined(separator: ","))"
            case let .scrubPassed(shards, repaired, bad):
                bad == 0 ? "scrubber pass: all \(shards) shards intact\(repaired > 0 ? " (\(repaired) rewritten in it)" : "")"
                    : "scrubber pass over \(shards) shards: \(bad) still bad, \(repaired) rewritten"
            case let .diskWiped(n, shards): "node \(n)'s disk wiped: \(shards) shard files gone"
            case let .shardUnrepairable(id, s, why): "scrubber cannot repair checkpoint \(id) shard \(s): \(why)"
            case let .checkpointFailed(id, why): "checkpoint \(id) \(why.text)"
            case let .auditMismatch(e, lost, dup, accounts, conserved):
                "audit of epoch \(e): \(lost) lost, \(dup) duplicated, \(accounts) accounts differ, money \(conserved ? "conserved" : "NOT conserved")"
            case let .auditFailed(why): "audit failed: \(why)"
            case let .auditRecovered(e): "the audit works again (epoch \(e))"
            case let .sinkRebuilt(id, why, kept, rows, seconds):
                "the sink was damaged (\(why)): rebuilt from \(id.map { "checkpoint \($0)" } ?? "nothing (no checkpoint yet)"), \(rows) balances in \(Int((seconds * 1000).rounded())) ms" + (kept.isEmpty ? " (in memory: nothing kept)" : "; the damaged file is kept as \(kept)")
            case let .diskSpaceBack(id, seconds): "the disk has space again: checkpoint \(id) stored after \(BenchFormat.fixed(seconds, 1)) s of a full disk"
            case let .enginePaused(seconds):
                "the engine itself did not run for \(Int(seconds * 1000)) ms (process stopped or starved of CPU): that silence is not held against the nodes"
            case let .hostStall(m): m
            case let .note(_, m): m
            }
        }

        /// "standby copy on node 3: 2; local copy: 0,1,3,4,5" — nodes grouped by source.
        static func summary(_ sources: [RestoreSource?]) -> String {
            Dictionary(grouping: sources.enumerated().compactMap { e in e.element.map { ($0.description, e.offset) } }, by: { $0.0 })
                .map { "\($0.key): \($0.value.map { String($0.1) }.joined(separator: ","))" }.sorted().joined(separator: "; ")
        }
    }
}
