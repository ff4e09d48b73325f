@testable import Drills
import Engine
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

@Suite("Chaos soak")
struct ChaosSoakTests {
    @Test("seeds with every fault kind end exact, and a seed replays exactly")
    func seeds() {
        var kinds = Set<String>()
        for seed in UInt64(1)...24 {
            let o = ChaosSoak.run(seed: seed)
            #expect(o.passed, "seed \(seed): \(o.reason); faults \(o.schedule.map(ChaosSoak.line))")
            for s in o.schedule { kinds.insert(String(s.command.description.split(separator: " ").first ?? "")) }
        }
        #expect(kinds.count >= 8, "fault kinds drawn: \(kinds.sorted())")
        let a = ChaosSoak.run(seed: 7), b = ChaosSoak.run(seed: 7)
        #expect(a.trace == b.trace)
        #expect(a.recoveries == b.recoveries)
    }

    @Test("a recorded seed is held to replay --check: no record is left when it passes; a figure that goes back fails it, with where")
    func recordChecked() throws {
        var template = Array("/tmp/firedrill-soak-test-XXXXXX".utf8CString)
        let dir = try #require(template.withUnsafeMutableBufferPointer { b in b.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) } })
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let o = ChaosSoak.run(seed: 6, records: dir)
        #expect(o.passed, "\(o.reason)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        // A record whose committed count runs backwards between two frames.
        let clean = try RecordCheckTests.cleanLines()
        let lines = try RecordCheckTests.editSnapshot(clean, try RecordCheckTests.frame(at: 4, in: clean)) { $0["sinkCommittedTransfers"] = 1 }
        let path = dir + "/bad.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let why = ChaosSoak.check(recordAt: path)
        #expect(why.hasPrefix("replay --check \(path): at ") && why.contains("went back"), "\(why)")
        #expect(FileManager.default.fileExists(atPath: path), "a failing record is kept")
    }

    @Test("a seed's schedule is a drill: its faults in order, then heal all, then time to settle")
    func scheduleIsADrill() {
        for seed in UInt64(1)...50 {
            let d = ChaosSoak.drill(seed: seed)
            #expect(d.steps == d.steps.sorted { $0.at < $1.at }, "seed \(seed)")
            #expect(d.steps.last?.command == .heal(nil), "seed \(seed)")
            #expect(d.duration > (d.steps.last?.at ?? 0), "seed \(seed)")
            #expect(d.steps.dropLast().allSatisfy { $0.at >= 0.25 }, "seed \(seed)")
        }
        #expect(ChaosSoak.drill(seed: 9) == ChaosSoak.drill(seed: 9))
        #expect(ChaosSoak.drill(seed: 9) != ChaosSoak.drill(seed: 10))
    }

    @Test("a torn write is a command: it tears a checkpoint's write, the engine recovers, heal all calls off one planned")
    func tornWrite() throws {
        var c = ChaosSoak.config()
        c.checkpointInterval = 0.1
        let sim = try SimulatedEngine(config: c, seed: 4)
        sim.run(for: 0.3)
        try sim.apply(.tearWrite(2))
        sim.run(for: 0.5)
        #expect(sim.events.contains { if case .checkpointFailed = $0.detail { true } else { false } }, "\(sim.events.map(\.description))")
        try sim.apply(.tearWrite(1))
        try sim.apply(.heal(nil))
        sim.run(for: 0.3)
        let v = sim.finish(maxSeconds: 5)
        #expect(v.exact && v.moneyConserved)
        #expect(v.committedTransfers == sim.snapshot().readTransfers)
    }

    @Test("tear write parses, prints as it parses, and refuses what is not a write")
    func tearWriteText() throws {
        #expect(try Command.parse("tear write 3", nodes: 6, shards: 6) == .tearWrite(3))
        #expect(Command.tearWrite(3).description == "tear write 3")
        #expect(Command.tearWrite(3).isDestructive)
        for bad in ["tear", "tear write", "tear write 0", "tear write x", "tear write 1001", "tear write 2 3", "tear shard 1"] {
            #expect(throws: CommandError.self, "\(bad)") { try Command.parse(bad, nodes: 6, shards: 6) }
        }
    }

    @Test("a run that audits exact still fails on a wrong step: a fallback within the parity, an unprovoked detection, a node left quarantined")
    func stepsJudged() throws {
        let sim = try SimulatedEngine(config: ChaosSoak.config(), seed: 1)
        sim.run(for: 0.3)
        let healthy = sim.snapshot()
        var d = ChaosSoak.drill(seed: 1)
        d.steps = [Drill.Step(at: 0.5, command: .deleteShard(.latest, 1)), Drill.Step(at: 0.6, command: .kill(2)), Drill.Step(at: 1.3, command: .heal(nil))]
        #expect(ChaosSoak.judgeSteps(d, end: healthy, parity: 2, everyDetectionCaused: true) == "")

        var fellBack = healthy
        fellBack.events.append(EngineEvent(time: 0.8, .fallback(from: 7, to: 6)))
        #expect(ChaosSoak.judgeSteps(d, end: fellBack, parity: 2, everyDetectionCaused: true).contains("fell back from checkpoint 7 to 6 while the schedule damaged 1 shard"))
        // Beyond the parity a fallback is the design working.
        #expect(ChaosSoak.judgeSteps(d, end: fellBack, parity: 0, everyDetectionCaused: true) == "")

        var caused = healthy
        caused.events.append(EngineEvent(time: 0.79, .nodeDown(node: 2, phi: 9, silence: 0.19)))
        #expect(ChaosSoak.judgeSteps(d, end: caused, parity: 2, everyDetectionCaused: true) == "")
        var unprovoked = healthy
        unprovoked.events.append(EngineEvent(time: 0.79, .nodeDown(node: 4, phi: 9, silence: 0.19)))
        #expect(ChaosSoak.judgeSteps(d, end: unprovoked, parity: 2, everyDetectionCaused: true).contains("node 4 was marked down, and no fault"))
        // On real threads a slow host may cause it: not judged there.
        #expect(ChaosSoak.judgeSteps(d, end: unprovoked, parity: 2, everyDetectionCaused: false) == "")

        var quarantined = healthy
        quarantined.nodes[3].health = .quarantined
        #expect(ChaosSoak.judgeSteps(d, end: quarantined, parity: 2, everyDetectionCaused: true) == "node 3 is quarantined at the end, after the schedule healed every node")
    }
}
