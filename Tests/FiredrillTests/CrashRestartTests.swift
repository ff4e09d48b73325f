import Foundation
import Testing

@Suite("Crash and restart of the real binary")
struct CrashRestartTests {
    /// Parses `"key": value` out of the run summary's JSON.
    static func field(_ json: String, _ key: String) -> String? {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let value = object[key] else { return nil }
        return "\(value)"
    }

    @Test("SIGKILL at random moments, 20 times: every restart ends with an exact audit")
    func killAndRestart() throws {
        let dir = Binary.temporaryDirectory("kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let job = ["--data", dir, "--rate", "300000", "--checkpoint-interval", "100ms", "--accounts", "2000"]
        var rng = SystemRandomNumberGenerator()
        var restoredSeen = 0
        for round in 0..<20 {
            let (p, _) = try Binary.start(["run", "--headless", "--duration", "60s"] + job)
            usleep(UInt32.random(in: 150_000...900_000, using: &rng))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal, "round \(round): the job ended before it was killed")
            let (code, output) = try Binary.run(["run", "--headless", "--duration", "200ms", "--json"] + job)
            #expect(code == 0, "round \(round): restart exited \(code): \(output)")
            #expect(Self.field(output, "exact") == "1", "round \(round): \(output)")
            #expect(Self.field(output, "lost") == "0" && Self.field(output, "duplicated") == "0")
            if Self.field(output, "restoredFrom") != "<null>" { restoredSeen += 1 }
        }
        #expect(restoredSeen >= 19)
    }
}
