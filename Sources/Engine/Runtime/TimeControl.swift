/// Time a person can pause, step and pace: the simulated runtime's virtual time
/// (`PacedSimulation`), or a record played back (`firedrill replay`). The dashboard's `.`,
/// `n`, `[` and `]` drive either through this.
public protocol TimeControl: AnyObject, Sendable {
    /// Seconds of the watched time per real second.
    var speed: Double { get }
    /// Whether time stands still.
    var isPaused: Bool { get }
    /// Sets the pace from now on.
    /// - Throws: `SpeedError` for a speed outside `TimeSpeed.range`.
    func setSpeed(_ speed: Double) throws(SpeedError)
    /// Stops or restarts time.
    func setPaused(_ paused: Bool)
    /// While paused: moves time on to the next event (at most `maxSeconds`), and returns the
    /// events of that moment; empty when none came.
    func stepToNextEvents(maxSeconds: Double) -> [EngineEvent]
}

extension TimeControl {
    /// The next (`faster`) or previous step of `TimeSpeed.steps` from the current speed.
    public func stepSpeed(faster: Bool) -> Double {
        let current = speed
        let steps = TimeSpeed.steps
        let next = faster ? steps.first { $0 > current + 1e-9 } ?? steps[steps.count - 1]
            : steps.last { $0 < current - 1e-9 } ?? steps[0]
        try? setSpeed(next)
        return next
    }
}

/// The speeds a person may choose, and how one is written.
public enum TimeSpeed {
    /// Seconds of watched time per real second.
    public static let range: ClosedRange<Double> = 0.1...10
    /// The steps `[` and `]` go through.
    public static let steps: [Double] = [0.1, 0.25, 0.5, 1, 2, 5, 10]

    /// A speed as a person writes it: `0.25×`, `2×`.
    public static func text(_ speed: Double) -> String {
        guard speed.isFinite else { return "\(speed)" }
        var t = BenchFormat.fixed(speed, 2)
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t + "×"
    }
}

/// A speed outside `TimeSpeed.range`.
public struct SpeedError: Error, Sendable, Equatable, CustomStringConvertible {
    public var speed: Double
    public init(speed: Double) { self.speed = speed }
    public var description: String { "speed \(TimeSpeed.text(speed)) is outside 0.1×–10×" }
}
