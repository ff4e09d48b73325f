import Foundation
@testable import Flink
import Testing

@Suite("A user's kill, hang and heal commands: a timeout, the exit code, the id as one argument")
struct TemplateRunnerTests {
    @Test("a command that runs past its timeout is killed with what it started, and said so")
    func timeout() throws {
        let t = try CommandTemplate("sh -c 'sleep 10; exit 7' {id}")
        let begin = Date()
        let o = TemplateRunner.run(t.arguments(id: "tm-0"), timeout: 0.5)
        #expect(o.end == .timedOut(0.5))
        #expect(!o.succeeded)
        #expect(Date().timeIntervalSince(begin) < 3)
        #expect(o.description.contains("did not end within 0.5 s"))
    }

    @Test("the exit code and the output are kept; only 0 succeeds")
    func exitCode() throws {
        let fail = TemplateRunner.run(try CommandTemplate("sh -c 'echo no such pod {id} >&2; exit 7' x").arguments(id: "tm-0"), timeout: 5)
        #expect(fail.end == .exited(7))
        #expect(!fail.succeeded)
        #expect(fail.output.contains("no such pod tm-0"))
        #expect(fail.description.contains("exited 7"))
        let ok = TemplateRunner.run(["true", "{id}"], timeout: 5)
        #expect(ok.succeeded)
        let missing = TemplateRunner.run(["/nonexistent/firedrill-kill", "tm-0"], timeout: 5)
        guard case .notStarted = missing.end else { Issue.record("a missing program must not start: \(missing)"); return }
    }

    @Test("an id with spaces and quotes reaches the command as one argument")
    func oneArgument() throws {
        let id = "tm 1 'a' \"b\"; echo pwned"
        let o = TemplateRunner.run(try CommandTemplate("sh -c 'printf \"%s|\" \"$#\" \"$1\"' sh {id}").arguments(id: id), timeout: 5)
        #expect(o.succeeded)
        #expect(o.output == "1|\(id)|")
    }

    @Test("hung TaskManagers are kept in a file a later session reads; none removes it")
    func hungRecord() throws {
        let dir = NSTemporaryDirectory() + "/firedrill-hung-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = HungTaskManagers(path: dir + "/state/hung.json")
        #expect(try r.load().isEmpty)
        let e = HungTaskManagers.Entry(id: "tm 1", pid: 4242, since: 1_796_000_000)
        try r.save([e, HungTaskManagers.Entry(id: "tm-2", pid: nil, since: 1_796_000_001)])
        let later = HungTaskManagers(path: dir + "/state/hung.json")
        #expect(try later.load() == [e, HungTaskManagers.Entry(id: "tm-2", pid: nil, since: 1_796_000_001)])
        try later.save([])
        #expect(!FileManager.default.fileExists(atPath: dir + "/state/hung.json"))
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: dir + "/state/hung.json"))
        #expect(throws: FlinkError.self) { _ = try later.load() }
    }

    @Test("a header is 'Name: value'; anything else names --header")
    func header() throws {
        let h = try FlinkClient.Header("Authorization: Bearer abc:def")
        #expect(h.name == "Authorization" && h.value == "Bearer abc:def")
        #expect(throws: FlinkError.self) { _ = try FlinkClient.Header("Bearer abc") }
        #expect(throws: FlinkError.self) { _ = try FlinkClient.Header("Bad Name: x") }
        do { _ = try FlinkClient.Header("token") } catch { #expect(error.description.contains("--header")) }
    }

    @Test("--cacert and --insecure are refused, saying how to trust the cluster instead (this HTTP client cannot do either)")
    func tls() {
        do { _ = try FlinkClient(url: "https://127.0.0.1:8443", tls: .insecure); Issue.record("--insecure must be refused") } catch {
            #expect(error.description.contains("--insecure") && error.description.contains("update-ca-certificates"))
        }
        do { _ = try FlinkClient(url: "https://127.0.0.1:8443", tls: .authority("/tmp/ca.pem")); Issue.record("--cacert must be refused") } catch {
            #expect(error.description.contains("--cacert") && error.description.contains("/tmp/ca.pem"))
        }
    }
}
