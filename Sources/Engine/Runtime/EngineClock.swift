#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where the engine reads time. The threaded runtime uses the real clocks; the
/// simulated one a virtual clock it advances itself.
public protocol EngineClock: Sendable {
    /// Monotonic nanoseconds.
    func nanos() -> UInt64
    /// Milliseconds since the Unix epoch (for records a person reads).
    func wallMillis() -> Int64
}

/// The machine's clocks.
public struct SystemClock: EngineClock {
    public init() {}
    public func nanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
    /// The monotonic clock in seconds, for timing a person reads (benchmarks, recordings,
    /// the screen's pace); the engine itself reads `nanos()` through an `EngineClock`.
    public static func monotonicSeconds() -> Double { Double(SystemClock().nanos()) / 1e9 }
    public func wallMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// A clock that moves only when told to.
public final class VirtualClock: EngineClock {
    let now = Atomic<UInt64>(0)
    public init() {}
    public func nanos() -> UInt64 { now.load(ordering: .relaxed) }
    public func wallMillis() -> Int64 { 1_700_000_000_000 + Int64(nanos() / 1_000_000) }
    public func advance(by nanos: UInt64) { now.add(nanos, ordering: .relaxed) }
}
