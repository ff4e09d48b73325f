/// The story of one fault, filled in as the engine acts: what was injected, each step the
/// engine took (with the protection technique that took it and when), and the audit that
/// proved nothing was lost. Built by `ReceiptBook` from typed events only; the words are
/// written in `FaultReceipt+Text.swift`.
public struct FaultReceipt: Sendable, Equatable, Identifiable, Codable {
    /// The four protection techniques, the checkpoint replay under them, the audit that
    /// proves the result, and the operator's own hand.
    public enum Technique: String, Sendable, Equatable, CaseIterable, Codable {
        case selfHealing = "self-healing"
        case replication
        case checkAndCorrect = "check and correct"
        case erasureCode = "erasure code"
        case checkpoint = "checkpoint"
        case audit
        case operatorAction = "operator"
    }

    /// One thing the engine did (or found) about the fault.
    public enum Step: Sendable, Equatable, Codable {
        /// The phi-accrual detector marked the node down.
        case detected(phi: Double, silence: Double)
        /// The node heartbeat but made no progress for `seconds`: restarted as a stall, not marked down.
        case stalled(seconds: Double)
        /// The supervisor restarted the node (`times` so far, the last backoff).
        case restarted(times: Int, backoff: Double)
        /// Past its restart limit: the node stays down until healed.
        case quarantined(restarts: Int)
        /// The checkpoint in flight was abandoned by the recovery.
        case checkpointAbandoned(UInt64)
        /// The node's state came back from `source` (nil: not restored, it is quarantined).
        case restored(checkpoint: UInt64, source: RestoreSource?, seconds: Double)
        /// Every node rolled back (a fault that names no node).
        case rolledBack(checkpoint: UInt64, seconds: Double)
        /// The newest checkpoint could not be restored; an older one was used.
        case fellBack(from: UInt64, to: UInt64)
        /// No checkpoint restored: the job started again from the beginning.
        case startedOver
        /// The sources replayed back to where they were.
        case caughtUp(after: Double)
        /// The receiver's CRC32C caught a bad frame (or its sequence number a lost one) and
        /// the sender resent it from its retransmit buffer.
        case frameCaught(frame: UInt64, receiver: Int, corrupt: Bool)
        /// The link saw 3 or more corrupt frames in 10 s.
        case linkDegraded(from: Int, to: Int)
        /// The scrubber's CRC32C check found a shard bad (`count` so far, for a wiped disk).
        case shardFound(checkpoint: UInt64, shard: Int, node: Int, missing: Bool, count: Int)
        /// The scrubber rebuilt a shard from the intact others (`count` so far).
        case shardRepaired(checkpoint: UInt64, shard: Int, from: [Int], count: Int)
        /// A recovery rebuilt the shard from the others while restoring.
        case shardRebuiltOnRestore(checkpoint: UInt64, shard: Int)
        /// Too few intact shards to rebuild it: beyond what the code tolerates.
        case unrepairable(checkpoint: UInt64, shard: Int, why: String)
        /// The retention removed the checkpoint before anything read the shard: nothing to repair.
        case retired
        /// A whole scrubber pass after the repairs found every shard intact.
        case scrubVerified(shards: Int)
        /// The operator healed the fault.
        case healedByOperator
        /// Checked at the heal: the detector never marked the node down.
        case neverMarkedDown
        /// SQLite found the sink's file damaged (a page it read no longer valid).
        case sinkDamaged(why: String)
        /// The sink rebuilt, live, from checkpoint `checkpoint`: `rows` balances in one transaction.
        case sinkRebuilt(checkpoint: UInt64, rows: Int, seconds: Double)
        /// The audit of a checkpoint taken after the repair.
        case audited(checkpoint: UInt64, exact: Bool, lost: Int64, duplicated: Int64, moneyConserved: Bool)
        /// The node went down while recovery `recovery` (counted from the start) was under way
        /// and came back with it from `source`: the fault was absorbed, never detected on its own.
        case absorbed(recovery: Int, checkpoint: UInt64, source: RestoreSource)

        /// The step's name for records and reports (`detected`, `restored`, …).
        public var name: String {
            switch self {
            case .detected: "detected"
            case .stalled: "stalled"
            case .restarted: "restarted"
            case .quarantined: "quarantined"
            case .checkpointAbandoned: "checkpoint-abandoned"
            case .restored: "restored"
            case .rolledBack: "rolled-back"
            case .fellBack: "fell-back"
            case .startedOver: "started-over"
            case .caughtUp: "caught-up"
            case .frameCaught: "frame-caught"
            case .linkDegraded: "link-degraded"
            case .shardFound: "shard-found"
            case .shardRepaired: "shard-repaired"
            case .shardRebuiltOnRestore: "shard-rebuilt-on-restore"
            case .unrepairable: "unrepairable"
            case .scrubVerified: "scrub-verified"
            case .retired: "retired"
            case .healedByOperator: "healed-by-operator"
            case .neverMarkedDown: "never-marked-down"
            case .sinkDamaged: "sink-damaged"
            case .sinkRebuilt: "sink-rebuilt"
            case .audited: "audited"
            case .absorbed: "absorbed"
            }
        }

        /// The technique that took the step.
        public var technique: Technique {
            switch self {
            case .detected, .stalled, .restarted, .quarantined, .neverMarkedDown: .selfHealing
            case let .restored(_, source, _):
                switch source {
                case .standby: .replication
                case .shards: .erasureCode
                case .local, nil: .checkpoint
                }
            case .checkpointAbandoned, .rolledBack, .fellBack, .startedOver, .caughtUp: .checkpoint
            case let .absorbed(_, _, source):
                switch source {
                case .standby: .replication
                case .shards: .erasureCode
                case .local: .checkpoint
                }
            case .frameCaught, .linkDegraded, .shardFound, .sinkDamaged: .checkAndCorrect
            case .sinkRebuilt: .checkpoint
            case .shardRepaired, .shardRebuiltOnRestore, .unrepairable, .scrubVerified: .erasureCode
            case .retired: .checkpoint
            case .healedByOperator: .operatorAction
            case .audited: .audit
            }
        }
    }

    /// A step and when it happened (seconds since the engine started).
    public struct Entry: Sendable, Equatable, Codable {
        public var step: Step
        public var at: Double
    }

    /// Where the story stands.
    public enum Status: String, Sendable, Equatable, Codable {
        /// The engine is still acting (or waiting for the fault to end).
        case pending
        /// Repaired; waiting for the audit of a checkpoint taken after it.
        case healed
        /// Repaired, and the audit found the output exact.
        case proved
        /// The audit after it found a difference.
        case disproved
        /// More than the code tolerates was lost; the engine said what it used instead.
        case beyondTolerance = "beyond tolerance"
        /// Quarantined: nothing more happens until the operator heals it.
        case stuck
    }

    /// 1, 2, 3… in the order the faults came.
    public var id: Int
    /// The fault as commanded (nil: the engine found something nobody injected).
    public var fault: Command?
    /// The node or shard a fault nobody injected is about, for its title.
    public var subject: Subject?
    /// When the fault was injected (or found).
    public var at: Double
    public var entries: [Entry] = []
    public var status: Status = .pending
    /// When the last repair step happened (the end of its band on the graph).
    public var healedAt: Double?

    // The book's own bookkeeping (not part of the story's words).
    /// Whether the fault itself is over (a killed node replaced, a slow one healed…).
    var faultEnded = false
    /// Detected (or commanded) and waiting for the recovery that follows.
    var needsRecovery = false
    /// When the supervisor's last restart of the node is due.
    var restartDue: Double?
    /// A recovery is under way that this receipt takes part in.
    var inRecovery = false
    /// Restored in the last recovery, waiting for the replay to catch up.
    var awaitingCatchUp = false
    /// The shard files a wiped disk held (from the wipe's event).
    var wipedShards: Int?
    /// The first checkpoint begun after the repair: its audit is the proof.
    var proofCheckpoint: UInt64?

    /// What a receipt of nobody's fault is about.
    public enum Subject: Sendable, Equatable, Codable {
        case node(Int)
        case shard(checkpoint: UInt64, shard: Int, node: Int)
        /// The sink's database file.
        case sink
    }

    public init(id: Int, fault: Command?, subject: Subject? = nil, at: Double) {
        self.id = id
        self.fault = fault
        self.subject = subject
        self.at = at
    }

    /// The node the fault is about, if it is about one.
    public var node: Int? {
        if let f = fault {
            switch f {
            case let .kill(n), let .hang(n), let .slow(n, _), let .corruptFrame(n), let .partition(n), let .wipeDisk(n), let .restart(n): return n
            case .corruptShard, .deleteShard, .heal, .checkpointNow, .recoverNow, .savepoint, .corruptCheckpoint, .corruptSink, .tearWrite, .corruptRows: return nil
            }
        }
        switch subject {
        case let .node(n)?: return n
        case let .shard(_, _, n)?: return n
        case .sink?, nil: return nil
        }
    }

    /// The checkpoint whose audit will prove the repair (nil: none taken since, or proved).
    public var awaitedProof: UInt64? { proofCheckpoint == .max ? nil : proofCheckpoint }

    /// Whether the story has ended (proved, disproved; nothing more will be added but a proof).
    public var isClosed: Bool { status == .proved || status == .disproved }

    /// The same receipt with its times moved back by `base` seconds (times since a drill began).
    public func rebased(by base: Double) -> FaultReceipt {
        var r = self
        r.at -= base
        r.healedAt = healedAt.map { $0 - base }
        for i in r.entries.indices { r.entries[i].at -= base }
        return r
    }

    /// The newest entry of a step like `sample` (same case).
    func lastIndex(where match: (Step) -> Bool) -> Int? { entries.lastIndex { match($0.step) } }

    mutating func add(_ step: Step, at time: Double) { entries.append(Entry(step: step, at: time)) }

    /// The fault is repaired at `time`: its band ends; the proof waits for a later checkpoint.
    mutating func heal(at time: Double) {
        guard healedAt == nil else { return }
        healedAt = time
        if status == .pending { status = .healed }
    }
}
