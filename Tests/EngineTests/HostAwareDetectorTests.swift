@testable import Engine
import Testing

/// The detector that knows its host, in exact virtual time: a dead or hung node is found
/// as fast as ever; a node late because the host is slow is not declared dead; a node
/// that heartbeats without progress is stalled (a gray failure), not down, and a stall long
/// enough to matter still ends in a recovery.
@Suite("A detector that knows its host")
struct HostAwareDetectorTests {
    static let ms: UInt64 = 1_000_000

    static func config() -> JobConfig {
        var c = JobConfig()
        c.nodes = 4
        c.partitions = 4
        c.checkpointInterval = nil
        return c
    }

    /// A control plane alone, driven tick by tick. Each node beats every 50 ms unless
    /// silent (dead or hung: no beats, no work) or its beat is held back until `heldUntil`
    /// (its heartbeat sender starved, its work going on); its work turns on every tick
    /// unless it is silent or stuck (or held back with `workHeld`).
    struct Harness {
        var plane = ControlPlane(config: HostAwareDetectorTests.config(), startNanos: 0)
        var t: UInt64 = 0
        var beats: [UInt64] = Array(repeating: 0, count: 4)
        var progress: [UInt64] = Array(repeating: 0, count: 4)
        var silent: Set<Int> = []
        var stuck: Set<Int> = []
        var heldUntil: [UInt64] = Array(repeating: 0, count: 4)
        /// Whether a node's work is held back with its beats (the whole node descheduled).
        var workHeld: Set<Int> = []
        /// Every `lateEvery`-th tick comes this much late (the control plane's own thread
        /// starved by a neighbour); 0: never.
        var lateBy: UInt64 = 0
        var lateEvery = 0
        var ticks = 0
        var log: [(UInt64, ControlAction)] = []

        mutating func run(until: UInt64) {
            while t < until {
                ticks += 1
                t += ControlPlane.tickNanos + (lateEvery > 0 && ticks % lateEvery == 0 ? lateBy : 0)
                for i in 0..<4 where !silent.contains(i) && t >= heldUntil[i] && t - beats[i] >= ControlPlane.heartbeatNanos { beats[i] = t }
                for i in 0..<4 where !stuck.contains(i) && !silent.contains(i) && !(workHeld.contains(i) && t < heldUntil[i]) { progress[i] = t }
                let o = ControlPlane.Observation(heartbeats: beats, progress: progress, stalled: [false, false, false, false],
                                                 offsetsRead: 0, checkpoint: .idle, heldForAudit: false, stopping: false)
                for a in plane.tick(at: t, o) {
                    log.append((t, a))
                    // A recovery is carried out at once, every node restored locally.
                    if case let .recover(order) = a {
                        let result = RecoveryResult(checkpoint: 1, newest: 1, sources: Array(repeating: .local, count: 4), skipped: [], rebuilt: [])
                        for i in order.failed { beats[i] = t; progress[i] = t; silent.remove(i); stuck.remove(i) }
                        log += plane.recovered(order, plan: result, restoreSeconds: 0.001, at: t).map { (t, $0) }
                    }
                }
            }
        }

        var events: [(UInt64, EngineEvent.Detail)] { log.compactMap { if case let .event(d) = $0.1 { ($0.0, d) } else { nil } } }

        func downs(_ node: Int) -> [UInt64] {
            events.compactMap { if case .nodeDown(node: node, _, _) = $0.1 { $0.0 } else { nil } }
        }

        var recoveries: Int { log.filter { if case .recover = $0.1 { true } else { false } }.count }

        /// After a quiet second, node `node`'s work stops (its beats go on) for `nanos`;
        /// returns when it last turned.
        mutating func stall(_ node: Int, ticking nanos: UInt64) -> UInt64 {
            run(until: 1_000 * HostAwareDetectorTests.ms)
            stuck = [node]
            let from = progress[node]
            run(until: t + nanos)
            return from
        }

        /// The first stall event of `node` in `phase`, with its time.
        func stallEvent(_ node: Int, _ phase: EngineEvent.StallPhase) -> (UInt64, Double)? {
            events.lazy.compactMap { if case let .nodeStalled(n, s, p) = $0.1, n == node, p == phase { ($0.0, s) } else { nil } }.first
        }
    }

    @Test("a quiet host: a node that dies is down after 186 ms, and the host's health stays 0")
    func quietKill() {
        var h = Harness()
        h.run(until: 2_000 * Self.ms)
        h.silent = [1]
        let last = h.beats[1]
        h.run(until: 2_600 * Self.ms)
        #expect(h.plane.localHealth.score == 0)
        #expect(h.downs(1).first.map { $0 - last } == 186 * Self.ms)
    }

    @Test("a slow host: beats held back 205 ms are not a death; the detector's allowance grows with the signs")
    func slowHostLateBeats() {
        var h = Harness()
        // The control plane's own pass comes 60 ms late every 50 ticks (a starved host).
        h.lateBy = 60 * Self.ms
        h.lateEvery = 50
        h.run(until: 1_000 * Self.ms)
        // Node 2's heartbeats are held back 205 ms, three times (as a starved thread's are).
        for k in 0..<3 {
            h.heldUntil[2] = h.t + 205 * Self.ms
            h.run(until: h.t + 1_000 * Self.ms + UInt64(k) * 10 * Self.ms)
        }
        #expect(h.downs(2).isEmpty, "a late node was marked down at \(h.downs(2).map { $0 / Self.ms }) ms")
        #expect(h.recoveries == 0)
        #expect(h.plane.localHealth.score > 0)
        // A real death on that host is still found, later than on a quiet one but well
        // within 600 ms.
        h.silent = [3]
        let last = h.beats[3]
        h.run(until: h.t + 1_000 * Self.ms)
        let down = h.downs(3).first.map { $0 - last }
        #expect(down != nil && down! > 186 * Self.ms && down! <= 600 * Self.ms, "detected after \((down ?? 0) / Self.ms) ms")
    }

    @Test("on the same quiet host a node gone 250 ms, beats and work, is a death: the allowance is earned, not given")
    func quietHostLateBeatIsDown() {
        var h = Harness()
        h.run(until: 1_000 * Self.ms)
        h.heldUntil[2] = h.t + 250 * Self.ms
        h.workHeld = [2]
        h.run(until: h.t + 500 * Self.ms)
        #expect(h.downs(2).count == 1)
    }

    @Test("a node whose beats are 400 ms late while its work turns answers the probe: suspect, never down, said once; partitioned, it cannot answer")
    func probeAnswered() throws {
        var h = Harness()
        h.run(until: 1_000 * Self.ms)
        h.heldUntil[2] = h.t + 400 * Self.ms
        h.run(until: h.t + 300 * Self.ms)
        #expect(h.plane.health[2] == .suspect)
        h.run(until: h.t + 500 * Self.ms)
        #expect(h.downs(2).isEmpty && h.recoveries == 0)
        let said = h.events.filter { if case let .hostStall(m) = $0.1 { m.contains("node 2's heartbeats are") } else { false } }
        #expect(said.count == 1, "\(said)")
        #expect(h.plane.health[2] == .healthy)
        // The same late beats across a partition: the probe cannot reach it.
        guard case .success = h.plane.command(.partition(1), at: h.t) else { Issue.record("partition refused"); return }
        h.heldUntil[1] = h.t + 400 * Self.ms
        let last = h.beats[1]
        h.run(until: h.t + 400 * Self.ms)
        // Later than 186 ms: node 2's late beats were a sign of a slow host (Lifeguard's allowance).
        let down = h.downs(1).first.map { $0 - last }
        #expect(down != nil && down! <= 300 * Self.ms, "\((down ?? 0) / Self.ms) ms")
    }

    @Test("the host's health falls back once the signs stop: detection is fast again")
    func localHealthDecays() {
        var health = LocalHealth()
        for k in 0..<10 { health.refuted(after: 0.15, previous: Double(k) * 0.1 - 0.15, now: Double(k) * 0.1) }
        #expect(health.score == health.maxScore)
        #expect(health.extraPause > 0.2)
        health.settle(now: 0.9 + health.decay * Double(health.maxScore) + 0.001)
        #expect(health.score == 0 && health.extraPause == 0)
        // A late pass of the control plane is a sign; one on time is not.
        health.pass(gap: 0.002, period: 0.002, now: 100)
        #expect(health.score == 0)
        health.pass(gap: 0.02, period: 0.002, now: 100.02)
        #expect(health.score == 0)
        health.pass(gap: 0.06, period: 0.002, now: 100.08)
        #expect(health.score == 1)
    }

    @Test("a gap the control plane did not watch (its own long pass, a recovery) is not a refuted suspicion")
    func unwatchedGapsAreNoSign() {
        var health = LocalHealth()
        health.unwatched(until: 1.0)
        health.refuted(after: 0.2, previous: 0.9, now: 1.1)
        #expect(health.score == 0 && health.refuted == 0)
        health.pass(gap: 0.045, period: 0.002, now: 1.3)  // blind long enough to miss a beat, not late enough to count
        health.refuted(after: 0.15, previous: 1.2, now: 1.35)
        #expect(health.score == 0)
        health.refuted(after: 0.15, previous: 1.31, now: 1.46)
        #expect(health.score == 2 && health.refuted == 1 && abs(health.longestRefuted - 0.15) < 1e-12)
    }

    @Test("gray failure: heartbeats on, no progress: stalled after 300 ms (not down), ends when the work turns again")
    func grayFailureShortStall() throws {
        var h = Harness()
        let from = h.stall(1, ticking: 350 * Self.ms)
        let began = try #require(h.stallEvent(1, .began))
        #expect(began.0 - from == 300 * Self.ms)
        #expect(h.plane.health[1] == .stalled)
        h.run(until: from + 420 * Self.ms)
        h.stuck = []
        h.run(until: h.t + 100 * Self.ms)
        let ended = try #require(h.stallEvent(1, .ended))
        #expect(abs(ended.1 - 0.42) < 0.0025, "stalled \(ended.1) s")
        #expect(EngineEvent(time: 1.42, .nodeStalled(node: 1, seconds: ended.1, phase: .ended)).message == "node 1 made progress again after stalled on I/O 420 ms")
        #expect(h.plane.health[1] == .healthy)
        #expect(h.downs(1).isEmpty && h.recoveries == 0)
    }

    @Test("gray failure: a stall past the 2 s limit ends in a restart and a recovery, never in 'down' by phi")
    func grayFailureLongStall() throws {
        var h = Harness()
        let from = h.stall(2, ticking: 2_500 * Self.ms)
        let limit = try #require(h.stallEvent(2, .restarted))
        #expect(limit.0 - from == 2_000 * Self.ms)
        #expect(h.events.contains { $0.1 == .restartScheduled(node: 2, backoff: 0) })
        let order = try #require(h.log.compactMap { if case let .recover(o) = $0.1 { o } else { nil } }.first)
        #expect(order.failed == [2])
        #expect(h.downs(2).isEmpty, "a heartbeating node was reported down by phi")
        #expect(h.plane.health[2] == .healthy)
    }

    @Test("the whole host paused 350 ms (the control plane too): no node stalled, none down")
    func hostPauseIsNoStall() {
        var h = Harness()
        h.run(until: 1_000 * Self.ms)
        h.t += 350 * Self.ms  // nothing ran: no pass, no beat, no work
        h.run(until: h.t + 500 * Self.ms)
        #expect(h.events.contains { if case .enginePaused = $0.1 { true } else { false } })
        #expect(!h.events.contains { if case .nodeStalled = $0.1 { true } else { false } }, "\(h.events.map(\.1))")
        #expect((0..<4).allSatisfy { h.downs($0).isEmpty })
    }

    @Test("a hung node (no beats, no work) is down in 186 ms, not stalled")
    func hungIsDownNotStalled() throws {
        var h = Harness()
        h.run(until: 1_000 * Self.ms)
        h.silent = [0]
        h.stuck = [0]
        let last = h.beats[0]
        h.run(until: h.t + 400 * Self.ms)
        #expect(h.downs(0).first.map { $0 - last } == 186 * Self.ms)
        #expect(!h.events.contains { if case .nodeStalled = $0.1 { true } else { false } })
    }

    @Test("simulated runtime: a node stuck 420 ms while it heartbeats is shown stalled, not down; the audit stays exact")
    func simulatedShortStall() throws {
        let s = try SimulatedFaultTests.sim()
        s.stallWork(node: 3, seconds: 0.42)
        s.run(for: 0.35)
        #expect(s.snapshot().nodes[3].health == .stalled)
        s.run(for: 0.5)
        let ended = try #require(s.events.first { if case .nodeStalled(node: 3, _, .ended) = $0.detail { true } else { false } })
        guard case let .nodeStalled(_, seconds, _) = ended.detail else { return }
        #expect(abs(seconds - 0.42) < 0.005, "stalled \(seconds) s")
        #expect(!s.events.contains { if case .nodeDown = $0.detail { true } else { false } })
        #expect(s.recoveries.isEmpty)
        #expect(s.snapshot().nodes[3].health == .healthy)
        #expect(s.finish().exact)
    }

    @Test("simulated runtime: a node stuck for 3 s is restarted at the 2 s limit and the job recovers, audit exact")
    func simulatedLongStall() throws {
        let s = try SimulatedFaultTests.sim()
        s.stallWork(node: 1, seconds: 3)
        s.run(for: 2.5)
        #expect(s.events.contains { if case .nodeStalled(node: 1, _, .restarted) = $0.detail { true } else { false } })
        let r = try #require(s.recoveries.first)
        #expect(r.restoredFrom.count == 6)
        #expect(!s.events.contains { if case .nodeDown = $0.detail { true } else { false } })
        #expect(s.snapshot().nodes[1].incarnation == 2)
        #expect(s.finish().exact)
    }
}
