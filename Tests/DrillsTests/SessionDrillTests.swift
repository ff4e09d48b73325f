@testable import Drills
@testable import Engine
import Foundation
import Testing

/// A live session written down as a drill: it parses, and it passes headless on the seed
/// it ran with, telling the same story.
@Suite("Saving a session as a drill")
struct SessionDrillTests {
    @Test("a simulated session of a kill, a bit flip and a rotted shard saves as a drill that parses and passes on the same seed, with the same events in the same order")
    func roundTrip() throws {
        var job = Drill.Job()
        job.seed = 5
        let probe = Drill(name: "probe", description: "", duration: 1, job: job, steps: [], expect: Expectations(), source: "test")
        let target = try DrillTarget.simulated(probe, seed: 5)
        let config = target.engine.config
        var steps: [(at: Double, command: Command)] = []
        // Time moves on the drill runner's 100 ms grid, as a headless run's does.
        var tick = 0
        func advance(to t: Double) { while Double(tick) * 0.1 < t - 1e-9 { tick += 1; target.advance(to: min(t, Double(tick) * 0.1)) } }
        for (at, c) in [(2.0, Command.kill(2)), (4.0, .corruptFrame(1)), (5.0, .corruptShard(.latest, 3)), (6.0, .heal(nil))] {
            advance(to: at)
            try target.apply(c)
            steps.append((target.now, c))
        }
        advance(to: 10)
        let snap = target.engine.snapshot()
        let text = SessionDrill.text(name: "game-day-1", config: config, replicas: 1, steps: steps, snapshot: snap, runtime: "simulated")
        let drill = try DrillParser(file: "game-day-1.toml").parse(text)
        #expect(drill.steps.map(\.command) == [.kill(2), .corruptFrame(1), .corruptShard(.latest, 3), .heal(nil)])
        #expect(drill.steps.map(\.at) == [2, 4, 5, 6])
        #expect(drill.job.seed == 5 && drill.job.rate == config.rate && drill.job.accounts == config.accounts)
        #expect(drill.expect.maxDetection != nil && drill.expect.restoredFrom == .standby)
        #expect(drill.expect.events.contains(.nodeDown) && drill.expect.events.contains(.retransmit))
        #expect(drill.abort?.maxLost == 0)
        #expect(text.contains("# measured"))
        let again = try DrillTarget.simulated(drill, seed: 5)
        let result = DrillRunner(drill: drill).run(on: again)
        #expect(result.passed, "\(result.verdicts.filter { !$0.passed }.map { "\($0.name): \($0.measured)" })")
        // The same events at the same times in the same order, up to where the session ended.
        let live = snap.events.map { "\($0.time) \($0.name) \($0.message)" }
        let replayed = again.events().filter { $0.time <= 10 }.map { "\($0.time) \($0.name) \($0.message)" }
        #expect(live.count > 10)
        #expect(replayed.prefix(live.count) == live[...], "first difference: \(zip(live, replayed).first { $0 != $1 }.map { "\($0) vs \($1)" } ?? "lengths")")
    }

    @Test("a live session on the paced simulated runtime (the dashboard's) replays headless event for event on its seed")
    func pacedSession() throws {
        var job = Drill.Job()
        job.seed = 9
        let probe = Drill(name: "probe", description: "", duration: 1, job: job, steps: [], expect: Expectations(), source: "test")
        let config = try DrillTarget.simulated(probe, seed: 9).engine.config
        let paced = try PacedSimulation(config: config, seed: 9, replicas: 1, speed: 10)
        paced.start()
        var steps: [(at: Double, command: Command)] = []
        for (at, c) in [(1.0, Command.kill(3)), (2.5, .corruptFrame(0))] {
            while paced.uptime < at { usleep(2000) }
            try paced.apply(c)
            steps.append((paced.uptime, c))
        }
        while paced.uptime < 5 { usleep(2000) }
        let snap = paced.snapshot()
        _ = paced.finish()
        let text = SessionDrill.text(name: "paced", config: config, replicas: 1, steps: steps, snapshot: snap, runtime: "simulated")
        let drill = try DrillParser(file: "paced.toml").parse(text)
        let again = try DrillTarget.simulated(drill, seed: 9)
        let result = DrillRunner(drill: drill).run(on: again)
        #expect(result.passed, "\(result.verdicts.filter { !$0.passed }.map { "\($0.name): \($0.measured)" })")
        let live = snap.events.map { "\(Int(($0.time * 1e6).rounded())) \($0.name) \($0.message)" }
        let replayed = again.events().map { "\(Int(($0.time * 1e6).rounded())) \($0.name) \($0.message)" }
        #expect(live.count > 5 && replayed.prefix(live.count) == live[...],
                "first difference: \(zip(live, replayed).first { $0 != $1 }.map { "\($0) vs \($1)" } ?? "lengths")")
    }

    @Test("names: letters, digits, - and _; saving writes the folder and the file")
    func save() throws {
        #expect(SessionDrill.isValidName("game-day_1") && !SessionDrill.isValidName("../x") && !SessionDrill.isValidName(""))
        let dir = NSTemporaryDirectory() + "firedrill-save-\(UUID().uuidString)/a/b"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try SessionDrill.save(name: "gd", text: "name = \"gd\"\nduration = \"1s\"\n", directory: dir)
        #expect(path == dir + "/gd.toml" && FileManager.default.fileExists(atPath: path))
        #expect(throws: FileError.self) { try SessionDrill.save(name: "../escape", text: "", directory: dir) }
    }
}
