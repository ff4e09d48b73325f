@testable import Drills
import Engine
import Foundation
import Testing

/// Hypothesis, steady state and abort conditions: read from the file, judged on a run,
/// rendered in the reports; the Markdown report against its golden file.
@Suite("Steady state, abort, Markdown")
struct DrillGuardTests {
    func parse(_ text: String) throws(FileError) -> Drill { try DrillParser(file: "g.toml").parse(text) }

    static let base = "name = \"g\"\nduration = \"6s\"\n"

    @Test("hypothesis, [steady_state] and [abort] with every key")
    func keys() throws {
        let d = try parse(Self.base + """
            hypothesis = "A kill costs no transfer."

            [steady_state]
            for = "1s"
            min_throughput = 20000
            all_healthy = true
            max_verdict_age = "2s"

            [[step]]
            at = "2s"
            command = "kill 1"

            [abort]
            max_lost = 0
            max_verdict_age = "5s"
            max_recovery = "3s"
            on_quarantine = true
            """)
        #expect(d.hypothesis == "A kill costs no transfer.")
        let st = try #require(d.steadyState)
        #expect(st.duration == 1 && st.minThroughput == 20000 && st.allHealthy && st.maxVerdictAge == 2)
        let a = try #require(d.abort)
        #expect(a.maxLost == 0 && a.maxVerdictAge == 5 && a.maxRecovery == 3 && a.onQuarantine)
    }

    func run(_ text: String) throws -> DrillResult {
        let d = try parse(text)
        return DrillRunner(drill: d).run(on: try DrillTarget.simulated(d, seed: 3))
    }

    @Test("a steady state that cannot hold stops the drill with nothing injected, and says which check with the measured value")
    func notSteady() throws {
        let r = try run(Self.base + "[steady_state]\nfor = \"1s\"\nmin_throughput = 1000000000\n[[step]]\nat = \"2s\"\ncommand = \"kill 1\"\n")
        #expect(!r.passed)
        guard case let .notSteady(miss) = r.stoppedBy else { Issue.record("not stopped: \(r.stoppedBy)"); return }
        #expect(miss.check == "min_throughput" && miss.measured.hasSuffix("transfers/s read"))
        #expect(abs(miss.at - 2) < 0.15)
        #expect(r.receipts.isEmpty, "nothing was injected")
        #expect(r.verdicts.contains { $0.name == "steady_state" && !$0.passed && $0.measured.contains("min_throughput") })
        #expect(r.verdicts.contains { $0.name == "steps" && $0.measured == "stopped early: 0 of 1 carried out" })
        #expect(r.timeline.contains { $0.kind == "abort" && $0.text.contains("nothing injected") })
    }

    @Test("a steady state that holds lets the schedule run")
    func steady() throws {
        let r = try run(Self.base + "[steady_state]\nfor = \"1s\"\nmin_throughput = 10000\nall_healthy = true\n[[step]]\nat = \"2s\"\ncommand = \"kill 1\"\n")
        #expect(r.stoppedBy == .ok)
        #expect(r.verdicts.contains { $0.name == "steady_state" && $0.passed })
        #expect(r.receipts.count == 1 && r.passed)
    }

    @Test("an abort condition fires: heal all, the schedule stops, the report names the condition, when and the value")
    func abort() throws {
        let r = try run(Self.base + "[[step]]\nat = \"1s\"\ncommand = \"partition 1\"\n[[step]]\nat = \"4s\"\ncommand = \"kill 2\"\n[abort]\nmax_recovery = \"300ms\"\n")
        guard case let .abort(miss) = r.stoppedBy else { Issue.record("no abort: \(r.stoppedBy)"); return }
        #expect(miss.check == "max_recovery" && miss.at > 1 && miss.at < 4)
        #expect(!r.passed)
        #expect(r.verdicts.contains { $0.name == "abort" && !$0.passed && $0.measured.contains("healed, schedule stopped") })
        #expect(!r.receipts.contains { $0.fault == .kill(2) }, "the schedule stopped before the kill")
        #expect(r.receipts.first?.entries.contains { $0.step == .healedByOperator } == true, "healed")
        #expect(r.measurements.exact, "and still exactly once")
    }

    static var golden: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/kill-one.md") }

    @Test("the Markdown report of kill-one (simulated) matches its golden file, twice")
    func markdown() throws {
        let d = try #require(try BuiltInDrills.drill("kill-one"))
        let a = DrillReport.markdown(DrillRunner(drill: d).run(on: try DrillTarget.simulated(d, seed: d.job.seed)))
        let b = DrillReport.markdown(DrillRunner(drill: d).run(on: try DrillTarget.simulated(d, seed: d.job.seed)))
        #expect(a == b, "deterministic")
        if ProcessInfo.processInfo.environment["FIREDRILL_UPDATE_GOLDEN"] == "1" { try a.write(to: Self.golden, atomically: true, encoding: .utf8) }
        let golden = try String(contentsOf: Self.golden, encoding: .utf8)
        #expect(a == golden)
        #expect(a.contains("| ✓ | exactly_once |") && a.contains("## Fault receipts") && a.contains("| +"))
        #expect(DrillReport.cell("a|b\nc") == "a\\|b c")
    }
}
