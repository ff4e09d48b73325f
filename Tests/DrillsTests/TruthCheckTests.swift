@testable import Drills
@testable import Engine
import Testing

/// Every engine drill holds its final audit against an independent recount of the sink.
@Suite("The final audit against a recount")
struct TruthCheckTests {
    /// Runs a built-in drill headless on the simulated runtime: its target and `tells_truth`.
    static func play(_ name: String) throws -> (target: DrillTarget, truth: ExpectationVerdict) {
        let d = try #require(try BuiltInDrills.drill(name))
        let target = try DrillTarget.simulated(d, seed: d.job.seed)
        let r = DrillRunner(drill: d).run(on: target)
        return (target, try #require(r.verdicts.first { $0.name == "tells_truth" }))
    }

    @Test("sink-shuffle (simulated): the recount agrees with the auditor on the rows left wrong; a verdict that missed them is caught")
    func recountAgreesAndCatches() throws {
        let (target, truth) = try Self.play("sink-shuffle")
        #expect(truth.passed && truth.measured.hasPrefix("agrees: epoch "), "\(truth.measured)")
        let v = try #require(target.finalVerdict)
        #expect(v.mismatchedAccounts > 0, "the drill leaves rows wrong for the recount to count: \(v)")
        #expect(truth.measured.hasSuffix(", \(v.mismatchedAccounts) accounts wrong"), "\(truth.measured)")
        // An auditor that never marks an account wrong (the mutant auditor-never-mismatches)
        // still sees the money move; the recount names what it missed.
        var blind = v
        blind.mismatchedAccounts = 0
        blind.lost = 0
        blind.duplicated = 0
        let caught = try #require(TruthCheck.judge(blind, engine: target.engine))
        #expect(!caught.passed && caught.measured.contains("0 accounts wrong by the auditor, \(v.mismatchedAccounts) by the recount"), "\(caught.measured)")
    }

    @Test("kill-one (simulated): an exact run agrees, and a verdict of another epoch does not")
    func exactRunAgrees() throws {
        let (target, truth) = try Self.play("kill-one")
        #expect(truth.passed && truth.measured.hasSuffix(" 0 accounts wrong"), "\(truth.measured)")
        var stale = try #require(target.finalVerdict)
        stale.checkpoint = (stale.checkpoint ?? 1) - 1
        let caught = try #require(TruthCheck.judge(stale, engine: target.engine))
        #expect(!caught.passed && caught.measured.contains("recounted"), "\(caught.measured)")
    }

    @Test("a torn checkpoint write: the sink never holds its epoch, and a sink that did (committed before it stored) is caught")
    func neverStoredEpochCaught() throws {
        let sim = try ChaosSoakTests.torn()
        let v = sim.finish(maxSeconds: 5)
        let failed = sim.snapshot().checkpointsNeverStored
        let torn = try #require(failed.first, "the torn write failed a checkpoint: \(sim.events.map(\.description))")
        let truth = try #require(TruthCheck.judge(v, engine: sim))
        #expect(truth.passed, "\(truth.measured)")
        // The bug of committing a checkpoint whose store failed, as it would leave the sink.
        let db = try SQLiteDatabase(path: sim.sinkPath)
        try db.execute("INSERT INTO epochs(checkpoint, offsets, committed_ms, transfers) VALUES(\(torn), '0', 0, 0)")
        let caught = try #require(TruthCheck.judge(v, engine: sim))
        #expect(!caught.passed && caught.measured == "DISAGREES: the sink holds epoch \(torn), a checkpoint that failed before it was stored", "\(caught.measured)")
    }

    @Test("a rot repaired near the end: the shard is whole on disk; a repair the disk does not show is told unrepaired, and caught at the end")
    func repairsHeldOnDisk() throws {
        // The rot lands late, so the checkpoint it hit is still kept when the drill ends.
        let d = try DrillParser(file: "late-rot.toml").parse("""
            name = "late-rot"
            duration = "5s"
            [job]
            seed = 14
            [[step]]
            at = "4.5s"
            command = "corrupt shard latest 1"
            [expect]
            events = ["shard-bad", "shard-repaired"]
            """)
        let target = try DrillTarget.simulated(d, seed: d.job.seed)
        let result = DrillRunner(drill: d).run(on: target)
        let truth = try #require(result.verdicts.first { $0.name == "tells_truth" })
        let sim = try #require(target.engine as? SimulatedEngine)
        let repaired = sim.snapshot().shardsReportedRepaired
        let kept = repaired.filter { sim.storedShardHealth($0) != nil }
        let shard = try #require(kept.last, "a repaired shard whose checkpoint is still kept: \(repaired)")
        #expect(result.passed && truth.measured.hasSuffix(", \(kept.count) repaired shards whole on disk"), "\(truth.measured)")
        // The scrubber's claim without the write (the mutant scrubber-never-repairs): the
        // shard it named is still rotten. Read back at once, the claim becomes a failure...
        let path = ShardStore.shardPath(checkpoint: shard.checkpoint, shard: shard.shard, disk: shard.node)
        #expect(try sim.store.disk.flipBit(path, byte: 3, bit: 1))
        let claim = EngineEvent.Detail.shardRepaired(checkpoint: shard.checkpoint, shard: shard.shard, node: shard.node, from: [0, 2, 3, 4])
        guard case let .shardUnrepairable(id, s, why) = SimulatedEngine.readBack(claim, sim.store) else {
            Issue.record("a repair the disk does not show was told as \(SimulatedEngine.readBack(claim, sim.store))")
            return
        }
        #expect(id == shard.checkpoint && s == shard.shard && why.hasPrefix("rewritten from the others, but a second read finds it bad: "), "\(why)")
        // ...and a claim that went out anyway is caught by the judge at the end.
        let verdict = try #require(target.finalVerdict)
        let caught = try #require(TruthCheck.judge(verdict, engine: target.engine))
        #expect(!caught.passed && caught.measured == "DISAGREES: shard \(shard.shard) of checkpoint \(shard.checkpoint) on node \(shard.node) was reported repaired and is not whole on disk",
                "\(caught.measured)")
    }

    @Test("what the board keeps as repaired: a later bad report, a rot or deletion of that shard and a wipe of its disk take it off")
    func repairsTracked() {
        var set = Set<ClusterSnapshot.StoredShard>()
        let a = ClusterSnapshot.StoredShard(checkpoint: 5, shard: 1, node: 1)
        let b = ClusterSnapshot.StoredShard(checkpoint: 6, shard: 4, node: 0)
        StatusBoard.trackRepairs(.shardRepaired(checkpoint: 5, shard: 1, node: 1, from: [0, 2, 3, 4]), &set, limit: 10)
        StatusBoard.trackRepairs(.shardRepaired(checkpoint: 6, shard: 4, node: 0, from: [0, 1, 2, 3]), &set, limit: 10)
        #expect(set == [a, b])
        StatusBoard.trackRepairs(.command(.corruptShard(.id(6), 4)), &set, limit: 10)
        #expect(set == [a])
        StatusBoard.trackRepairs(.shardBad(checkpoint: 5, shard: 1, node: 1, why: "crc"), &set, limit: 10)
        #expect(set.isEmpty)
        StatusBoard.trackRepairs(.shardRepaired(checkpoint: 5, shard: 1, node: 1, from: []), &set, limit: 10)
        StatusBoard.trackRepairs(.command(.wipeDisk(1)), &set, limit: 10)
        #expect(set.isEmpty)
        StatusBoard.trackRepairs(.shardRepaired(checkpoint: 5, shard: 1, node: 1, from: []), &set, limit: 10)
        StatusBoard.trackRepairs(.command(.kill(1)), &set, limit: 10)
        #expect(set == [a])
        StatusBoard.trackRepairs(.command(.deleteShard(.latest, 0)), &set, limit: 10)
        #expect(set.isEmpty, "a fault on a shard not named by id may have hit any")
        StatusBoard.trackRepairs(.shardRepaired(checkpoint: 5, shard: 1, node: 1, from: []), &set, limit: 1)
        StatusBoard.trackRepairs(.shardRepaired(checkpoint: 6, shard: 4, node: 0, from: []), &set, limit: 1)
        #expect(set == [a], "bounded")
    }
}
