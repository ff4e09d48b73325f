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
