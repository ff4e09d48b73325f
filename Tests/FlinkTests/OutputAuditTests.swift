import Foundation
@testable import Flink
import Testing

@Suite("Any job judged: an --audit spec over part files, an --audit-command's answer")
struct OutputAuditTests {
    static func directory(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "/firedrill-audit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + name)) }
        return dir
    }

    @Test("clean output per key is exact; an in-progress part file is not read")
    func exact() throws {
        let dir = try Self.directory([
            "part-a-0-0": "seq,user,amount,total\n1,u1,5,5\n2,u1,7,12\n1,u2,3,3\n",
            "part-a-1-0": "seq,user,amount,total\n3,u1,1,13\n2,u2,4,7\n",
            ".part-a-1-1.inprogress.x1": "seq,user,amount,total\n4,u1,1,999\n4,u1,1,999\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = FileAudit(spec: try AuditSpec("dir=\(dir),format=csv,id=seq,key=user,value=amount,sum=total"))
        try a.check()
        a.refresh(final: false)
        let v = a.verdict
        #expect(v.exact, "\(v)")
        #expect(v.transfers == 5 && v.files == 2)
    }

    @Test("a gap, a duplicate, a reordered id and a wrong sum are each counted and named")
    func broken() throws {
        let dir = try Self.directory([
            "part-b-0-0": "1,u1,5,5\n2,u1,7,12\n2,u1,7,12\n5,u1,1,13\n",  // dup 2, ids 3-4 lost
            "part-b-1-0": "2,u2,4,4\n1,u2,3,3\n3,u2,1,99\n",  // 1 after 2: out of order; 3's sum wrong (8)
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = FileAudit(spec: try AuditSpec("dir=file://\(dir),format=csv,id=1,key=2,value=3,sum=4"))
        a.refresh(final: false)
        let v = a.verdict
        #expect(!v.exact)
        #expect(v.lost == 2)
        #expect(v.duplicated == 1)
        // u2 by id: 1 sums 3; 2 makes 3+4=7, not 4: wrong (rebased to 4); 3 makes 5, not 99: wrong; and 1 after 2 in its file.
        #expect(v.wrong == 3, "\(v)")
        #expect(v.firstProblem?.contains("ids 3…4 missing for key u1") == true)
    }

    @Test("json lines, without a key: one sequence")
    func jsonLines() throws {
        let dir = try Self.directory(["part-c-0-0.json": "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 4}\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = FileAudit(spec: try AuditSpec("dir=\(dir),format=json,id=id"))
        try a.check()
        a.refresh(final: false)
        #expect(a.verdict.lost == 1 && a.verdict.duplicated == 0 && a.verdict.transfers == 3)
    }

    @Test("bad specs name --audit: a column not there, an unknown format, an object store, a missing setting")
    func badSpecs() throws {
        let dir = try Self.directory(["part-d-0-0": "seq,user\n1,u1\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func fails(_ spec: String, _ words: String) {
            do {
                let a = FileAudit(spec: try AuditSpec(spec))
                try a.check()
                Issue.record("'\(spec)' must be refused")
            } catch {
                #expect(error.description.contains("--audit"), "\(error.description)")
                #expect(error.description.contains(words), "\(error.description)")
            }
        }
        fails("dir=\(dir),format=csv,id=order_id", "order_id")
        fails("dir=\(dir),format=parquet,id=seq", "parquet")
        fails("dir=s3://bucket/out,format=csv,id=seq", "only local and mounted paths")
        fails("dir=hdfs://nn/out,format=csv,id=seq", "only local and mounted paths")
        fails("format=csv,id=seq", "dir=")
        fails("dir=\(dir),format=csv,id=seq,value=amount", "value= and sum= go together")
        fails("dir=\(dir)/nope,format=csv,id=seq", "not a directory")
    }

    @Test("an audit command's answer is the verdict; bad JSON, a failing exit or a timeout is AUDIT FAILED")
    func command() throws {
        func audit(_ script: String, timeout: Double = 5) throws -> CommandAudit {
            let c = CommandAudit(template: try CommandTemplate("sh -c '\(script)' sh {output}", placeholder: "{output}"), output: "/out dir", timeout: timeout)
            c.settle()
            return c
        }
        let good = try audit("echo checking $1 >&2; echo \"{\\\"audited\\\": 120, \\\"lost\\\": 0, \\\"duplicated\\\": 2, \\\"wrong\\\": 0, \\\"message\\\": \\\"order 7 twice\\\"}\"")
        #expect(good.failure == nil)
        #expect(good.verdict.transfers == 120 && good.verdict.duplicated == 2 && !good.verdict.exact)
        #expect(good.verdict.firstProblem == "order 7 twice")
        let badJSON = try audit("echo \"{audited: yes}\"")
        #expect(badJSON.failure?.contains("--audit-command") == true)
        let noJSON = try audit("echo all good")
        #expect(noJSON.failure?.contains("printed none") == true)
        let exit3 = try audit("exit 3")
        #expect(exit3.failure?.contains("exited 3") == true)
        let slow = try audit("sleep 5", timeout: 0.3)
        #expect(slow.failure?.contains("did not end within 0.3 s") == true)
        // The output directory reaches the command as one argument.
        let arg = try audit("printf \"{\\\"audited\\\": %s, \\\"lost\\\": 0, \\\"duplicated\\\": 0, \\\"wrong\\\": 0}\" \"$#\"")
        #expect(arg.verdict.transfers == 1)
    }
}
