@testable import Engine
import Testing

@Suite("LatencyHistogram")
struct LatencyHistogramTests {
    @Test("quantiles land within 2% of the recorded values")
    func quantiles() {
        var h = LatencyHistogram()
        for v in 1...10_000 { h.record(UInt64(v) * 1000) }
        let p50 = Double(h.quantile(0.5)), p99 = Double(h.quantile(0.99))
        #expect(abs(p50 - 5_000_000) / 5_000_000 < 0.02, "p50 \(p50)")
        #expect(abs(p99 - 9_900_000) / 9_900_000 < 0.02, "p99 \(p99)")
        #expect(LatencyHistogram().quantile(0.5) == 0)
    }

    @Test("merging adds counts")
    func merge() {
        var a = LatencyHistogram(), b = LatencyHistogram()
        a.record(100)
        b.record(1_000_000)
        a.merge(b)
        #expect(a.total == 2)
        #expect(a.quantile(1.0) >= 1_000_000)
    }
}
