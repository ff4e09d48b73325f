@testable import Dashboard
@testable import Engine
import Testing

/// The quit summary agrees with the screen: counts in the screen's words, and recoveries' restores named.
@Suite("Quit summary")
struct QuitSummaryTests {
    @Test("a count reads as on screen, with the exact figure beside it")
    func counts() {
        #expect(QuitSummary.count(536_231_936) == "536M (536231936)")
        #expect(QuitSummary.count(42) == "42")
    }

    @Test("after recoveries the summary names where they restored from, never 'none'")
    func restores() {
        var s = Fixtures.snapshot()
        s.restoredFrom = nil
        #expect(QuitSummary.restoreLine(s).hasSuffix("at start: started fresh; no recovery"))
        let standby: [RestoreSource?] = [.standby(peer: 1), .local]
        let shards: [RestoreSource?] = [.shards, .local]
        var recoveries: [ClusterSnapshot.Recovery] = []
        for i in 0..<6 {
            let checkpoint = UInt64(50 + i)
            recoveries.append(ClusterSnapshot.Recovery(reason: "node down", detect: 0.19, restore: 0.14, replay: 1.9, checkpoint: checkpoint,
                                                       sources: [], at: Double(10 * i), restoredFrom: i == 5 ? shards : standby))
        }
        s.recoveries = recoveries
        let line = QuitSummary.restoreLine(s)
        #expect(!line.contains("none"), "\(line)")
        #expect(line.contains("6 recoveries, the last restored from checkpoint 55"), "\(line)")
        #expect(line.contains("5 from standby copies, 1 from shards, 6 from local copies"), "\(line)")
        s.restoredFrom = 12
        #expect(QuitSummary.restoreLine(s).contains("at start: restored from checkpoint 12"))
    }
}
