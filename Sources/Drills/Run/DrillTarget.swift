import Engine

/// The engine a drill runs on, either runtime, through the one runtime interface. Times are
/// seconds since the drill started.
public final class DrillTarget {
    public let engine: any EngineRuntime
    let base: Double

    /// A drill on `engine`, starting now.
    public init(_ engine: any EngineRuntime) {
        self.engine = engine
        base = engine.uptime
    }

    /// The threaded engine on real files in real time, opened on `dataDirectory` and started.
    public static func threaded(_ drill: Drill, dataDirectory: String) throws(EngineError) -> DrillTarget {
        let engine = try ThreadedEngine(config: drill.job.config, dataDirectory: dataDirectory, replicas: drill.job.replicas)
        engine.start()
        return DrillTarget(engine)
    }

    /// The simulation runs the drill's job, with the rate capped so that virtual time runs
    /// faster than real time on one thread.
    public static let simulatedMaxRate = 50_000.0

    /// The simulated engine: one thread, virtual time, an in-memory disk; deterministic.
    public static func simulated(_ drill: Drill, seed: UInt64) throws(EngineError) -> DrillTarget {
        DrillTarget(try SimulatedEngine(config: simulatedConfig(drill.job.config), seed: seed, replicas: drill.job.replicas))
    }

    /// A job as the simulated runtime runs it (headless or in the dashboard, the same, so a
    /// session saved there replays here): the rate capped, at most 1000 accounts, 256-transfer batches.
    public static func simulatedConfig(_ job: JobConfig) -> JobConfig {
        var c = job
        c.rate = min(c.rate ?? simulatedMaxRate, simulatedMaxRate)
        c.accounts = min(c.accounts, 1000)
        c.batchSize = 256
        return c
    }

    /// Which runtime, for reports.
    public var runtime: String { engine.runtimeName }
    /// Seconds since the drill started.
    public var now: Double { engine.uptime - base }
    /// Lets the engine run until `time`.
    public func advance(to time: Double) { engine.advance(to: time + base) }
    public func apply(_ command: Command) throws(CommandError) { try engine.apply(command) }
    /// Transfers read so far (re-reads after a rollback count again).
    public var produced: Int64 { engine.snapshot().produced }

    /// The event log, with times since the drill started.
    public func events() -> [EngineEvent] {
        engine.snapshot().events.map { var e = $0; e.time -= base; return e }
    }

    /// The fault receipts, with times since the drill started.
    public func receipts() -> [FaultReceipt] {
        engine.snapshot().receipts.map { $0.rebased(by: base) }
    }

    /// The recoveries, with times since the drill started.
    public func recoveries() -> [ClusterSnapshot.Recovery] {
        engine.snapshot().recoveries.map { var r = $0; r.at -= base; return r }
    }

    /// Seconds the final checkpoint may take (nil: the runtime's own bound).
    public var finishWithin: Double?
    /// The audit `finish` returned.
    public private(set) var finalVerdict: AuditVerdict?

    /// Whether `finish` heals every fault first (a drill does; `attach --do` leaves the
    /// cluster as its steps left it).
    public var healsAtEnd = true

    /// Heals, takes a final checkpoint, and returns the audit of everything committed.
    public func finish() -> AuditVerdict {
        if healsAtEnd { try? engine.apply(.heal(nil)) }
        let v = finishWithin.map { engine.finish(within: $0) } ?? engine.finish()
        finalVerdict = v
        return v
    }

    /// Writes the cluster now to a record (`--record`).
    public func recordSnapshot(into record: DrillRecord) { record.writeSnapshot(engine.snapshot().rebased(by: base), time: now) }
}
