/// Fixed-point formatting for event texts.
enum BenchFormat {
    static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "inf" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (v * scale).rounded() / scale
        return String(r)
    }
}
