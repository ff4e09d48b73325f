/// Durations as people type them: `250ms`, `1s`, `1.5s`, `2m`, `1h`.
public enum DurationText {
    /// The longest duration accepted: about 31 years. Longer is a typo, and would not fit
    /// the nanosecond clocks (found by fuzzing: a 95-digit step time trapped).
    public static let maxSeconds = 1e9

    /// Seconds, or nil when the text is not a duration (or longer than `maxSeconds`).
    public static func parse(_ text: String) -> Double? {
        let t = text.trimmingPrefix(while: { $0 == " " })
        let units: [(String, Double)] = [("ms", 0.001), ("us", 0.000_001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count)), v.isFinite, v >= 0, v * scale <= maxSeconds else { return nil }
            return v * scale
        }
        return nil
    }

    /// A short human form: `850ms`, `1.2s`, `3m05s`.
    public static func format(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return seconds.isNaN ? "?" : seconds < 0 ? "-" + format(-seconds) : "∞" }
        if seconds > maxSeconds { return "over 31 years" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return "\((seconds * 10).rounded() / 10)s" }
        let s = Int(seconds)
        return "\(s / 60)m\(s % 60 < 10 ? "0" : "")\(s % 60)s"
    }
}

extension Substring {
    func trimmingPrefix(while p: (Character) -> Bool) -> Substring { self[(firstIndex { !p($0) } ?? endIndex)...] }
}

extension String {
    func trimmingPrefix(while p: (Character) -> Bool) -> Substring { self[...].trimmingPrefix(while: p) }
}
