@testable import Drills
@testable import Engine
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

    /// The soak's job, simulated, whose second write after 0.3 s tears; 0.8 s run.
    static func torn() throws -> SimulatedEngine {
        var c = ChaosSoak.config()
        c.checkpointInterval = 0.1
        let sim = try SimulatedEngine(config: c, seed: 4)
        sim.run(for: 0.3)
        try sim.apply(.tearWrite(2))
        sim.run(for: 0.5)
        return sim
    }

    @Test("a torn write is a command: it tears a checkpoint's write, the engine recovers, heal all calls off one planned")
    func tornWrite() throws {
        let sim = try Self.torn()
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

        var failedCommit = healthy
        failedCommit.events.append(EngineEvent(time: 0.9, .checkpointFailed(checkpoint: 8, .commit("UNIQUE constraint failed"))))
        #expect(ChaosSoak.judgeSteps(d, end: failedCommit, parity: 2, everyDetectionCaused: false)
            == "at 0.9s checkpoint 8 failed to commit (UNIQUE constraint failed), and nothing in the schedule damaged the sink")

        var resentBad = healthy
        resentBad.events.append(EngineEvent(time: 0.7, node: 3, .inputStalled(from: 1, .resentBad(frame: 41))))
        #expect(ChaosSoak.judgeSteps(d, end: resentBad, parity: 2, everyDetectionCaused: false).contains("node 3's input from node 1 stalled: frame 41 was resent and failed its check again"))

        var quarantined = healthy
        quarantined.nodes[3].health = .quarantined
        #expect(ChaosSoak.judgeSteps(d, end: quarantined, parity: 2, everyDetectionCaused: true) == "node 3 is quarantined at the end, after the schedule healed every node")
    }

    @Test("every commit sent twice (a retry after a lost acknowledgement): the sink refuses each repeat, nothing fails, exact")
    func duplicateCommitsRefused() throws {
        let sim = try SimulatedEngine(config: ChaosSoak.config(), seed: 3)
        sim.duplicateCommits = true
        sim.run(for: 1.0)
        try sim.apply(.kill(2))
        sim.run(for: 0.6)
        let v = sim.finish(maxSeconds: 5)
        #expect(v.exact && v.moneyConserved)
        let repeats = sim.trace.filter { $0.contains(" again committed=") }
        #expect(repeats.count >= 5 && repeats.allSatisfy { $0.hasSuffix("again committed=false") }, "\(repeats)")
        #expect(!sim.events.contains { if case .checkpointFailed(_, .commit) = $0.detail { true } else { false } })
    }

    @Test("frames lost on the wire: each gap is found at the next frame and the frame sent again, no input stalls, exact")
    func lostFramesResent() throws {
        let sim = try SimulatedEngine(config: ChaosSoak.config(), seed: 4)
        sim.frameLossPerSecond = 20
        sim.run(for: 1.5)
        let v = sim.finish(maxSeconds: 5)
        #expect(v.exact && v.moneyConserved)
        #expect(v.committedTransfers == sim.snapshot().readTransfers)
        let resent = sim.events.filter { if case .frameLost = $0.detail { true } else { false } }
        #expect(resent.count >= 10, "about 30 frames lost in 1.5 s: \(resent.count) gaps found")
        #expect(!sim.events.contains { if case .inputStalled = $0.detail { true } else { false } }, "\(sim.events.map(\.description))")
    }

    @Test("two replicas with damaged standby copies: each refused by its CRC, the other holder's or the shards taken, and the simulation's own checks of every plan hold")
    func damagedStandbysRefused() throws {
        let sim = try SimulatedEngine(config: ChaosSoak.config(), seed: 6, replicas: 2)
        sim.standbyDamage = 0.5
        sim.run(for: 1.0)
        try sim.apply(.kill(2))
        sim.run(for: 0.6)
        try sim.apply(.kill(4))
        sim.run(for: 0.6)
        let v = sim.finish(maxSeconds: 5)
        #expect(v.exact && v.moneyConserved)
        #expect(sim.trace.contains { $0.hasSuffix("damaged") })
        #expect(sim.violations.isEmpty, "\(sim.violations)")
    }

    @Test("the simulation catches a plan that takes the shards over an intact standby copy, or a dead node's own memory")
    func planChecked() throws {
        let sim = try SimulatedEngine(config: ChaosSoak.config(), seed: 2)
        sim.run(for: 0.5)
        let newest = try #require(sim.snapshot().newestCheckpoint)
        let n = sim.config.nodes
        let order = RecoveryOrder(reason: "test", failed: [], quarantined: Array(repeating: false, count: n), offsetsRead: 0, at: 0.5)
        // Node 0's standby copy is on node 1: the shards were not needed.
        var sources = Array(repeating: RestoreSource.local, count: n)
        sources[0] = .shards
        sim.check(RecoveryPlan(checkpoint: newest, snapshots: [], sources: sources, skipped: [], rebuilt: []), order)
        #expect(sim.violations.count == 1 && sim.violations[0].contains("node 0 was restored from the shards of checkpoint \(newest) while node 1, alive, held an intact standby copy of it"), "\(sim.violations)")
        // A node that died keeps no memory: its own copy cannot be what restored it.
        sim.diedSinceCopy[3] = true
        sim.check(RecoveryPlan(checkpoint: newest, snapshots: [], sources: Array(repeating: .local, count: n), skipped: [], rebuilt: []), order)
        #expect(sim.violations.count == 2 && sim.violations[1].contains("node 3 was restored from its own memory"), "\(sim.violations)")
    }
}
