import Synchronization

/// The simulated runtime at the pace of a person watching: a thread advances virtual time
/// with the wall clock (`speed` virtual seconds per real one), so the dashboard can run on
/// it (`firedrill --simulated`) — deterministic in what it decides, seeded, on a memory
/// disk. Readers and commands take the simulation's lock between its steps.
public final class PacedSimulation: EngineRuntime, Sendable {
    public let config: JobConfig
    /// Virtual seconds per real second.
    public let speed: Double
    private let sim: EngineMutex<SimulatedEngine>
    private let stopping = Atomic<Bool>(false)
    private let thread = EngineMutex<pthread_t?>(nil)
    private let wallStart: Double

    /// A simulation of `config` on seed `seed`; call `start` to let time run.
    public init(config: JobConfig, seed: UInt64, replicas: Int, speed: Double = 1) throws(EngineError) {
        let engine = try SimulatedEngine(config: config, seed: seed, replicas: replicas)
        self.config = config
        self.speed = max(0.01, min(speed, 100))
        sim = EngineMutex(engine)
        wallStart = Self.wallNow()
    }

    /// Starts the thread that moves virtual time along with the wall clock.
    public func start() {
        let t = OSThread.start { [self] in
            while !stopping.load(ordering: .relaxed) {
                let target = (Self.wallNow() - wallStart) * speed
                sim.withLock { s in
                    // At most 50 ms of virtual time per turn, so readers wait little.
                    if s.uptime < target { s.run(for: min(target - s.uptime, 0.05)) }
                }
                sleepNanos(5_000_000)
            }
        }
        thread.withLock { $0 = t }
    }

    public var runtimeName: String { "simulated" }
    public var uptime: Double { sim.withLock { $0.uptime } }
    public func apply(_ command: Command) throws(CommandError) {
        try sim.withLock { (s: inout SimulatedEngine) throws(CommandError) in try s.apply(command) }
    }
    public func snapshot() -> ClusterSnapshot { sim.withLock { $0.snapshot() } }
    public func advance(to time: Double) {
        while uptime < time { sleepNanos(UInt64(max(0.0005, min(0.05, (time - uptime) / speed)) * 1e9)) }
    }

    /// Stops the pacing thread, then finishes the run as fast as it can be simulated.
    public func finish() -> AuditVerdict {
        stopping.store(true, ordering: .relaxed)
        if let t = thread.withLock({ t in defer { t = nil }; return t }) { OSThread.join(t) }
        return sim.withLock { $0.finish(maxSeconds: 60) }
    }

    static func wallNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
#if canImport(Glibc)
import Glibc
#endif
