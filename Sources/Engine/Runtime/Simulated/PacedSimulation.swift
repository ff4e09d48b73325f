import Synchronization

/// The simulated runtime at the pace of a person watching: a thread advances virtual time
/// with the wall clock (`speed` virtual seconds per real one, 0.1×–10×), so the dashboard can
/// run on it (`firedrill --simulated`) — deterministic in what it decides, seeded, on a
/// memory disk. Time can be paused and stepped one event at a time. Readers and commands
/// take the simulation's lock between its steps.
public final class PacedSimulation: EngineRuntime, TimeControl, Sendable {
    /// The speeds a person may choose (virtual seconds per real second).
    public static let speeds = TimeSpeed.range
    /// Virtual seconds per turn of the pacing thread: the drill runner's tick.
    static let grid = 0.1

    /// A speed as a person writes it: `0.25×`, `2×`.
    public static func text(_ speed: Double) -> String { TimeSpeed.text(speed) }

    struct Pace {
        var speed: Double
        var paused = false
        /// Virtual time `virtual` was reached at wall time `wall`; time runs on from there.
        var wall: Double
        var virtual: Double
    }

    public let config: JobConfig
    private let sim: EngineMutex<SimulatedEngine>
    private let stopping = Atomic<Bool>(false)
    private let thread = EngineMutex<pthread_t?>(nil)
    private let pace: EngineMutex<Pace>
    /// Grid turns run so far (stepping one event leaves the grid; the turns go on after it).
    private let tick = EngineMutex(0)
    /// What is called after each turn, and the stop it asked for.
    private let hook = EngineMutex<(call: (@Sendable () -> Double?)?, stop: Double?)>((nil, nil))

    /// A simulation of `config` on seed `seed`; call `start` to let time run.
    /// - Throws: `EngineError` for a job it cannot set up; a speed outside `speeds` is a
    ///   `SpeedError` from `setSpeed`, checked by the caller first.
    public init(config: JobConfig, seed: UInt64, replicas: Int, speed: Double = 1) throws(EngineError) {
        let engine = try SimulatedEngine(config: config, seed: seed, replicas: replicas)
        self.config = config
        sim = EngineMutex(engine)
        pace = EngineMutex(Pace(speed: min(max(speed, TimeSpeed.range.lowerBound), TimeSpeed.range.upperBound), wall: Self.wallNow(), virtual: 0))
    }

    /// Virtual seconds per real second.
    public var speed: Double { pace.withLock { $0.speed } }
    /// Whether virtual time stands still.
    public var isPaused: Bool { pace.withLock { $0.paused } }

    /// Sets the pace from now on.
    public func setSpeed(_ speed: Double) throws(SpeedError) {
        guard TimeSpeed.range.contains(speed) else { throw SpeedError(speed: speed) }
        let now = uptime
        pace.withLock { p in p.speed = speed; p.virtual = now; p.wall = Self.wallNow() }
    }

    /// Stops or restarts virtual time.
    public func setPaused(_ paused: Bool) {
        let now = uptime
        pace.withLock { p in p.paused = paused; p.virtual = now; p.wall = Self.wallNow() }
    }

    /// While paused: runs virtual time on, a millisecond at a time, until the engine logs
    /// its next event (at most `maxSeconds` of virtual time), and returns the events of that
    /// millisecond (several when they come together, as a detection, its restart and the
    /// recovery's stop-the-world rollback do); empty when none came.
    public func stepToNextEvents(maxSeconds: Double) -> [EngineEvent] {
        guard isPaused else { return [] }
        let events: [EngineEvent] = sim.withLock { s in
            let before = s.eventsLogged
            var ran = 0.0
            while s.eventsLogged == before && ran < maxSeconds {
                s.run(for: 0.001)
                ran += 0.001
            }
            let new = s.eventsLogged - before
            tick.withLock { t in t = max(t, Int((s.uptime / Self.grid).rounded(.down))) }
            return new == 0 ? [] : Array(s.events.suffix(new))
        }
        setPaused(true)  // re-anchored at the new virtual time
        return events
    }

    /// Starts the thread that moves virtual time along with the wall clock.
    public func start() {
        pace.withLock { $0.wall = Self.wallNow() }
        let t = OSThread.start { [self] in
            while !stopping.load(ordering: .relaxed) {
                let p = pace.withLock { $0 }
                if !p.paused {
                    turn(reached: p.virtual + (Self.wallNow() - p.wall) * p.speed)
                }
                sleepNanos(5_000_000)
            }
        }
        thread.withLock { $0 = t }
    }

    /// Moves virtual time one grid turn on when `reached` (virtual seconds the wall clock has
    /// come to; nil: whatever the wall clock says). Time moves on the drill runner's grid
    /// (100 ms turns, reached the way `DrillTarget.advance` reaches them), so a session saved
    /// as a drill replays headless event for event on its seed. The pacing thread turns it;
    /// a test in virtual time turns it by hand.
    public func turn(reached: Double? = nil) {
        let moved: Bool = sim.withLock { s in
            tick.withLock { k in
                let grid = Double(k + 1) * Self.grid
                let next = min(grid, hook.withLock { $0.stop.flatMap { $0 > s.now ? $0 : nil } } ?? .infinity)
                guard next <= (reached ?? .infinity) else { return false }
                if next >= grid - 1e-12 { k += 1 }
                s.advance(to: next)
                return true
            }
        }
        guard moved, let call = hook.withLock({ $0.call }) else { return }
        let stop = call()
        hook.withLock { $0.stop = stop }
    }

    /// Has `hook` called after every turn of virtual time, outside the simulation's lock (a
    /// drill played live: its schedule moves at the very instants the headless runner's
    /// does); the time it returns (virtual seconds; a drill's next step) is a stop on the way
    /// to the next grid turn. nil removes it.
    public func setTurnHook(_ hook: (@Sendable () -> Double?)?) {
        self.hook.withLock { $0 = (hook, nil) }
    }

    public var runtimeName: String { "simulated" }
    public var uptime: Double { sim.withLock { $0.uptime } }
    public func apply(_ command: Command) throws(CommandError) {
        try sim.withLock { (s: inout SimulatedEngine) throws(CommandError) in try s.apply(command) }
    }
    public func snapshot() -> ClusterSnapshot { sim.withLock { $0.snapshot() } }
    public func advance(to time: Double) {
        while uptime < time && !stopping.load(ordering: .relaxed) { sleepNanos(UInt64(max(0.0005, min(0.05, (time - uptime) / speed)) * 1e9)) }
    }

    /// Stops the pacing thread, then finishes the run as fast as it can be simulated.
    public func finish() -> AuditVerdict { finish(within: 60) }

    public func finish(within seconds: Double) -> AuditVerdict {
        stopping.store(true, ordering: .relaxed)
        if let t = thread.withLock({ t in defer { t = nil }; return t }) { OSThread.join(t) }
        return sim.withLock { $0.finish(maxSeconds: seconds) }
    }

    static func wallNow() -> Double { SystemClock.monotonicSeconds() }
}

extension PacedSimulation: SinkRecounting {
    public func recountSink() throws(SinkError) -> SinkRecount {
        try sim.withLock { (s: inout SimulatedEngine) throws(SinkError) in try s.recountSink() }
    }
}
#if canImport(Glibc)
import Glibc
#endif

extension PacedSimulation: StoredShardChecking {
    public func storedShardHealth(_ shard: ClusterSnapshot.StoredShard) -> ShardStore.ShardHealth? {
        sim.withLock { $0.storedShardHealth(shard) }
    }
}
