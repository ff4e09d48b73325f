import Foundation
@testable import Flink
import Testing

func fixture(_ version: String, _ name: String) throws -> Data {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(version)/\(name)")
    return try Data(contentsOf: url)
}

@Suite("Flink's REST answers decode (recorded from Flink 2.3, and 1.20's field names)")
struct FlinkModelTests {
    let decoder = JSONDecoder()

    @Test("2.3: overview, jobs, job, vertex, TaskManagers, checkpoints, exceptions")
    func flink23() throws {
        let o = try decoder.decode(FlinkModel.Overview.self, from: fixture("flink-2.3", "overview.json"))
        #expect(o.flinkVersion == "2.3.0")
        let jobs = try decoder.decode(FlinkModel.JobsOverview.self, from: fixture("flink-2.3", "jobs-overview.json"))
        #expect(jobs.jobs.contains { $0.name == "firedrill-payments" })
        let job = try decoder.decode(FlinkModel.Job.self, from: fixture("flink-2.3", "job.json"))
        #expect(job.state == "RUNNING")
        #expect(job.vertices.count == 4)
        #expect(job.vertices.first?.name.hasPrefix("Source: ticks") == true)
        #expect((job.timestamps["RESTARTING"] ?? 0) > 0)
        // Subtasks, not vertices: status-counts counts vertices (4), the vertices' tasks 6.
        #expect(job.tasksRunning == (6, 6))
        let v = try decoder.decode(FlinkModel.VertexDetail.self, from: fixture("flink-2.3", "vertex.json"))
        #expect(v.subtasks.count == 2)
        #expect(v.subtasks[0].endpoint == "localhost:46399")
        #expect(v.subtasks[0].taskManagerId == "tm-1")
        let tms = try decoder.decode(FlinkModel.TaskManagers.self, from: fixture("flink-2.3", "taskmanagers.json"))
        #expect(tms.taskmanagers.map(\.id).contains("tm-1"))
        // An epoch time in milliseconds, whatever the name says.
        #expect(tms.taskmanagers[0].timeSinceLastHeartbeat > 1_700_000_000_000)
        let c = try decoder.decode(FlinkModel.Checkpoints.self, from: fixture("flink-2.3", "checkpoints.json"))
        #expect(c.counts.completed > 0)
        #expect(c.latest?.restored?.id == 30)
        #expect(c.latest?.failed?.failureMessage == "Trigger checkpoint failure.")
        #expect(c.history.first?.externalPath?.contains("chk-") == true)
        let e = try decoder.decode(FlinkModel.Exceptions.self, from: fixture("flink-2.3", "exceptions.json"))
        let first = try #require(e.exceptionHistory.entries.first)
        #expect(first.taskManagerId == "tm-0")
        #expect(first.endpoint == "localhost:35063")
        #expect(first.message.hasSuffix("TaskManager with id tm-0 is no longer reachable."))
    }

    @Test("1.20's names: a subtask's host, an exception's location, fullRestarts")
    func flink120() throws {
        let v = try decoder.decode(FlinkModel.VertexDetail.self, from: fixture("flink-1.20", "vertex.json"))
        #expect(v.subtasks.map(\.endpoint) == ["localhost:46399", "localhost:41211"])
        let e = try decoder.decode(FlinkModel.Exceptions.self, from: fixture("flink-1.20", "exceptions.json"))
        #expect(e.exceptionHistory.entries[0].endpoint == "localhost:35063")
        let m = try decoder.decode([FlinkModel.Metric].self, from: fixture("flink-1.20", "job-metrics.json"))
        #expect(m.number("numRestarts") ?? m.number("fullRestarts") == 3)
    }

    @Test("a bad answer is an error naming the URL, what was expected and where it broke")
    func malformed() throws {
        let client = try FlinkClient(url: "http://127.0.0.1:1/")
        #expect(client.base == "http://127.0.0.1:1")
        #expect(throws: FlinkError.self) {
            let _: FlinkModel.Overview = try client.decode(Data("<html>nginx</html>".utf8), path: "/overview", expected: "Flink's cluster overview")
        }
        do {
            let _: FlinkModel.Checkpoints = try client.decode(Data(#"{"counts": {"restored": 0}}"#.utf8), path: "/jobs/x/checkpoints", expected: "a job's checkpoint statistics")
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("http://127.0.0.1:1/jobs/x/checkpoints"))
            #expect(error.description.contains("a job's checkpoint statistics"))
            #expect(error.description.contains("total"))
        }
        #expect(throws: FlinkError.self) { _ = try FlinkClient(url: "127.0.0.1:8081") }
        #expect(throws: FlinkError.self) { _ = try FlinkClient(url: "ftp://x") }
    }

    @Test("an unreachable cluster says so with its URL, within the timeout")
    func unreachable() throws {
        let client = try FlinkClient(url: "http://127.0.0.1:9", timeout: 1)
        let start = Date()
        do { _ = try client.overview(); Issue.record("answered") } catch {
            guard case .unreachable = error else { Issue.record("\(error)"); return }
            #expect(error.description.contains("http://127.0.0.1:9/overview"))
        }
        #expect(Date().timeIntervalSince(start) < 3)
    }
}
