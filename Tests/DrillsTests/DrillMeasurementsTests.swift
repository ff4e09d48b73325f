@testable import Drills
@testable import Engine
import Testing

/// The throughput figures a drill judges: each window lies inside the interval it names.
@Suite("Drill measurements")
struct DrillMeasurementsTests {
    /// 1,000 transfers per 100 ms, except `dip` (time → transfers in the 100 ms before it).
    static func samples(dip: [Double: Int64] = [:]) -> [(time: Double, produced: Int64)] {
        var out: [(time: Double, produced: Int64)] = [(0, 0)]
        var total: Int64 = 0
        for i in 1...60 {
            let t = Double(i) / 10
            total += dip.first(where: { abs($0.key - t) < 1e-6 })?.value ?? 1_000
            out.append((t, total))
        }
        return out
    }

    @Test("the second after a recovery does not count the recovery itself")
    func afterWindowStartsAtTheRecovery() throws {
        // The restore ends at 3.17 s; the 100 ms before the 3.2 s sample held the rollback.
        let s = Self.samples(dip: [3.2: 100])
        let after = try #require(DrillMeasurements.rate(s, from: 3.17, to: 4.17))
        #expect(abs(after - 10_000) < 1e-6)
        // A dip inside the window does count.
        let dipped = try #require(DrillMeasurements.rate(Self.samples(dip: [3.6: 0]), from: 3.17, to: 4.17))
        #expect(dipped < 9_000)
    }

    @Test("the window before the first fault ends at the fault")
    func beforeWindow() throws {
        let s = Self.samples(dip: [3.1: 0])
        let before = try #require(DrillMeasurements.rate(s, from: 1, to: 3))
        #expect(abs(before - 10_000) < 1e-6)
    }

    @Test("too short a window is not measurable")
    func tooShort() {
        #expect(DrillMeasurements.rate(Self.samples(), from: 5.85, to: 6.5) == nil)
        #expect(DrillMeasurements.rate([], from: 0, to: 1) == nil)
    }

    @Test("time the whole process did not run is left out of the rate, and the window grows by it")
    func hostPauseLeftOut() throws {
        // The process stood still from 3.3 s to 3.7 s: nothing was read then.
        let s = Self.samples(dip: [3.4: 0, 3.5: 0, 3.6: 0, 3.7: 0])
        let pauses: [ClosedRange<Double>] = [3.3...3.7]
        // By the clock the second after 3.2 s read 60% of the usual; per second the engine ran, all of it.
        let clock = try #require(DrillMeasurements.rate(s, from: 3.2, to: 4.2))
        #expect(abs(clock - 6_000) < 1e-6)
        let end = DrillMeasurements.end(after: 3.2, running: 1, pauses: pauses)
        #expect(abs(end - 4.6) < 1e-9)
        let ran = try #require(DrillMeasurements.rate(s, from: 3.2, to: end, pauses: pauses))
        #expect(abs(ran - 10_000) < 1e-6)
        #expect(abs(DrillMeasurements.paused(pauses, from: 3.2, to: end) - 0.4) < 1e-9)
        // The window before a fault at 4 s reaches back past the pause to hold 2 s of running.
        #expect(abs(DrillMeasurements.start(before: 4, running: 2, pauses: pauses) - 1.6) < 1e-9)
        #expect(DrillMeasurements.start(before: 1, running: 2, pauses: pauses) == 0)
        // A window that is all pause is not measurable.
        #expect(DrillMeasurements.rate(s, from: 3.3, to: 3.7, pauses: pauses) == nil)
    }

    @Test("a drill's verdict on throughput leaves out the host's pauses and says so")
    func drillLeavesOutPauses() {
        // A kill at 2 s, restored by 2.2 s; the host held the process from 2.5 s to 2.9 s.
        var samples: [(time: Double, produced: Int64)] = []
        var total: Int64 = 0
        for i in 0...60 {
            let t = Double(i) / 10
            if i > 0, !(t > 2.5 + 1e-9 && t <= 2.9 + 1e-9) { total += 1_000 }
            samples.append((t, total))
        }
        let r = ClusterSnapshot.Recovery(reason: "node 1 down", detect: 0.15, restore: 0.05, replay: nil, checkpoint: 1,
                                         sources: [], at: 2.15, restoredFrom: [nil, .standby(peer: 2)])
        let events = [EngineEvent(time: 2.9, .enginePaused(seconds: 0.4))]
        let m = DrillMeasurements.measure(verdict: .initial(expectedMoney: 100), events: events, recoveries: [r],
                                          steps: [(2, .kill(1))], samples: samples, stepErrors: [])
        #expect(abs(m.pausedAfter - 0.4) < 1e-9 && m.pausedBefore == 0)
        guard let after = m.throughputAfter, let before = m.throughputBefore else {
            Issue.record("not measured: \(m)")
            return
        }
        #expect(after / before > 0.95, "\(after) vs \(before)")
        // Without the engine's report of its pause the same run reads as a drop.
        let blind = DrillMeasurements.measure(verdict: .initial(expectedMoney: 100), events: [], recoveries: [r],
                                              steps: [(2, .kill(1))], samples: samples, stepErrors: [])
        #expect((blind.throughputAfter ?? .infinity) / before < 0.7)
    }

    @Test("a rate measured before the fault above the job's own rate (sources making up for a pause) is taken as the job's rate")
    func beforeCappedAtTheJobsRate() {
        // 10,000/s, but the 2 s before a fault at 3 s held a pause the sources made up for.
        let s = Self.samples()
        let events = [EngineEvent(time: 2.0, .enginePaused(seconds: 0.3))]
        let m = DrillMeasurements.measure(verdict: .initial(expectedMoney: 100), events: events, recoveries: [],
                                          steps: [(3, .kill(1))], samples: s, stepErrors: [], rate: 10_000)
        #expect(m.throughputBefore == 10_000)
        #expect((m.measuredBefore ?? 0) > 10_000, "\(m)")
        let free = DrillMeasurements.measure(verdict: .initial(expectedMoney: 100), events: events, recoveries: [],
                                             steps: [(3, .kill(1))], samples: s, stepErrors: [])
        #expect((free.throughputBefore ?? 0) > 10_000 && free.measuredBefore == nil)
    }

    @Test("a Flink drill's `kill tm busiest` (no engine node) is measured, not trapped on")
    func busiestIsNoNode() {
        // A recovery that restored two nodes, after `kill tm busiest` at 5 s (Command.busiest is -1).
        let r = ClusterSnapshot.Recovery(reason: "taskmanager lost", detect: 0.4, restore: 0.2, replay: nil, checkpoint: 3,
                                         sources: [], at: 5.5, restoredFrom: [.shards, .local])
        let m = DrillMeasurements.measure(verdict: .initial(expectedMoney: 100), events: [], recoveries: [r],
                                          steps: [(5, .kill(Command.busiest)), (5.2, .kill(0))], samples: Self.samples(), stepErrors: [])
        #expect(m.faultRestores == [DrillMeasurements.FaultRestore(node: 0, from: .shards)])
        #expect(m.detections == [0.4])
    }

    @Test("an audit that found the sink wrong during the run fails exactly_once though the last one is exact, unless a step damaged the sink before it")
    func brokenAuditsDuringTheRun() {
        var exact = AuditVerdict.initial(expectedMoney: 100)
        exact.checkpoint = 5
        exact.committedTransfers = 1308
        let wrong = EngineEvent(time: 6.0, .auditMismatch(epoch: 3, lost: 0, duplicated: 217, accounts: 160, moneyConserved: false))
        let m = DrillMeasurements.measure(verdict: exact, events: [wrong], recoveries: [], steps: [(5.3, .kill(0))],
                                          samples: Self.samples(), stepErrors: [])
        #expect(m.brokenAudits == [DrillMeasurements.BrokenAudit(time: 6.0, epoch: 3, lost: 0, duplicated: 217, accounts: 160)])
        var expect = Expectations()
        expect.exactlyOnce = true
        let v = expect.evaluate(m, steps: 1).first { $0.name == "exactly_once" }
        #expect(v?.passed == false)
        #expect(v?.measured == "0 lost, 0 duplicated, 1308 committed; but at 6.0s the audit of epoch 3 found 0 lost, 217 duplicated, 160 accounts wrong, and no step damaged the sink")
        // After `corrupt rows` the auditor finding the rows wrong is its work, not a broken epoch.
        let shuffled = DrillMeasurements.measure(verdict: exact, events: [wrong], recoveries: [], steps: [(5.3, .corruptRows)],
                                                 samples: Self.samples(), stepErrors: [])
        #expect(shuffled.brokenAudits.isEmpty)
        #expect(expect.evaluate(shuffled, steps: 1).first { $0.name == "exactly_once" }?.passed == true)
        // A damage step after the mismatch does not excuse it.
        let later = DrillMeasurements.measure(verdict: exact, events: [wrong], recoveries: [], steps: [(7, .corruptSink)],
                                              samples: Self.samples(), stepErrors: [])
        #expect(later.brokenAudits.count == 1)
    }
}

