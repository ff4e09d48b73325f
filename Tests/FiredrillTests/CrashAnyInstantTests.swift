import Foundation
import Testing

/// The process killed at 100 instants — inside a checkpoint's shard writes, just before its
/// manifest, inside the sink's commit, while old checkpoints are pruned, during a recovery,
/// and at random moments — and after each: no file is half-written where a whole one stood
/// (every manifest reads and every shard it names is intact; the sink passes SQLite's own
/// check), and the restart ends with an exact audit.
@Suite("Crash at any instant")
struct CrashAnyInstantTests {
    static let job = ["--rate", "300000", "--checkpoint-interval", "100ms", "--accounts", "2000", "--seed", "1"]

    /// What a killed run left behind, checked before anything repairs it.
    static func leftWhole(_ dir: String) throws -> String? {
        let (code, scrub) = try Binary.run(["scrub", "--data", dir, "--json"])
        guard code == 0, CrashRestartTests.field(scrub, "unrepairable") == "0", CrashRestartTests.field(scrub, "corrupt") == "0",
              CrashRestartTests.field(scrub, "missing") == "0" else { return "scrub after the kill: exit \(code), \(scrub)" }
        let sink = dir + "/sink.db"
        guard FileManager.default.fileExists(atPath: sink) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", "-readonly", sink, "PRAGMA quick_check;"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return p.terminationStatus == 0 && text.trimmingCharacters(in: .whitespacesAndNewlines) == "ok" ? nil : "sink quick_check: \(text)"
    }

    /// Restarts on `dir` for a moment; nil when the audit is exact.
    static func restartIsExact(_ dir: String) throws -> String? {
        let (code, output) = try Binary.run(["run", "--headless", "--duration", "200ms", "--json", "--data", dir] + job)
        guard code == 0, CrashRestartTests.field(output, "exact") == "1", CrashRestartTests.field(output, "lost") == "0",
              CrashRestartTests.field(output, "duplicated") == "0" else { return "restart exited \(code): \(output)" }
        return nil
    }

    /// Runs `args` with the crash point armed; true when the process died by SIGKILL.
    static func killed(_ args: [String], at point: String?, after seconds: Double? = nil) throws -> Bool {
        let (p, _) = try Binary.start(args, environment: point.map { ["FIREDRILL_CRASH_AT": $0] } ?? [:])
        if let seconds {
            usleep(UInt32(seconds * 1e6))
            kill(p.processIdentifier, SIGKILL)
        }
        p.waitUntilExit()
        return p.terminationReason == .uncaughtSignal
    }

    @Test("100 SIGKILLs at chosen and random instants: nothing half-written, every restart exact")
    func hundredKills() throws {
        let dir = Binary.temporaryDirectory("instant")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = ["run", "--headless", "--duration", "30s", "--data", dir] + Self.job
        var kills = 0
        var rng = SystemRandomNumberGenerator()
        // Named instants, at different passes (a checkpoint writes 6 shards; the first
        // prune comes after the third checkpoint).
        for point in ["shard-write", "manifest-write", "sink-commit", "prune"] {
            for n in [1, 2, 3, 5, 8, 13] {
                let at = "\(point):\(n)"
                #expect(try Self.killed(run, at: at), "\(at): the run did not die there")
                kills += 1
                if let bad = try Self.leftWhole(dir) { Issue.record("\(at): \(bad)") }
                if let bad = try Self.restartIsExact(dir) { Issue.record("\(at): \(bad)") }
            }
        }
        // During a recovery: a drill kills node 2, the process dies while it rolls back.
        for round in 0..<16 {
            let d = Binary.temporaryDirectory("instant-recovery-\(round)")
            defer { try? FileManager.default.removeItem(atPath: d) }
            let drill = d + ".toml"
            defer { try? FileManager.default.removeItem(atPath: drill) }
            try """
                name = "crash-in-recovery"
                duration = "3s"
                [job]
                rate = 300000
                accounts = 2000
                checkpoint_interval = "100ms"
                seed = 1
                [[step]]
                at = "\(String(format: "%.2f", 0.4 + Double(round) * 0.05))s"
                command = "kill \(round % 6)"
                """.write(toFile: drill, atomically: true, encoding: .utf8)
            #expect(try Self.killed(["drill", drill, "--data", d], at: "recovery:1"), "round \(round): no recovery to die in")
            kills += 1
            if let bad = try Self.leftWhole(d) { Issue.record("recovery round \(round): \(bad)") }
            if let bad = try Self.restartIsExact(d) { Issue.record("recovery round \(round): \(bad)") }
        }
        // Random instants.
        for round in 0..<60 {
            #expect(try Self.killed(run, at: nil, after: Double.random(in: 0.15...0.9, using: &rng)), "random round \(round): ended before the kill")
            kills += 1
            if let bad = try Self.leftWhole(dir) { Issue.record("random round \(round): \(bad)") }
            if let bad = try Self.restartIsExact(dir) { Issue.record("random round \(round): \(bad)") }
        }
        #expect(kills >= 100)
    }
}
