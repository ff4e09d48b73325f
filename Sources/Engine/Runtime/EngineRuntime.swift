/// What the dashboard, the drills and records need of an engine, whichever runtime it runs
/// on: `ThreadedEngine` (real threads, clock and files) or `SimulatedEngine` (one thread, a
/// seeded scheduler, virtual time, a memory disk). Both drive the same `ControlPlane` and
/// publish the same `ClusterSnapshot` through the same `StatusBoard`.
public protocol EngineRuntime: AnyObject {
    var config: JobConfig { get }
    /// "threaded" or "simulated", for reports.
    var runtimeName: String { get }
    /// Seconds since the engine opened (real or virtual).
    var uptime: Double { get }
    /// Carries out an operator command.
    /// - Throws: `CommandError` for a node, checkpoint or shard that does not exist.
    func apply(_ command: Command) throws(CommandError)
    /// The cluster as it is now.
    func snapshot() -> ClusterSnapshot
    /// Lets the engine run until `uptime` reaches `time` (the threaded one waits, the
    /// simulated one runs its scheduler).
    func advance(to time: Double)
    /// Pauses the sources, takes one last checkpoint that commits everything read, stops,
    /// and returns the audit of everything committed.
    func finish() -> AuditVerdict
    /// The same within a bound: at most `seconds` (real or virtual) for the last checkpoint,
    /// three times that for its audit; what is not done by then is in the verdict.
    func finish(within seconds: Double) -> AuditVerdict
}

extension ThreadedEngine: EngineRuntime {
    public var runtimeName: String { "threaded" }

    public func advance(to time: Double) {
        while uptime < time { sleepNanos(UInt64(max(0.0005, min(0.05, time - uptime)) * 1e9)) }
    }

    public func finish() -> AuditVerdict { stop(finalCheckpoint: true, timeoutSeconds: 20, auditTimeoutSeconds: 120) }
    public func finish(within seconds: Double) -> AuditVerdict { stop(finalCheckpoint: true, timeoutSeconds: seconds, auditTimeoutSeconds: 3 * seconds) }
}

extension SimulatedEngine: EngineRuntime {
    public var runtimeName: String { "simulated" }
    public var uptime: Double { now }
    public func advance(to time: Double) { if time > now { run(for: time - now) } }
    @discardableResult
    public func finish() -> AuditVerdict { finish(maxSeconds: 60) }
    public func finish(within seconds: Double) -> AuditVerdict { finish(maxSeconds: seconds) }
}
