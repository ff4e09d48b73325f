/// Short, fixed-width forms of the figures the panels show.
public enum Format {
    /// `950`, `12.3k`, `4.56M`, `1.2G`.
    public static func count(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        let a = abs(v)
        if a < 1000 { return String(Int(v.rounded())) }
        if a < 1e6 { return trim(v / 1e3) + "k" }
        if a < 1e9 { return trim(v / 1e6) + "M" }
        return trim(v / 1e9) + "G"
    }

    /// A round axis value as short as it goes: `0`, `500k`, `2.5M`, `50M`, `1G`.
    public static func axis(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        let a = abs(v)
        let (scaled, unit): (Double, String) = a < 1000 ? (v, "") : a < 1e6 ? (v / 1e3, "k") : a < 1e9 ? (v / 1e6, "M") : (v / 1e9, "G")
        var text = fixed(scaled, 2)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + unit
    }

    /// Three significant digits.
    static func trim(_ v: Double) -> String {
        let a = abs(v)
        if a >= 100 { return String(Int(v.rounded())) }
        if a >= 10 { return fixed(v, 1) }
        return fixed(v, 2)
    }

    /// `v` with `digits` decimals.
    public static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (v * scale).rounded()
        let neg = r < 0
        let i = Int(abs(r))
        let whole = i / Int(scale), frac = i % Int(scale)
        var f = String(frac)
        while f.count < digits { f = "0" + f }
        return (neg ? "-" : "") + String(whole) + (digits > 0 ? "." + f : "")
    }

    /// `512B`, `1.2KB`, `3.4MB`, `1.1GB`.
    public static func bytes(_ b: Int) -> String {
        let v = Double(b)
        if v < 1024 { return "\(b)B" }
        if v < 1024 * 1024 { return trim(v / 1024) + "KB" }
        if v < 1024 * 1024 * 1024 { return trim(v / 1024 / 1024) + "MB" }
        return trim(v / 1024 / 1024 / 1024) + "GB"
    }

    /// `850µs`, `12ms`, `1.25s`, `3m05s`.
    public static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "∞" }
        if s < 0.001 { return "\(Int((s * 1e6).rounded()))µs" }
        if s < 1 { return "\(Int((s * 1000).rounded()))ms" }
        if s < 60 { return fixed(s, s < 10 ? 2 : 1) + "s" }
        let t = Int(s)
        if t < 3600 { return "\(t / 60)m\(t % 60 < 10 ? "0" : "")\(t % 60)s" }
        return "\(t / 3600)h\((t / 60) % 60 < 10 ? "0" : "")\((t / 60) % 60)m"
    }

    /// An age with a tenth of a second: `0.7s`, `12.4s`, `3m05s`.
    public static func seconds(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "–" }
        if s < 60 { return fixed(s, 1) + "s" }
        return duration(s)
    }

    /// A time since the start with a tenth of a second: `4.9s`, `12m05.3s`.
    public static func clock(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "–" }
        if s < 60 { return fixed(s, 1) + "s" }
        let t = Int(s)
        let tenths = Int((s - Double(t)) * 10)
        return "\(t / 60)m\(t % 60 < 10 ? "0" : "")\(t % 60).\(tenths)s"
    }

    /// Nanoseconds as a duration.
    public static func nanos(_ n: UInt64) -> String { duration(Double(n) / 1e9) }

    /// `10,000,000`.
    public static func grouped(_ v: Int64) -> String {
        let digits = String(abs(v))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (v < 0 ? "-" : "") + out
    }
}
