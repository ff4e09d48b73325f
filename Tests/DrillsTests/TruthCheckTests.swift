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
}
