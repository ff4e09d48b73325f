@testable import Engine
import Testing

@Suite("Supervisor policy")
struct SupervisorTests {
    @Test("the first restart is at once, then backoff doubles from 100 ms")
    func backoff() {
        var s = Supervisor(nodes: 2)
        var now = 0.0
        var backoffs: [Double] = []
        for _ in 0..<5 {
            guard case let .restart(at, backoff) = s.down(0, now: now) else {
                Issue.record("expected a restart")
                return
            }
            #expect(at == now + backoff)
            backoffs.append(backoff)
            #expect(s.dueRestarts(now: at - 0.001).isEmpty)
            #expect(s.dueRestarts(now: at) == [0])
            now = at + 1
        }
        #expect(backoffs == [0, 0.1, 0.2, 0.4, 0.8])
        #expect(s.recentRestarts(0, now: now) == 5)
        #expect(s.recentRestarts(1, now: now) == 0)
    }

    @Test("a node down twice before its restart is one decision")
    func alreadyHandled() {
        var s = Supervisor(nodes: 1)
        _ = s.down(0, now: 0)
        _ = s.dueRestarts(now: 0)
        #expect(s.down(0, now: 1) == .restart(at: 1.1, backoff: 0.1))
        #expect(s.down(0, now: 1.05) == .alreadyHandled)
    }

    @Test("past 5 restarts in 30 s the node is quarantined until healed; old restarts age out")
    func quarantine() {
        var s = Supervisor(nodes: 2)
        for t in 0..<5 {
            _ = s.down(0, now: Double(t))
            _ = s.dueRestarts(now: Double(t) + 1)
        }
        #expect(s.down(0, now: 6) == .quarantine(restarts: 5))
        #expect(s.quarantined == [true, false])
        #expect(s.down(0, now: 7) == .alreadyHandled)
        s.heal(0)
        #expect(s.quarantined == [false, false])
        #expect(s.down(0, now: 8) == .restart(at: 8, backoff: 0))

        // The same count spread over more than the window never quarantines.
        var t = Supervisor(nodes: 1)
        for k in 0..<12 {
            let now = Double(k) * 10
            let d = t.down(0, now: now)
            if case .quarantine = d { Issue.record("quarantined at \(now) s") }
            _ = t.dueRestarts(now: now + 6)
        }
    }
}

@Suite("Phi-accrual detector")
struct PhiAccrualDetectorTests {
    @Test("regular heartbeats keep phi low; silence raises it past the threshold within 300 ms")
    func silence() {
        var d = PhiAccrualDetector()
        var t = 0.0
        for _ in 0..<100 {
            d.heartbeat(at: t)
            t += 0.05
        }
        let last = t - 0.05
        #expect(d.phi(at: last + 0.05) < 1)
        #expect(d.phi(at: last + 0.06) < d.threshold)
        // Phi only grows with silence.
        var previous = 0.0
        var crossed: Double?
        for ms in stride(from: 50, through: 400, by: 5) {
            let phi = d.phi(at: last + Double(ms) / 1000)
            #expect(phi >= previous)
            previous = phi
            if crossed == nil && phi >= d.threshold { crossed = Double(ms) / 1000 }
        }
        #expect((crossed ?? 9) < 0.3)
        #expect((crossed ?? 0) > 0.08)  // not on the first late heartbeat
    }

    @Test("a jittery history tolerates longer silence than a steady one")
    func jitter() {
        var steady = PhiAccrualDetector(), jittery = PhiAccrualDetector()
        var t = 0.0
        for i in 0..<100 {
            steady.heartbeat(at: Double(i) * 0.05)
            jittery.heartbeat(at: t)
            t += i % 2 == 0 ? 0.01 : 0.09  // the same 50 ms mean, wide spread
        }
        let lastSteady = 99 * 0.05, lastJittery = t - 0.09
        for silence in [0.1, 0.15, 0.2] {
            #expect(jittery.phi(at: lastJittery + silence) < steady.phi(at: lastSteady + silence))
        }
    }

    @Test("a restarted node's silence counts from its restart")
    func restart() {
        var d = PhiAccrualDetector()
        for i in 0..<50 { d.heartbeat(at: Double(i) * 0.05) }
        #expect(d.phi(at: 10) >= d.threshold)
        d.restarted(at: 10)
        #expect(d.phi(at: 10.02) < d.suspectThreshold)
    }
}

@Suite("Host stall guard")
struct HostStallGuardTests {
    let all = [Bool](repeating: true, count: 4)

    @Test("one node silent is judged as usual; every node silent 100 ms at once is held, then released")
    func holdAndRelease() {
        var g = HostStallGuard(hold: 1)
        #expect(g.judge(silence: [9, 0, 0, 0], live: all, now: 0) == .init(holdVerdicts: false, message: nil))
        let first = g.judge(silence: [9, 0.1, 0.5, 0.3], live: all, now: 1)
        #expect(first.holdVerdicts)
        #expect(first.message?.contains("host looks stalled") == true)
        #expect(g.judge(silence: [12, 9, 9, 8], live: all, now: 1.9) == .init(holdVerdicts: true, message: nil))
        let released = g.judge(silence: [20, 20, 20, 20], live: all, now: 2.1)
        #expect(!released.holdVerdicts)
        #expect(released.message?.contains("one by one") == true)
        #expect(g.judge(silence: [20, 20, 20, 20], live: all, now: 2.2) == .init(holdVerdicts: false, message: nil))
    }

    @Test("heartbeats back within the hold: said so, the rest get a grace, and the guard is ready again")
    func back() {
        var g = HostStallGuard(hold: 1)
        _ = g.judge(silence: [4, 4, 4, 4], live: all, now: 0)
        let back = g.judge(silence: [0.01, 4, 4, 4], live: all, now: 0.4)
        #expect(back.holdVerdicts)  // the others get 200 ms to catch up
        #expect(back.message?.contains("heartbeats are back after 400 ms") == true)
        #expect(g.since == nil)
        #expect(g.judge(silence: [0.01, 9, 0.02, 0.03], live: all, now: 0.55).holdVerdicts)
        // Node 1 did not come back: judged as usual after the grace.
        #expect(g.judge(silence: [0.01, 12, 0.02, 0.03], live: all, now: 0.61) == .init(holdVerdicts: false, message: nil))
        #expect(g.judge(silence: [4, 4, 4, 4], live: all, now: 5).holdVerdicts)
    }

    @Test("nodes already down or quarantined do not count; a single live node is never held")
    func liveOnly() {
        var g = HostStallGuard(hold: 1)
        // Node 0 is down (silent for good reason); 1-3 are late together: held.
        #expect(g.judge(silence: [30, 4, 4, 4], live: [false, true, true, true], now: 0).holdVerdicts)
        var h = HostStallGuard(hold: 1)
        #expect(!h.judge(silence: [30, 30, 30, 9], live: [false, false, false, true], now: 0).holdVerdicts)
    }
}

@Suite("Host pause")
struct HostPauseTests {
    @Test("a gap in the detector's own passes is reported with its length; regular passes are not")
    func pause() {
        var g = HostStallGuard(hold: 1, pauseThreshold: 0.1, resumeGrace: 0.2)
        var t = 0.0
        while t < 1 {
            #expect(g.beginPass(now: t) == nil)
            t += 0.002
        }
        // The process was stopped for half a second.
        let p = g.beginPass(now: t + 0.5)
        #expect(abs((p?.seconds ?? 0) - 0.502) < 0.001)
        let text = EngineEvent.Detail.enginePaused(seconds: p?.seconds ?? 0).text
        #expect(text.contains("did not run for 50"), "\(text)")
        #expect(g.beginPass(now: t + 0.503) == nil)
    }

    @Test("a recovery the detector ran itself is not a pause")
    func busy() {
        var g = HostStallGuard()
        #expect(g.beginPass(now: 0) == nil)
        g.busy(until: 0.8)
        #expect(g.beginPass(now: 0.802) == nil)
    }

    @Test("silence during a pause is not counted; silence after it is")
    func discount() {
        var d = PhiAccrualDetector()
        for i in 0..<50 { d.heartbeat(at: Double(i) * 0.05) }
        let last = 49 * 0.05
        // The host paused from last + 0.01 to last + 0.51.
        #expect(d.phi(at: last + 0.51) >= d.threshold)
        d.discount(0.5, now: last + 0.51)
        #expect(d.phi(at: last + 0.51) < 1)
        // A node that really died keeps going silent and is judged on what was observed.
        #expect(d.phi(at: last + 0.51 + 0.3) >= d.threshold)
        // Never into the future.
        var e = PhiAccrualDetector()
        e.heartbeat(at: 1)
        e.discount(5, now: 2)
        #expect(e.lastHeartbeat == 2)
    }

    @Test("a beat sent before a pause and seen after it does not undo the pause's credit (found by the SIGSTOP e2e)")
    func staleBeatAfterPause() {
        var d = PhiAccrualDetector()
        for i in 0..<50 { d.heartbeat(at: Double(i) * 0.05) }
        let last = 49 * 0.05
        // Beat at last + 0.04 just before the host stopped; the detector, after 0.5 s away,
        // credits the pause first and reads the beat after.
        d.discount(0.5, now: last + 0.55)
        d.heartbeat(at: last + 0.04)
        #expect(d.lastHeartbeat == last + 0.5)
        #expect(d.phi(at: last + 0.55) < d.threshold)
    }
}
