import Engine

/// What a drill run measured, from the engine's own log, recoveries and audit.
public struct DrillMeasurements: Sendable, Equatable {
    public var exact = false
    public var lost: Int64 = 0
    public var duplicated: Int64 = 0
    public var moneyConserved = false
    public var committedTransfers: Int64 = 0
    /// Fault to node marked down, seconds, per detection.
    public var detections: [Double] = []
    /// Fault to every node processing again, seconds, per recovery.
    public var recoveries: [Double] = []
    /// Transfers read per second before the first fault, and in the second after the last
    /// recovery.
    public var throughputBefore: Double?
    public var throughputAfter: Double?
    /// Where recovered state came from, in the order first seen.
    public var restoredFrom: [RestoredFrom] = []
    /// For each kill, hang or restart of the drill: the node and where the recovery that
    /// brought it back restored it from (nil: its own memory).
    public var faultRestores: [FaultRestore] = []

    /// A faulted node and where the recovery that brought it back restored it from.
    public struct FaultRestore: Sendable, Equatable {
        public var node: Int
        /// nil: its own memory.
        public var from: RestoredFrom?
    }
    /// Recoveries the run ended before they caught up.
    public var notCaughtUp = 0
    public var seenEvents: [EventName] = []
    /// Steps the engine refused, with why.
    public var stepErrors: [String] = []
    /// The drill's faults a recovery already under way absorbed (the node came back with it,
    /// never detected on its own).
    public var absorbed = 0
    /// Nodes marked down that no fault of the drill explains (a slow host, a stall): counted
    /// apart, never credited to a fault.
    public var unprovoked = 0

    public init() {}

    /// Measures a finished run. `steps` are the applied steps with their actual times.
    public static func measure(verdict: AuditVerdict, events: [EngineEvent], recoveries: [ClusterSnapshot.Recovery],
                               steps: [(at: Double, command: Command)], samples: [(time: Double, produced: Int64)],
                               stepErrors: [String], receipts: [FaultReceipt] = []) -> DrillMeasurements {
        var m = DrillMeasurements()
        m.exact = verdict.exact && verdict.lost == 0 && verdict.duplicated == 0
        m.lost = verdict.lost
        m.duplicated = verdict.duplicated
        m.moneyConserved = verdict.moneyConserved
        m.committedTransfers = verdict.committedTransfers
        m.stepErrors = stepErrors
        let faultTimes = steps.filter { $0.command.isFault }.map(\.at)
        let caughtUp = events.compactMap { e -> Double? in if case .caughtUp = e.detail { e.time } else { nil } }
        for r in recoveries {
            if let d = r.detect { m.detections.append(d) }
            // A recovery ends when the sources are back where they were (caught up): this one's
            // replay, or that of a recovery begun before it finished.
            guard let end = caughtUp.first(where: { $0 >= r.at + r.restore - 1e-9 }) else {
                m.notCaughtUp += 1
                continue
            }
            if let fault = faultTimes.last(where: { $0 <= r.at + 1e-9 }) {
                m.recoveries.append(max(0, end - fault))
            } else {
                m.recoveries.append(end - r.at + (r.detect ?? 0))
            }
            for case let s? in r.restoredFrom {
                switch s {
                case .standby: if !m.restoredFrom.contains(.standby) { m.restoredFrom.append(.standby) }
                case .shards: if !m.restoredFrom.contains(.shards) { m.restoredFrom.append(.shards) }
                case .local: break
                }
            }
        }
        if events.contains(where: EventName.fallback.matches), !m.restoredFrom.contains(.previous) { m.restoredFrom.append(.previous) }
        // Each process fault's node, and where the recovery that brought it back restored it from.
        for step in steps {
            let n: Int
            switch step.command {
            case let .kill(i), let .hang(i), let .restart(i): n = i
            case .slow, .corruptFrame, .partition, .corruptShard, .deleteShard, .wipeDisk, .heal, .checkpointNow, .recoverNow, .savepoint,
                 .corruptCheckpoint, .corruptSink, .tearWrite, .corruptRows: continue
            }
            // `kill tm busiest` on a Flink target names no engine node (Command.busiest is -1).
            guard n >= 0, let r = recoveries.first(where: { $0.at >= step.at - 1e-9 && n < $0.restoredFrom.count }),
                  let source = r.restoredFrom[n] else { continue }
            let from: RestoredFrom? = switch source {
            case .standby: .standby
            case .shards: .shards
            case .local: nil
            }
            m.faultRestores.append(FaultRestore(node: n, from: from))
        }
        m.seenEvents = EventName.allCases.filter { name in events.contains(where: name.matches) }
        m.absorbed = receipts.filter { r in r.fault != nil && r.entries.contains { if case .absorbed = $0.step { true } else { false } } }.count
        m.unprovoked = receipts.filter { r in
            guard r.fault == nil, case .node? = r.subject else { return false }
            return r.at >= 0
        }.count
        if let first = faultTimes.first {
            m.throughputBefore = rate(samples, from: max(0, first - 2), to: first)
            let end = recoveries.map { $0.at + $0.restore }.max() ?? faultTimes.last ?? first
            m.throughputAfter = rate(samples, from: end, to: end + 1)
        }
        return m
    }

    /// Transfers per second between two moments, from the samples nearest them inside the
    /// interval (a sample taken before `from` would count some of what happened before it:
    /// for the second after a recovery, part of the recovery itself).
    static func rate(_ samples: [(time: Double, produced: Int64)], from: Double, to: Double) -> Double? {
        guard let a = samples.first(where: { $0.time >= from - 1e-9 }),
              let b = samples.last(where: { $0.time <= to + 1e-9 }), b.time - a.time >= 0.25 else { return nil }
        return Double(b.produced - a.produced) / (b.time - a.time)
    }
}

extension Command {
    /// Whether an attached Flink cluster carries it out.
    public var runsOnFlink: Bool {
        switch self {
        case .kill, .hang, .heal, .restart, .checkpointNow, .savepoint, .corruptCheckpoint: true
        default: false
        }
    }

    /// Whether only a Flink cluster carries it out (the engine has no savepoints).
    public var flinkOnly: Bool {
        switch self {
        case .savepoint, .corruptCheckpoint: true
        default: false
        }
    }

    /// Whether the command breaks something (its time starts a detection or recovery clock).
    public var isFault: Bool {
        switch self {
        case .kill, .hang, .slow, .corruptFrame, .partition, .corruptShard, .deleteShard, .wipeDisk, .restart, .recoverNow, .corruptCheckpoint, .corruptSink, .tearWrite, .corruptRows: true
        case .heal, .checkpointNow, .savepoint: false
        }
    }
}
