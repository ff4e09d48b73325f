/// The one percentile the project reports: nearest rank (the smallest value with at least
/// `q` of the observations at or below it), over exact samples or a `LatencyHistogram`.
public enum Percentile {
    /// The 1-based rank of quantile `q` (clamped to 0...1) among `count` observations (at least 1).
    public static func rank(_ q: Double, count: Int) -> Int {
        max(1, Int((Double(count) * min(max(q, 0), 1)).rounded(.up)))
    }

    /// The value at quantile `q` of `samples` (in any order); 0 when there are none.
    public static func of(_ samples: [Double], _ q: Double) -> Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count, rank(q, count: sorted.count)) - 1]
    }
}
