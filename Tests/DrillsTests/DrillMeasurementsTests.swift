@testable import Drills
@testable import Engine
import Testing

/// The throughput figures a drill judges: each window lies inside the interval it names.
@Suite("Drill measurements")
struct DrillMeasurementsTests {
    /// 1,000 transfers per 100 ms, except `dip` (time → transfers in the 100 ms before it).
    static func samples(dip: [Double: Int64] = [:]) -> [(time: Double, produced: Int64)] {
        var out: [(time: Double, produced: Int64)] = [(0, 0)]
        var total: Int64 = 0
        for i in 1...60 {
            let t = Double(i) / 10
            total += dip.first(where: { abs($0.key - t) < 1e-6 })?.value ?? 1_000
            out.append((t, total))
        }
        return out
    }

    @Test("the second after a recovery does not count the recovery itself")
    func afterWindowStartsAtTheRecovery() throws {
        // The restore ends at 3.17 s; the 100 ms before the 3.2 s sample held the rollback.
        let s = Self.samples(dip: [3.2: 100])
        let after = try #require(DrillMeasurements.rate(s, from: 3.17, to: 4.17))
        #expect(abs(after - 10_000) < 1e-6)
        // A dip inside the window does count.
        let dipped = try #require(DrillMeasurements.rate(Self.samples(dip: [3.6: 0]), from: 3.17, to: 4.17))
        #expect(dipped < 9_000)
    }

    @Test("the window before the first fault ends at the fault")
    func beforeWindow() throws {
        let s = Self.samples(dip: [3.1: 0])
        let before = try #require(DrillMeasurements.rate(s, from: 1, to: 3))
        #expect(abs(before - 10_000) < 1e-6)
    }

    @Test("too short a window is not measurable")
    func tooShort() {
        #expect(DrillMeasurements.rate(Self.samples(), from: 5.85, to: 6.5) == nil)
        #expect(DrillMeasurements.rate([], from: 0, to: 1) == nil)
    }

    @Test("a Flink drill's `kill tm busiest` (no engine node) is measured, not trapped on")
    func busiestIsNoNode() {
        // A recovery that restored two nodes, after `kill tm busiest` at 5 s (Command.busiest is -1).
        let r = ClusterSnapshot.Recovery(reason: "taskmanager lost", detect: 0.4, restore: 0.2, replay: nil, checkpoint: 3,
                                         sources: [], at: 5.5, restoredFrom: [.shards, .local])
        let m = DrillMeasurements.measure(verdict: .initial(expectedMoney: 100), events: [], recoveries: [r],
                                          steps: [(5, .kill(Command.busiest)), (5.2, .kill(0))], samples: Self.samples(), stepErrors: [])
        #expect(m.faultRestores == [DrillMeasurements.FaultRestore(node: 0, from: .shards)])
        #expect(m.detections == [0.4])
    }
}
