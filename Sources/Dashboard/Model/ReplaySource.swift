import Drills
import Engine
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A record played back (`firedrill replay FILE`): the dashboard draws the cluster as the
/// record holds it at the replay's position, which moves with the wall clock at `speed`, and
/// can be paused, stepped to the next event and moved (`seek`). It changes nothing and runs
/// no engine: every command is refused.
public final class ReplaySource: LiveSource, TimeControl, Sendable {
    public let recording: Recording

    struct Position {
        var speed: Double = 1
        var paused = false
        /// The record's time `at` was reached at wall time `wall`; it runs on from there.
        var at: Double
        var wall: Double
        /// The moment drawn last, and the snapshot built for it (building one takes the log,
        /// the receipts and the history up to it).
        var cachedMoment: Recording.Moment?
        var cached: ClusterSnapshot?
    }

    private let position: Mutex<Position>
    private let clock: @Sendable () -> Double

    /// Plays `recording` from its start; `clock` gives wall seconds (a test's own clock).
    public init(_ recording: Recording, clock: @escaping @Sendable () -> Double = ReplaySource.monotonic) {
        self.recording = recording
        self.clock = clock
        position = Mutex(Position(at: recording.start, wall: clock()))
    }

    /// The record's time shown now.
    public var now: Double {
        let wall = clock()
        return position.withLock { p in current(p, wall: wall) }
    }

    private func current(_ p: Position, wall: Double) -> Double {
        p.paused ? p.at : min(recording.end, p.at + (wall - p.wall) * p.speed)
    }

    /// Moves to `t` (clamped to the record), keeping the pause and the pace.
    public func seek(to t: Double) {
        let wall = clock()
        position.withLock { p in
            p.at = min(max(t, recording.start), recording.end)
            p.wall = wall
        }
    }

    /// Moves by `seconds` (back when negative).
    public func seek(by seconds: Double) { seek(to: now + seconds) }

    // MARK: LiveSource

    public func snapshot() -> ClusterSnapshot {
        let wall = clock()
        let (moment, cached): (Recording.Moment, ClusterSnapshot?) = position.withLock { p in
            // At the end the replay stops by itself, paused on the last frame.
            if !p.paused, p.at + (wall - p.wall) * p.speed >= recording.end { p.at = recording.end; p.paused = true; p.wall = wall }
            let m = recording.moment(at: current(p, wall: wall))
            return (m, m == p.cachedMoment ? p.cached : nil)
        }
        if let cached { return cached }
        let s = recording.snapshot(moment)
        position.withLock { p in p.cachedMoment = moment; p.cached = s }
        return s
    }

    public func apply(_ command: Command) throws(CommandError) {
        throw CommandError("a replay changes nothing: \(command) was not carried out (it shows \(recording.file))")
    }

    public func drillStatus() -> ViewModel.DrillStatus? { nil }
    public func setSchedulePaused(_ paused: Bool) -> Bool { false }
    public func pacer() -> (any TimeControl)? { self }
    public func abort() -> String { "a replay has nothing to abort: it only shows \(recording.file)" }

    // MARK: TimeControl

    public var speed: Double { position.withLock { $0.speed } }
    public var isPaused: Bool { position.withLock { $0.paused } }

    public func setSpeed(_ speed: Double) throws(SpeedError) {
        guard TimeSpeed.range.contains(speed) else { throw SpeedError(speed: speed) }
        let wall = clock()
        position.withLock { p in p.at = current(p, wall: wall); p.wall = wall; p.speed = speed }
    }

    public func setPaused(_ paused: Bool) {
        let wall = clock()
        position.withLock { p in
            p.at = current(p, wall: wall)
            // Playing on from the end starts over.
            if !paused && p.at >= recording.end - 1e-9 { p.at = recording.start }
            p.wall = wall
            p.paused = paused
        }
    }

    /// Moves to the next event in the record (within `maxSeconds`) and returns it with any
    /// in the same millisecond; stays put when none comes.
    public func stepToNextEvents(maxSeconds: Double) -> [EngineEvent] {
        let t = now
        let events = recording.events(after: t)
        guard let last = events.last, last.time - t <= maxSeconds else { return [] }
        seek(to: last.time)
        return events
    }

    /// Seconds on the monotonic clock.
    public static let monotonic: @Sendable () -> Double = { SystemClock.monotonicSeconds() }
}
