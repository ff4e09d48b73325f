@testable import Dashboard
@testable import Engine
import Testing

@Suite("An attached Flink cluster on the dashboard")
struct AttachedRenderTests {
    static func snapshot(reachable: Bool = true, audited: Bool = true, lost: Bool = false) -> ClusterSnapshot {
        var s = Fixtures.snapshot()
        var a = AttachedCluster(kind: "flink", url: "http://127.0.0.1:8081")
        a.version = "2.3.0"
        a.jobId = "13327774314c7d82a6561a7ed9b3cb4b"
        a.jobName = "firedrill-payments"
        a.jobState = "RUNNING"
        a.jobUptime = 125
        a.restarts = 2
        a.reachable = reachable
        a.problem = reachable ? nil : "no answer"
        a.audited = audited
        a.requestsPerSecond = 14.6
        s.attached = a
        s.nodes = (0..<2).map { i in
            var n = ClusterSnapshot.Node(id: i, name: "tm-\(i)")
            n.slots = 2
            n.subtasks = 3
            n.cpuLoad = 0.07
            n.heapUsed = 50_000_000
            n.heapMax = 150_000_000
            n.heartbeatAge = 0.3
            if lost && i == 1 { n.state = .stopped; n.health = .down }
            return n
        }
        s.restoredFrom = 30
        return s
    }

    @Test("TaskManager columns replace the engine's; phi, queue, standby and disk shards are not shown")
    func columns() {
        let c = Fixtures.render(Self.snapshot(lost: true))
        let screen = (0..<c.height).map { c.row($0) }
        let header = screen.first { $0.contains("taskmanager") } ?? ""
        #expect(header.contains("slots") && header.contains("subtasks") && header.contains("heap"))
        #expect(!header.contains("phi") && !header.contains("standby") && !header.contains("disk shards") && !header.contains("queue"))
        #expect(screen.contains { $0.contains("tm-0") && $0.contains("healthy") && $0.contains("7%") })
        #expect(screen.contains { $0.contains("tm-1") && $0.contains("lost") })
        // Latency is not measured for Flink: it is not shown as zero.
        #expect(!screen.contains { $0.contains("p50") })
        let cpHeader = screen.first { $0.contains("status") && $0.contains("took") } ?? ""
        #expect(!cpHeader.contains("shards") && !cpHeader.contains("align"))
    }

    @Test("the header names the Flink job, its restarts and restore, and the auditor's verdict")
    func header() {
        let c = Fixtures.render(Self.snapshot())
        #expect(c.row(0).contains("firedrill-payments · Flink 2.3.0 · 2 TaskManagers · 2 restarts · restored 30"))
        #expect(c.row(0).contains("up 2m05s"))
        #expect(c.row(1).contains("EXACT") && c.row(1).contains("wrong 0") && c.row(1).contains("missing 0"))
        let unknown = Fixtures.render(Self.snapshot(audited: false))
        #expect(unknown.row(1).contains("NOT JUDGED"))
        #expect(!unknown.row(1).contains("EXACT"))
    }

    @Test("RUNNING with no subtask running is said as such, and its rates are unknown (—), not the last ones")
    func starved() {
        var s = Self.snapshot()
        s.attached?.jobStatus = "RUNNING · 0 of 6 subtasks running: no free slots"
        s.attached?.working = false
        s.attached?.readRate = nil
        s.producedPerSecond = 1950
        let c = Fixtures.render(s, width: 160)
        #expect(c.row(0).contains("RUNNING · 0 of 6 subtasks running: no free slots"))
        #expect(!c.row(0).contains("● RUNNING"))
        let legend = (0..<c.height).map { c.row($0) }.first { $0.contains("━ read") } ?? ""
        #expect(legend.contains("━ read —"))
        #expect(!legend.contains("1.95k"))
        var working = Self.snapshot()
        working.attached?.working = true
        working.attached?.readRate = 2008
        let w = Fixtures.render(working, width: 160)
        #expect((0..<w.height).map { w.row($0) }.contains { $0.contains("━ read 2.01k/s") })
    }

    @Test("no answer: the TaskManagers' states and measures are unknown, greyed, not the last seen")
    func unknownWhenSilent() {
        var s = Self.snapshot(reachable: false)
        s.nodes = s.nodes.map { var n = $0; n.slots = nil; n.subtasks = nil; n.cpuLoad = nil; return n }
        let c = Fixtures.render(s)
        let screen = (0..<c.height).map { c.row($0) }
        #expect(screen.contains { $0.contains("tm-0") && $0.contains("? unknown") })
        #expect(!screen.contains { $0.contains("tm-0") && $0.contains("healthy") })
        #expect(screen.contains { $0.contains("unknown: no answer") })
        #expect(c.row(0).contains("up ?"))
    }

    @Test("an unreachable cluster says so and keeps trying")
    func unreachable() {
        let c = Fixtures.render(Self.snapshot(reachable: false))
        #expect(c.row(0).contains("UNREACHABLE"))
        #expect(c.row(0).contains("retrying"))
    }
}
