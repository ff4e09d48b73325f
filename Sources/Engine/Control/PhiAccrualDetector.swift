/// The phi-accrual failure detector (Hayashibara et al., 2004), as Akka and Cassandra use
/// it: from the history of heartbeat intervals it gives, at any moment, phi = -log10 of the
/// probability that a heartbeat this late would still come. Phi grows smoothly with
/// silence, so the threshold trades detection time against false alarms.
public struct PhiAccrualDetector: Sendable {
    /// Phi at or above which a node is down.
    public var threshold: Double
    /// Phi at or above which a node is suspect.
    public var suspectThreshold: Double
    /// Smallest standard deviation assumed, seconds (jitter of a loaded machine).
    public var minStdDev: Double
    /// Silence always tolerated on top of the mean, seconds (a GC-like pause).
    public var acceptablePause: Double
    var intervals: [Double] = []
    var next = 0
    var sum = 0.0
    var sumSquares = 0.0
    let window: Int
    public private(set) var lastHeartbeat: Double?

    public init(threshold: Double = 8, suspectThreshold: Double = 3, minStdDev: Double = 0.02, acceptablePause: Double = 0.03, window: Int = 100) {
        self.threshold = threshold
        self.suspectThreshold = suspectThreshold
        self.minStdDev = minStdDev
        self.acceptablePause = acceptablePause
        self.window = window
    }

    /// The detector's host paused for `seconds` up to `now`: that silence was not
    /// observed, so it does not count (the last heartbeat moves forward by it).
    public mutating func discount(_ seconds: Double, now: Double) {
        if let last = lastHeartbeat { lastHeartbeat = min(now, last + max(0, seconds)) }
    }

    /// A heartbeat arrived at `time` (seconds).
    public mutating func heartbeat(at time: Double) {
        if let last = lastHeartbeat, time > last {
            let interval = time - last
            if intervals.count < window {
                intervals.append(interval)
            } else {
                let old = intervals[next]
                sum -= old
                sumSquares -= old * old
                intervals[next] = interval
                next = (next + 1) % window
            }
            sum += interval
            sumSquares += interval * interval
        }
        // A beat older than the last one known (sent before a pause of the host, seen only
        // after it was credited, or from before a restart) does not move the clock back.
        lastHeartbeat = max(lastHeartbeat ?? time, time)
    }

    /// The interval assumed before any was measured, seconds (the heartbeat period).
    public var expectedInterval = 0.05

    /// A new incarnation started at `time`: silence is counted from then; the interval
    /// history (a property of the machine, not of the incarnation) is kept.
    public mutating func restarted(at time: Double) {
        lastHeartbeat = time
    }

    /// Phi at `time`, with `extraPause` seconds of silence tolerated on top of
    /// `acceptablePause` (what a slow host is allowed: `LocalHealth`); 0 before the first
    /// heartbeat.
    public func phi(at time: Double, extraPause: Double = 0) -> Double {
        guard let last = lastHeartbeat else { return 0 }
        let n = Double(max(1, intervals.count))
        let mean = intervals.isEmpty ? expectedInterval : sum / n
        let variance = intervals.isEmpty ? 0 : max(0, sumSquares / n - mean * mean)
        let std = max(variance.squareRoot(), minStdDev)
        let elapsed = time - last
        // Logistic approximation of the normal CDF's tail (as Akka does).
        let pause = acceptablePause + max(0, extraPause)
        let y = (elapsed - mean - pause) / std
        let e = exp(-y * (1.5976 + 0.070566 * y * y))
        if elapsed > mean + pause {
            return -log10(e / (1 + e))
        }
        return -log10(1 - 1 / (1 + e))
    }
}
#if canImport(Glibc)
import Glibc
#endif
