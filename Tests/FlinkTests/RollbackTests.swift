import Foundation
@testable import Flink
import Testing

@Suite("flink rollback: which checkpoint, the job's id in a submit command's output, the output rewound")
struct RollbackTests {
    @Test("--to chk-N or N, --newest-intact, not both; a bad one names --to")
    func target() throws {
        #expect(try FlinkRollback.Target(to: "chk-12", newestIntact: false) == .checkpoint(12))
        #expect(try FlinkRollback.Target(to: "12", newestIntact: false) == .checkpoint(12))
        #expect(try FlinkRollback.Target(to: nil, newestIntact: true) == .newestIntact)
        #expect(try FlinkRollback.Target(to: nil, newestIntact: false) == .newestIntact)
        #expect(throws: FlinkError.self) { _ = try FlinkRollback.Target(to: "chk-x", newestIntact: false) }
        #expect(throws: FlinkError.self) { _ = try FlinkRollback.Target(to: "chk-3", newestIntact: true) }
    }

    @Test("the job id a submit command prints")
    func jobId() {
        #expect(FlinkRollback.jobId(in: "Job has been submitted with JobID 13327774314c7d82a6561a7ed9b3cb4b\n") == "13327774314c7d82a6561a7ed9b3cb4b")
        #expect(FlinkRollback.jobId(in: "submitted") == nil)
    }

    @Test("a named checkpoint must be retained; with no guard data, none is verified intact")
    func choose() throws {
        let root = NSTemporaryDirectory() + "/firedrill-rollback-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        for n in [7, 8] {
            try FileManager.default.createDirectory(atPath: "\(root)/job1/chk-\(n)", withIntermediateDirectories: true)
            try Data("m".utf8).write(to: URL(fileURLWithPath: "\(root)/job1/chk-\(n)/_metadata"))
        }
        let r = FlinkRollback(client: try FlinkClient(url: "http://127.0.0.1:1"), job: "job1", checkpointRoot: root)
        #expect(try r.choose(.checkpoint(7)).id == 7)
        do { _ = try r.choose(.checkpoint(3)); Issue.record("chk-3 is not retained") } catch { #expect(error.description.contains("chk-7, chk-8")) }
        do { _ = try r.choose(.newestIntact); Issue.record("nothing is guarded") } catch { #expect(error.description.contains("not guarded")) }
    }

    @Test("the old job's rows at or past the restored job's first id are moved aside; the new job's and earlier rows stay")
    func rewind() throws {
        let out = NSTemporaryDirectory() + "/firedrill-rewind-\(UUID().uuidString)/output"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: (out as NSString).deletingLastPathComponent) }
        func write(_ name: String, _ ids: ClosedRange<Int>) throws {
            try Data(ids.map { "\($0),1,-5,10" }.joined(separator: "\n").appending("\n").utf8).write(to: URL(fileURLWithPath: out + "/" + name))
        }
        try write("part-old-0-0", 0...9)
        try write("part-old-0-1", 10...19)  // committed after the checkpoint: 15… again below
        try write("part-old-1-0", 20...24)
        let oldPrefixes = Set(OutputRewind(output: out).files().map(OutputRewind.prefix))
        #expect(oldPrefixes == ["part-old"])
        let since = Date().timeIntervalSince1970 + 1
        try write("part-new-0-0", 15...30)
        let r = try OutputRewind(output: out).run(oldPrefixes: oldPrefixes, since: since)
        #expect(r.firstNewId == 15 && r.rowsMoved == 10 && r.filesChanged == 2)
        var all: [Int] = []
        for f in OutputRewind(output: out).files() {
            all += try String(contentsOfFile: out + "/" + f, encoding: .utf8).split(separator: "\n").compactMap { Int($0.prefix { $0 != "," }) }
        }
        #expect(all.sorted() == Array(0...30))
        #expect(FileManager.default.fileExists(atPath: out + ".rolled-back/part-old-0-1"))
        #expect(!FileManager.default.fileExists(atPath: out + "/part-old-1-0"))
    }
}
