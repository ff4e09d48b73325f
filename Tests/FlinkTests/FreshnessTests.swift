import Engine
import Foundation
@testable import Flink
import Testing

@Suite("Figures never stale: windowed rates, RUNNING that does not run, an unreachable cluster")
struct FreshnessTests {
    /// A legacy datagen source: each second's rows in one burst at the second's start; REST
    /// refreshes the counter once a second (at a phase of its own); polled every `poll` s.
    static func looks(rate: Double, poll: ClosedRange<Double>, seconds: Double, restPhase: Double = 0.37) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        var t = 0.0
        var g = SystemRandomNumberGenerator()
        while t <= seconds {
            let fetched = (t - restPhase).rounded(.down) + restPhase  // REST's last refresh
            let count = fetched < 0 ? 0 : (fetched.rounded(.down) + 1) * rate
            out.append((t, count))
            t += Double.random(in: poll, using: &g)
        }
        return out
    }

    @Test("a bursty source polled every 0.25 s or every 1-1.3 s reads within ±10% of its true rate after the first window, unknown before",
          arguments: [0.25...0.25, 1.0...1.3])
    func aliasing(poll: ClosedRange<Double>) {
        var w = RateWindow()
        var seen: [Double] = []
        let looks = Self.looks(rate: 2008, poll: poll, seconds: 80)
        for (t, c) in looks {
            w.add(time: t, count: c)
            if t < 4.9 { #expect(w.rate == nil, "a rate after \(t) s is not over a 5 s window") }
            if t >= 20, let r = w.rate { seen.append(r) }
        }
        #expect(seen.count == looks.filter { $0.0 >= 20 }.count)
        #expect(seen.allSatisfy { abs($0 - 2008) / 2008 <= 0.10 }, "min \(seen.min() ?? 0), max \(seen.max() ?? 0)")
        // Two neighbouring looks would have said 0 or 4,000+: the window does not.
        #expect(seen.min() ?? 0 > 1800)
    }

    @Test("a reset (restore, no answer) makes the rate unknown; a counter that fell starts a new window; a still counter reads 0")
    func resets() {
        var w = RateWindow()
        for t in stride(from: 0.0, through: 8, by: 1) { w.add(time: t, count: t * 100) }
        #expect(abs((w.rate ?? 0) - 100) < 1)
        w.reset()
        #expect(w.rate == nil)
        w.add(time: 9, count: 900)
        #expect(w.rate == nil)
        var r = RateWindow()
        for t in stride(from: 0.0, through: 8, by: 1) { r.add(time: t, count: 1000 + t * 100) }
        r.add(time: 8.5, count: 1700)  // a partial sum (one subtask's metrics missing): ignored
        #expect(abs((r.rate ?? 0) - 100) < 1)
        r.add(time: 9, count: 50)  // a restart reset Flink's counter
        #expect(r.rate == nil)
        var still = RateWindow()
        for t in stride(from: 0.0, through: 30, by: 1) { still.add(time: t, count: t < 6 ? t * 10 : 50) }
        #expect(still.rate == 0)
    }

    static func job(state: String = "RUNNING", tasks: (Int) -> [String: Int]) throws -> FlinkModel.Job {
        var d = try #require(JSONSerialization.jsonObject(with: fixture("flink-2.3", "job.json")) as? [String: Any])
        d["state"] = state
        var vs = try #require(d["vertices"] as? [[String: Any]])
        for i in vs.indices { vs[i]["tasks"] = tasks(try #require(vs[i]["parallelism"] as? Int)) }
        d["vertices"] = vs
        return try JSONDecoder().decode(FlinkModel.Job.self, from: JSONSerialization.data(withJSONObject: d))
    }

    static func taskManagers(free: Int) throws -> [FlinkModel.TaskManagers.TaskManager] {
        var d = try #require(JSONSerialization.jsonObject(with: fixture("flink-2.3", "taskmanagers.json")) as? [String: Any])
        var tms = try #require(d["taskmanagers"] as? [[String: Any]])
        for i in tms.indices { tms[i]["freeSlots"] = free }
        d["taskmanagers"] = tms
        return try JSONDecoder().decode(FlinkModel.TaskManagers.self, from: JSONSerialization.data(withJSONObject: d)).taskmanagers
    }

    @Test("RUNNING with every subtask CREATED and no free slot is starved, said as such; FAILED is not running")
    func liveness() throws {
        let all = JobLiveness(job: try Self.job { ["RUNNING": $0] }, taskManagers: try Self.taskManagers(free: 0))
        #expect(all == .running(subtasks: 6))
        #expect(all.isWorking)
        let starved = JobLiveness(job: try Self.job { ["CREATED": $0, "RUNNING": 0] }, taskManagers: try Self.taskManagers(free: 0))
        #expect(starved.text == "RUNNING · 0 of 6 subtasks running: no free slots")
        #expect(!starved.isWorking)
        let deploying = JobLiveness(job: try Self.job { ["DEPLOYING": 1, "RUNNING": $0 - 1] }, taskManagers: try Self.taskManagers(free: 2))
        #expect(deploying.text == "RUNNING · 2 of 6 subtasks running: 4 DEPLOYING")
        let none = JobLiveness(job: try Self.job { ["CREATED": $0] }, taskManagers: [])
        #expect(none.text.hasSuffix("no TaskManager registered"))
        let failed = JobLiveness(job: try Self.job(state: "FAILED") { ["CANCELED": $0] }, taskManagers: try Self.taskManagers(free: 2))
        #expect(failed == .notRunning(state: "FAILED"))
        #expect(!failed.isWorking)
    }

    @Test("with no answer every figure turns unknown: no job state, no rates, no TaskManager measures, nothing present")
    func unreachable() throws {
        let client = try FlinkClient(url: "http://127.0.0.1:1", timeout: 0.5)
        let o = FlinkObserver(client: client, job: "13327774314c7d82a6561a7ed9b3cb4b", lab: nil, output: nil)
        o.state.withLock { s in
            s.attached?.reachable = true
            s.attached?.jobState = "RUNNING"
            s.attached?.jobStatus = "RUNNING"
            s.attached?.working = true
            s.attached?.readRate = 2010
            s.attached?.restarts = 3
            s.attached?.tasksRunning = 6
            s.producedPerSecond = 2010
            var n = ClusterSnapshot.Node(id: 0, name: "tm-0")
            n.slots = 2
            n.subtasks = 3
            n.cpuLoad = 0.1
            s.nodes = [n]
        }
        o.poll()
        let s = o.snapshot()
        let a = try #require(s.attached)
        #expect(!a.reachable)
        #expect(a.jobState == nil && a.jobStatus == nil && a.working == nil && a.restarts == nil && a.tasksRunning == nil)
        #expect(a.readRate == nil && s.producedPerSecond == 0)
        #expect(s.nodes.allSatisfy { $0.slots == nil && $0.subtasks == nil && $0.cpuLoad == nil })
        let summary = FlinkSummary(s)
        #expect(summary.state == nil && summary.readPerSecond == nil)
        #expect(summary.taskmanagers.allSatisfy { $0.present == nil })
        #expect(summary.text.contains("unknown (no answer)"))
    }
}
