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
    public var seenEvents: [EventName] = []
    /// Steps the engine refused, with why.
    public var stepErrors: [String] = []

    public init() {}

    /// Measures a finished run. `steps` are the applied steps with their actual times.
    public static func measure(verdict: AuditVerdict, events: [EngineEvent], recoveries: [ClusterSnapshot.Recovery],
                               steps: [(at: Double, command: Command)], samples: [(time: Double, produced: Int64)],
                               stepErrors: [String]) -> DrillMeasurements {
        var m = DrillMeasurements()
        m.exact = verdict.exact && verdict.lost == 0 && verdict.duplicated == 0
        m.lost = verdict.lost
        m.duplicated = verdict.duplicated
        m.moneyConserved = verdict.moneyConserved
        m.committedTransfers = verdict.committedTransfers
        m.stepErrors = stepErrors
        let faultTimes = steps.filter { $0.command.isFault }.map(\.at)
        for r in recoveries {
            if let d = r.detect { m.detections.append(d) }
            let end = r.at + r.restore
            if let fault = faultTimes.last(where: { $0 <= r.at + 1e-9 }) {
                m.recoveries.append(max(0, end - fault))
            } else {
                m.recoveries.append(r.restore + (r.detect ?? 0))
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
        m.seenEvents = EventName.allCases.filter { name in events.contains(where: name.matches) }
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
        case .kill, .hang, .slow, .corruptFrame, .partition, .corruptShard, .deleteShard, .wipeDisk, .restart, .recoverNow, .corruptCheckpoint, .corruptSink, .corruptRows: true
        case .heal, .checkpointNow, .savepoint: false
        }
    }
}
