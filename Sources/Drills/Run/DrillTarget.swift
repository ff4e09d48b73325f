import Engine
#if canImport(Glibc)
import Glibc
#endif

/// The engine a drill runs on: the threaded one in real time, or the simulated one in
/// virtual time. Times are seconds since the drill started.
public protocol DrillTarget: AnyObject {
    /// Seconds since the drill started.
    var now: Double { get }
    /// Lets the engine run until `time`.
    func advance(to time: Double)
    func apply(_ command: Command) throws(CommandError)
    /// Transfers read so far (re-reads after a rollback count again).
    var produced: Int64 { get }
    /// The event log, with times since the drill started.
    func events() -> [EngineEvent]
    /// The recoveries, with times since the drill started.
    func recoveries() -> [ClusterSnapshot.Recovery]
    /// Heals, takes a final checkpoint, and returns the audit of everything committed.
    func finish() -> AuditVerdict
    /// One JSON object describing the cluster now, for `--record`.
    func recordLine() -> String
    /// Which runtime, for reports.
    var runtime: String { get }
}

/// The threaded engine on real files, in real time.
public final class ThreadedTarget: DrillTarget {
    public let engine: ThreadedEngine
    let base: Double

    /// Opens the engine on `dataDirectory` and starts it.
    public init(_ drill: Drill, dataDirectory: String) throws(EngineError) {
        engine = try ThreadedEngine(config: drill.job.config, dataDirectory: dataDirectory, replicas: drill.job.replicas)
        engine.start()
        base = engine.uptime
    }

    public var runtime: String { "threaded" }
    public var now: Double { engine.uptime - base }

    public func advance(to time: Double) {
        while now < time {
            let wait = min(0.05, time - now)
            var ts = timespec(tv_sec: 0, tv_nsec: Int(max(0.0005, wait) * 1e9))
            nanosleep(&ts, nil)
        }
    }

    public func apply(_ command: Command) throws(CommandError) { try engine.apply(command) }
    public var produced: Int64 { engine.snapshot().produced }

    public func events() -> [EngineEvent] {
        engine.snapshot().events.map { var e = $0; e.time -= base; return e }
    }

    public func recoveries() -> [ClusterSnapshot.Recovery] {
        engine.snapshot().recoveries.map { var r = $0; r.at -= base; return r }
    }

    public func finish() -> AuditVerdict {
        try? engine.apply(.heal(nil))
        return engine.stop(finalCheckpoint: true, timeoutSeconds: 20, auditTimeoutSeconds: 120)
    }

    public func recordLine() -> String { DrillRecord.snapshotLine(engine.snapshot(), time: now) }
}

/// The simulated engine: one thread, virtual time, an in-memory disk; deterministic.
public final class SimulatedTarget: DrillTarget {
    public let engine: SimulatedEngine

    /// The simulation runs the drill's job, with the rate capped so that virtual time runs
    /// faster than real time on one thread.
    public static let maxRate = 50_000.0

    public init(_ drill: Drill, seed: UInt64) throws(EngineError) {
        var c = drill.job.config
        c.rate = min(c.rate ?? Self.maxRate, Self.maxRate)
        c.accounts = min(c.accounts, 1000)
        c.batchSize = 256
        engine = try SimulatedEngine(config: c, seed: seed, replicas: drill.job.replicas)
    }

    public var runtime: String { "simulated" }
    public var now: Double { Double(engine.clock.nanos()) / 1e9 }
    public func advance(to time: Double) { if time > now { engine.run(for: time - now) } }
    public func apply(_ command: Command) throws(CommandError) { try engine.apply(command) }
    private var readTotal: Int64 = 0
    private var lastProduced: Int64 = 0

    /// The simulated nodes' counters go back to the checkpoint's offsets on a rollback;
    /// the drill counts every read, replays included, as the threaded engine does.
    public var produced: Int64 {
        let p = engine.produced
        if p > lastProduced { readTotal += p - lastProduced }
        lastProduced = p
        return readTotal
    }

    public func events() -> [EngineEvent] { engine.events }
    public func recoveries() -> [ClusterSnapshot.Recovery] { engine.recoveries }

    public func finish() -> AuditVerdict {
        try? engine.apply(.heal(nil))
        engine.run(for: 0.5)
        return engine.finish()
    }

    public func recordLine() -> String {
        JSON.object([
            ("t", JSON.number(now)), ("type", JSON.string("snapshot")), ("produced", String(produced)),
            ("auditedTransfers", String(engine.verdict.committedTransfers)),
            ("committedCheckpoint", DrillRecord.optional(engine.lastCommitted == 0 ? nil : engine.lastCommitted)),
            ("auditedCheckpoint", DrillRecord.optional(engine.verdict.checkpoint)),
            ("newestCheckpoint", DrillRecord.optional(engine.newestCheckpoint)), ("verdictAge", JSON.number(engine.verdictAge)),
            ("heldForAudit", String(engine.gate.holdsSources)), ("exact", String(engine.verdict.exact)),
            ("lost", String(engine.verdict.lost)), ("duplicated", String(engine.verdict.duplicated)),
            ("moneyConserved", String(engine.verdict.moneyConserved)),
        ])
    }
}
