@testable import Dashboard
@testable import Engine
import Testing

@Suite("Keys on an attached Flink cluster: faults ask first with the blast radius; engine-only keys say so")
struct FlinkKeysTests {
    static func context() -> DashboardState.Context {
        var c = DashboardState.Context(nodes: 2, shards: 0, latestCheckpoint: 12)
        var a = AttachedCluster(kind: "flink", url: "https://flink.example:8081")
        a.jobName = "firedrill-payments"
        a.jobId = "13327774314c7d82a6561a7ed9b3cb4b"
        a.reachable = true
        a.taskManagerFacts = [
            .init(id: "tm-0", host: "10.0.0.7", jobs: ["firedrill-payments (13327774)", "clicks (9f00aa11)"], age: 0),
            .init(id: "tm-1", host: nil, jobs: [], age: 12),
        ]
        c.attached = a
        c.names = ["tm-0", "tm-1"]
        return c
    }

    @Test("K asks first, naming the TaskManager, its host and every job it runs; only y kills")
    func killAsks() {
        var s = DashboardState()
        #expect(s.handle(.character("K"), context: Self.context(), now: 1).isEmpty)
        guard case let .confirm(command, prompt) = s.overlay else { Issue.record("K must ask first"); return }
        #expect(command == .kill(0))
        #expect(prompt.contains("tm-0") && prompt.contains("10.0.0.7"))
        #expect(prompt.contains("2 jobs: firedrill-payments (13327774), clicks (9f00aa11)"))
        #expect(s.handle(.character("n"), context: Self.context(), now: 2).isEmpty)
        #expect(s.overlay == .none)
        _ = s.handle(.character("K"), context: Self.context(), now: 3)
        #expect(s.handle(.character("y"), context: Self.context(), now: 4) == [.command(.kill(0))])
    }

    @Test("P and D ask too; a TaskManager with no job says so with the lookup's age")
    func hangAndRot() {
        var s = DashboardState()
        s.selectedNode = 1
        _ = s.handle(.character("P"), context: Self.context(), now: 1)
        guard case let .confirm(command, prompt) = s.overlay else { Issue.record("P must ask first"); return }
        #expect(command == .hang(1))
        #expect(prompt.contains("tm-1") && prompt.contains("host unknown") && prompt.contains("no job's subtasks (looked up 12 s ago)"))
        var d = DashboardState()
        _ = d.handle(.character("D"), context: Self.context(), now: 1)
        guard case let .confirm(rot, text) = d.overlay else { Issue.record("D must ask first"); return }
        #expect(rot == .corruptCheckpoint(.latest, file: nil))
        #expect(text.contains("firedrill-payments") && !text.contains("disk"))
    }

    @Test("engine-only keys (slow, bit flip, partition, wipe, recover) do nothing on Flink and say why")
    func engineKeys() {
        for k: Character in ["S", "B", "N", "W", "r"] {
            var s = DashboardState()
            #expect(s.handle(.character(k), context: Self.context(), now: 1).isEmpty)
            #expect(s.overlay == .none)
            #expect(s.message?.isError == true && s.message?.text.contains("does not apply to a Flink cluster") == true)
        }
    }

    @Test("a typed kill asks too; read-only refuses before asking")
    func commandLine() {
        var s = DashboardState()
        s.overlay = .commandLine("kill tm-1")
        _ = s.handle(.enter, context: Self.context(), now: 1)
        guard case let .confirm(command, _) = s.overlay else { Issue.record("a typed kill must ask first"); return }
        #expect(command == .kill(1))
        var r = DashboardState()
        r.readOnly = true
        #expect(r.handle(.character("K"), context: Self.context(), now: 1).isEmpty)
        #expect(r.overlay == .none && r.message?.text.contains("read-only") == true)
    }

    @Test("the help lists only the keys that act on Flink")
    func help() {
        var s = AttachedRenderTests.snapshot()
        s.attached?.reachable = true
        var state = DashboardState()
        state.overlay = .help
        let c = Fixtures.render(s, state: state)
        let screen = (0..<c.height).map { c.row($0) }.joined(separator: "\n")
        #expect(screen.contains("select a TaskManager"))
        #expect(!screen.contains("partition it from the network") && !screen.contains("wipe its disk"))
    }
}
