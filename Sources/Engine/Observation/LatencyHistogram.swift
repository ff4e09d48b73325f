/// A log-linear histogram of durations in nanoseconds (HdrHistogram's layout with two
/// significant digits: 64 linear sub-buckets per power of two), cheap to record into and to merge.
public struct LatencyHistogram: Sendable, Equatable {
    static let subBits = 6
    static let sub = 1 << subBits
    var counts = [UInt64](repeating: 0, count: 64 * (1 << 6))
    public private(set) var total: UInt64 = 0

    public init() {}

    @inline(__always) static func index(_ v: UInt64) -> Int {
        if v < UInt64(sub) { return Int(v) }
        let msb = 63 - v.leadingZeroBitCount
        let shift = msb - subBits
        return (shift + 1) * sub + Int((v >> UInt64(shift)) & UInt64(sub - 1))
    }

    static func lowerBound(_ i: Int) -> UInt64 {
        if i < sub { return UInt64(i) }
        let shift = i / sub - 1
        return (UInt64(sub) | UInt64(i % sub)) << UInt64(shift)
    }

    /// Adds one observation.
    @inline(__always) public mutating func record(_ nanos: UInt64) {
        counts[min(Self.index(nanos), counts.count - 1)] += 1
        total += 1
    }

    /// Adds every observation of `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        for i in 0..<counts.count where other.counts[i] != 0 { counts[i] += other.counts[i] }
        total += other.total
    }

    /// The value at quantile `q` (0...1, `Percentile`'s nearest rank), in nanoseconds, to the
    /// bucket's upper edge; 0 when empty.
    public func quantile(_ q: Double) -> UInt64 {
        guard total > 0 else { return 0 }
        let rank = UInt64(Percentile.rank(q, count: Int(clamping: total)))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() where c != 0 {
            seen += c
            if seen >= rank { return Self.lowerBound(i + 1) &- 1 }
        }
        return Self.lowerBound(counts.count)
    }
}
