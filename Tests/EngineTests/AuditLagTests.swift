@testable import Engine
import Testing
import Foundation

@Suite("The audit lag bound")
struct AuditLagTests {
    @Test("the gate holds the sources at the bound and lets them go as audits come in")
    func gateBooks() {
        var g = AuditGate(maxUnaudited: 2, startNanos: 1_000, audited: nil)
        #expect(!g.holdsSources)
        #expect(g.verdictAge(at: 5_000) == 4_000)  // before any audit: since the engine opened
        g.begun(1, at: 10_000)
        #expect(!g.holdsSources)
        g.begun(2, at: 20_000)
        #expect(g.holdsSources)
        #expect(g.unaudited == 2)
        g.audited(1)
        #expect(!g.holdsSources)
        #expect(g.audited == 1)
        #expect(g.verdictAge(at: 25_000) == 15_000)  // since barrier 1
        g.begun(3, at: 30_000)
        #expect(g.holdsSources)
        g.dropped(3)  // abandoned: it will never be audited
        #expect(!g.holdsSources)
        g.begun(4, at: 40_000)
        g.audited(4)  // a later audit covers every epoch before it
        #expect(g.unaudited == 0)
        #expect(g.verdictAge(at: 41_000) == 1_000)
        g.audited(2)  // an older audit arriving late changes nothing
        #expect(g.audited == 4)
        #expect(g.verdictAge(at: 41_000) == 1_000)
        g.begun(4, at: 50_000)  // already audited: not open again
        #expect(g.unaudited == 0)
    }

    @Test("simulated: a deliberately slow auditor holds the job within the bound, and the run stays exact")
    func slowAuditorHoldsTheJob() throws {
        var c = simConfig()
        c.checkpointInterval = 0.1
        let sim = try SimulatedEngine(config: c, seed: 5)
        sim.auditDelay = 0.5  // five checkpoint intervals per audit
        var heldSamples = 0, maxAhead: UInt64 = 0
        var lastProduced = sim.produced
        var wasHeld = sim.gate.holdsSources
        var wasOpen = sim.gate.open.map(\.id)
        for _ in 0..<400 {  // 4 s of virtual time, looked at every 10 ms
            sim.run(for: 0.01)
            let newest = sim.newestCheckpoint ?? 0, audited = sim.verdict.checkpoint ?? 0
            maxAhead = max(maxAhead, newest > audited ? newest - audited : 0)
            #expect(sim.gate.unaudited <= sim.gate.maxUnaudited)
            // Held for the whole sample (the same checkpoints open at both ends, so no audit
            // let the sources go in between): nothing was read.
            let open = sim.gate.open.map(\.id)
            if wasHeld && sim.gate.holdsSources && open == wasOpen {
                heldSamples += 1
                #expect(sim.produced == lastProduced, "the sources read while held for the audit")
            }
            wasHeld = sim.gate.holdsSources
            wasOpen = open
            lastProduced = sim.produced
        }
        #expect(maxAhead <= UInt64(AuditGate.defaultMaxUnaudited), "newest complete checkpoint ran \(maxAhead) ahead of the audited one")
        #expect(heldSamples > 50, "the slow auditor never held the sources (\(heldSamples) held samples)")
        #expect((sim.verdict.checkpoint ?? 0) >= 5, "the audit did not progress")
        // Each audit takes 0.5 s and reads the sink at its start: a checkpoint committed
        // just after one began is proven by the next, so the verdict's age stays within
        // about three audits (it would grow without end if the sources ran free).
        #expect(sim.verdictAgeP99 < 2.0, "verdict age p99 \(sim.verdictAgeP99) s")
        let v = sim.finish()
        #expect(v.exact && v.moneyConserved)
        #expect(v.committedTransfers == sim.produced)
    }

    @Test("simulated: with an auditor that keeps up the sources are never held")
    func fastAuditorNeverHolds() throws {
        let sim = try SimulatedEngine(config: simConfig(), seed: 5)
        var held = 0
        for _ in 0..<100 {
            sim.run(for: 0.01)
            if sim.gate.holdsSources { held += 1 }
        }
        #expect(held == 0)
        #expect(sim.verdictAge < 0.2)
    }

    @Test("threaded at rate max: the audited checkpoint never falls more than the bound behind the newest for 10 s")
    func threadedAtMax() throws {
        let dir = NSTemporaryDirectory() + "firedrill-lag-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = JobConfig()
        c.rate = nil
        c.checkpointInterval = 0.5
        let engine = try ThreadedEngine(config: c, dataDirectory: dir)
        engine.start()
        let start = Date()
        var worst: UInt64 = 0, samples = 0
        while Date().timeIntervalSince(start) < 10 {
            usleep(20_000)
            let s = engine.snapshot()
            let newest = s.newestCheckpoint ?? 0, audited = s.auditedCheckpoint ?? 0
            worst = max(worst, newest > audited ? newest - audited : 0)
            samples += 1
        }
        let s = engine.snapshot()
        let verdict = engine.stop(finalCheckpoint: true)
        #expect(samples > 100)
        #expect(worst <= UInt64(AuditGate.defaultMaxUnaudited), "the newest checkpoint ran \(worst) ahead of the audited one")
        #expect((s.auditedCheckpoint ?? 0) >= 5, "audited only up to \(s.auditedCheckpoint ?? 0)")
        #expect(s.auditError == nil)
        #expect(verdict.exact && verdict.moneyConserved)
        #expect(verdict.committedTransfers == engine.snapshot().produced)
    }
}
