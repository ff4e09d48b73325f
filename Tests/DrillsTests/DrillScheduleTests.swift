@testable import Drills
import Engine
import Testing

/// The one schedule player on its own, in virtual time: no engine, snapshots made by hand.
@Suite("Drill schedule")
struct DrillScheduleTests {
    static func drill(_ steps: [(Double, Command)], duration: Double = 5) -> Drill {
        Drill(name: "t", description: "", duration: duration, job: Drill.Job(),
              steps: steps.map { Drill.Step(at: $0.0, command: $0.1, caption: "did \($0.1)") }, expect: Expectations(), source: "t")
    }

    static func snapshot(rate: Double = 1000) -> ClusterSnapshot {
        var s = ClusterSnapshot(uptime: 0, nodes: [])
        s.producedPerSecond = rate
        return s
    }

    /// Drives a schedule on a 100 ms grid and at its steps' times, as the runner does;
    /// returns every action with the time it came.
    static func play(_ schedule: inout DrillSchedule, refuse: Set<Int> = [], snapshot: (Double) -> ClusterSnapshot = { _ in snapshot() }) -> [(Double, DrillSchedule.Action)] {
        var out: [(Double, DrillSchedule.Action)] = []
        var t = 0.0, ticks = 0
        while true {
            for a in schedule.advance(to: t, snapshot: { snapshot(t) }) {
                out.append((t, a))
                if case let .apply(i, step) = a { schedule.applied(step, at: t, error: refuse.contains(i) ? CommandError("no") : nil) }
            }
            if schedule.ended { return out }
            while Double(ticks) * DrillSchedule.tick <= t + 1e-9 { ticks += 1 }
            t = min(schedule.drill.duration, min(schedule.nextStep?.at ?? .infinity, Double(ticks) * DrillSchedule.tick))
        }
    }

    @Test("steps come at their times, in order, then the end; refusals are step errors")
    func stepsInOrder() {
        var s = DrillSchedule(Self.drill([(1, .kill(1)), (2.02, .kill(2)), (2.02, .heal(nil))], duration: 3))
        let actions = Self.play(&s, refuse: [1])
        let applied = actions.compactMap { t, a -> (Double, Int)? in if case let .apply(i, _) = a { (t, i) } else { nil } }
        #expect(applied.map(\.1) == [0, 1, 2])
        #expect(applied.map(\.0) == [1, 2.02, 2.02])
        #expect(actions.last.map { $0.0 == 3 && $0.1 == .finished } == true)
        #expect(s.applied.map(\.command) == [.kill(1), .heal(nil)])
        #expect(s.stepErrors.count == 1 && s.stepErrors[0].contains("kill 2"))
        #expect(s.entries.map(\.text) == ["kill 1 — did kill 1", "kill 2 — refused: no — did kill 2", "heal all — did heal all"])
        #expect(s.caption?.text == "did heal all")
        #expect(s.advance(to: 4, snapshot: { Self.snapshot() }).isEmpty)
    }

    @Test("a pause holds the steps back by the time paused, and the time paused does not count")
    func pause() {
        var s = DrillSchedule(Self.drill([(1, .kill(1))]))
        #expect(s.advance(to: 0.5, snapshot: { Self.snapshot() }).isEmpty)
        s.pause(at: 0.5)
        #expect(s.advance(to: 1.5, snapshot: { Self.snapshot() }).isEmpty)
        #expect(s.elapsed(at: 1.5) == 0.5)
        s.resume(at: 2)
        #expect(s.advance(to: 2.4, snapshot: { Self.snapshot() }).isEmpty)
        #expect(s.advance(to: 2.5, snapshot: { Self.snapshot() }) == [.apply(index: 0, step: s.drill.steps[0])])
        #expect(s.pausedSeconds == 1.5)
    }

    @Test("a steady state that does not hold stops the schedule before the first step, nothing injected")
    func notSteady() {
        var d = Self.drill([(2, .kill(1))])
        var st = SteadyState(duration: 1)
        st.minThroughput = 500
        d.steadyState = st
        var s = DrillSchedule(d)
        let actions = Self.play(&s, snapshot: { t in Self.snapshot(rate: t < 1.5 ? 10 : 1000) })
        #expect(!actions.contains { if case .apply = $0.1 { true } else { false } })
        guard case let .stop(.notSteady(miss))? = actions.last?.1 else { Issue.record("\(actions)"); return }
        #expect(miss.check == "min_throughput")
        let r = s.result(runtime: "t", verdict: .initial(expectedMoney: 0), events: [], recoveries: [], receipts: [], config: nil, wallSeconds: 0)
        #expect(!r.passed)
        #expect(r.verdicts.contains { $0.name == "steady_state" && !$0.passed })
        #expect(r.verdicts.contains { $0.name == "steps" && $0.measured.contains("0 of 1") })
    }

    @Test("an abort condition stops the schedule at the tick it fires; later steps never come")
    func abortCondition() {
        var d = Self.drill([(1, .kill(1)), (3, .kill(2))])
        var a = AbortConditions()
        a.maxLost = 0
        d.abort = a
        var s = DrillSchedule(d)
        let actions = Self.play(&s, snapshot: { t in
            var snap = Self.snapshot()
            if t >= 2 { snap.audit.lost = 5 }
            return snap
        })
        #expect(actions.filter { if case .apply = $0.1 { true } else { false } }.count == 1)
        guard let last = actions.last, case let .stop(.abort(miss)) = last.1 else { Issue.record("\(actions)"); return }
        #expect(abs(last.0 - 2) < 1e-9)
        #expect(miss.check == "max_lost")
    }

    @Test("the abort key ends the schedule with the abort in its verdict")
    func abortKey() {
        var s = DrillSchedule(Self.drill([(1, .kill(1)), (3, .kill(2))]))
        _ = s.advance(to: 1, snapshot: { Self.snapshot() })
        let first = s.abort(reason: "the operator pressed !", at: 1.5)
        #expect(first)
        #expect(s.ended)
        let second = s.abort(reason: "again", at: 1.6)
        #expect(!second)
        let r = s.result(runtime: "t", verdict: .initial(expectedMoney: 0), events: [], recoveries: [], receipts: [], config: nil, wallSeconds: 0)
        #expect(r.verdicts.contains { $0.name == "abort" && !$0.passed })
    }

    @Test("snapshots are taken only when a sample or the guards need one")
    func snapshotsOnlyWhenNeeded() {
        var s = DrillSchedule(Self.drill([(1, .kill(1))]))
        var looks = 0
        for k in 0...30 { _ = s.advance(to: Double(k) * 0.01, snapshot: { looks += 1; return Self.snapshot() }) }
        #expect(looks == 4, "one sample each 100 ms over 0.3 s: \(looks)")
    }
}

/// A drill played live (the player turned by the paced simulation, as in the dashboard) and
/// headless (the runner) on the simulated runtime gives the same result.
@Suite("Live and headless drills agree")
struct LiveHeadlessTests {
    @Test("every built-in drill: the same steps at the same times and the same verdicts", arguments: BuiltInDrills.engine.map(\.name))
    func sameResult(name: String) throws {
        let drill = try #require(try BuiltInDrills.drill(name))
        let headless = DrillRunner(drill: drill).run(on: try DrillTarget.simulated(drill, seed: drill.job.seed))
        let paced = try PacedSimulation(config: DrillTarget.simulatedConfig(drill.job.config), seed: drill.job.seed, replicas: drill.job.replicas)
        let player = DrillPlayer(engine: paced, drill: drill, record: nil)
        player.start()
        var turns = 0
        while player.result == nil && turns < 100_000 {
            paced.turn(reached: .infinity)
            turns += 1
        }
        try player.stop()
        // As the dashboard does on quit: the final audit, then the recount against it.
        player.judgeTruth(finalVerdict: paced.finish())
        let live = try #require(player.result)
        #expect(live.verdicts.last?.name == "tells_truth" && live.verdicts.last?.passed == true, "\(live.verdicts.last.map(\.measured) ?? "none")")
        #expect(live.measurements.stepErrors == headless.measurements.stepErrors)
        #expect(live.timeline.filter { $0.kind == "step" } == headless.timeline.filter { $0.kind == "step" })
        #expect(live.verdicts.map { "\($0.name): \($0.passed)" } == headless.verdicts.map { "\($0.name): \($0.passed)" })
        #expect(live.measurements.detections == headless.measurements.detections)
        #expect(live.measurements.recoveries == headless.measurements.recoveries)
        #expect(live.measurements.restoredFrom == headless.measurements.restoredFrom)
        #expect(live.measurements.seenEvents == headless.measurements.seenEvents)
        #expect(live.passed == headless.passed)
    }
}
