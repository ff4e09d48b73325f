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
    /// Transfers read per second the engine ran, in the 2 s before the first fault and in the
    /// first second after the last recovery. Time the whole process did not run (stopped or
    /// starved of CPU by other work on the host, which the engine's control loop sees as its
    /// own pause) is left out, and each window grows by it: those figures judge the job, not
    /// the host.
    public var throughputBefore: Double?
    public var throughputAfter: Double?
    /// The rate measured before the first fault when it was above the job's own rate (the
    /// sources make up after a pause of the host, so a window without the pause reads
    /// fast); `throughputBefore` is then the job's rate.
    public var measuredBefore: Double?
    /// Seconds of the host's pauses left out of each throughput window.
    public var pausedBefore: Double = 0
    public var pausedAfter: Double = 0
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
    /// Audits during the run that found a committed epoch wrong with no step before them
    /// that damaged the sink: exactly once broke on the way, even when the final audit is
    /// exact again (a later commit can rewrite the rows a wrong one left).
    public var brokenAudits: [BrokenAudit] = []

    /// An audit during the run that found the sink wrong, and when.
    public struct BrokenAudit: Sendable, Equatable {
        public var time: Double
        public var epoch: UInt64
        public var lost: Int64
        public var duplicated: Int64
        public var accounts: Int
    }

    public init() {}

    /// Measures a finished run. `steps` are the applied steps with their actual times;
    /// `rate` is the job's rate (nil: as fast as it goes).
    public static func measure(verdict: AuditVerdict, events: [EngineEvent], recoveries: [ClusterSnapshot.Recovery],
                               steps: [(at: Double, command: Command)], samples: [(time: Double, produced: Int64)],
                               stepErrors: [String], receipts: [FaultReceipt] = [], rate: Double? = nil) -> DrillMeasurements {
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
        let sinkDamaged = steps.filter { $0.command.damagesSink }.map(\.at).min()
        for e in events {
            guard case let .auditMismatch(epoch, lost, duplicated, accounts, _) = e.detail else { continue }
            if let t = sinkDamaged, t <= e.time + 1e-9 { continue }
            m.brokenAudits.append(BrokenAudit(time: e.time, epoch: epoch, lost: lost, duplicated: duplicated, accounts: accounts))
        }
        m.absorbed = receipts.filter { r in r.fault != nil && r.entries.contains { if case .absorbed = $0.step { true } else { false } } }.count
        m.unprovoked = receipts.filter { r in
            guard r.fault == nil, case .node? = r.subject else { return false }
            return r.at >= 0
        }.count
        if let first = faultTimes.first {
            let pauses = pauses(in: events)
            let start = start(before: first, running: 2, pauses: pauses)
            m.throughputBefore = Self.rate(samples, from: start, to: first, pauses: pauses)
            if let limit = rate, let before = m.throughputBefore, before > limit {
                m.measuredBefore = before
                m.throughputBefore = limit
            }
            m.pausedBefore = paused(pauses, from: start, to: first)
            let end = recoveries.map { $0.at + $0.restore }.max() ?? faultTimes.last ?? first
            let until = self.end(after: end, running: 1, pauses: pauses)
            m.throughputAfter = Self.rate(samples, from: end, to: until, pauses: pauses)
            m.pausedAfter = paused(pauses, from: end, to: until)
        }
        return m
    }

    /// The stretches of time the whole process did not run, from the engine's own reports.
    static func pauses(in events: [EngineEvent]) -> [ClosedRange<Double>] {
        events.compactMap { e in
            if case let .enginePaused(seconds) = e.detail, seconds > 0 { max(0, e.time - seconds)...e.time } else { nil }
        }
    }

    /// Seconds of `pauses` between two moments.
    static func paused(_ pauses: [ClosedRange<Double>], from: Double, to: Double) -> Double {
        pauses.reduce(0) { $0 + max(0, min($1.upperBound, to) - max($1.lowerBound, from)) }
    }

    /// The moment `running` seconds of the engine's own time before `end` (not before 0).
    static func start(before end: Double, running: Double, pauses: [ClosedRange<Double>]) -> Double {
        var start = max(0, end - running)
        // Each pass takes in the pauses the window now holds; pauses never overlap, so a few do.
        for _ in 0..<8 {
            let wider = max(0, end - running - paused(pauses, from: start, to: end))
            if wider == start { break }
            start = wider
        }
        return start
    }

    /// The moment `running` seconds of the engine's own time after `start`.
    static func end(after start: Double, running: Double, pauses: [ClosedRange<Double>]) -> Double {
        var end = start + running
        for _ in 0..<8 {
            let wider = start + running + paused(pauses, from: start, to: end)
            if wider == end { break }
            end = wider
        }
        return end
    }

    /// Transfers per second the engine ran between two moments, from the samples nearest them
    /// inside the interval (a sample taken before `from` would count some of what happened
    /// before it: for the second after a recovery, part of the recovery itself). nil when the
    /// samples span less than 0.25 s of the engine's time.
    static func rate(_ samples: [(time: Double, produced: Int64)], from: Double, to: Double,
                     pauses: [ClosedRange<Double>] = []) -> Double? {
        guard let a = samples.first(where: { $0.time >= from - 1e-9 }),
              let b = samples.last(where: { $0.time <= to + 1e-9 }) else { return nil }
        let ran = b.time - a.time - paused(pauses, from: a.time, to: b.time)
        guard ran >= 0.25 else { return nil }
        return Double(b.produced - a.produced) / ran
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

    /// Whether the command damages the sink's rows or file on purpose: after it, an audit
    /// that finds the sink wrong is the auditor doing its work, not a broken epoch.
    public var damagesSink: Bool {
        switch self {
        case .corruptSink, .corruptRows: true
        case .kill, .hang, .slow, .corruptFrame, .partition, .corruptShard, .deleteShard, .wipeDisk, .heal, .checkpointNow,
             .recoverNow, .restart, .savepoint, .corruptCheckpoint, .tearWrite: false
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
