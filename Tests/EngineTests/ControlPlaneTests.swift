@testable import Engine
import Testing

/// The control plane alone: inputs in, actions out, in exact virtual time.
@Suite("Control plane")
struct ControlPlaneTests {
    static let ms: UInt64 = 1_000_000

    func config(interval: Double? = 1) -> JobConfig {
        var c = JobConfig()
        c.nodes = 4
        c.partitions = 4
        c.checkpointInterval = interval
        return c
    }

    /// A harness: every live node beats every 50 ms; the plane ticks every 2 ms.
    struct Harness {
        var plane: ControlPlane
        var t: UInt64 = 0
        var beats: [UInt64]
        var silent: Set<Int> = []
        var progress = ControlPlane.CheckpointProgress.idle
        var held = false
        var offsets: Int64 = 0
        var log: [(UInt64, ControlAction)] = []

        init(_ c: JobConfig) {
            plane = ControlPlane(config: c, startNanos: 0)
            beats = Array(repeating: 0, count: c.nodes)
        }

        /// Ticks until `until` (nanoseconds), returning every action with its time.
        @discardableResult
        mutating func run(until: UInt64) -> [(UInt64, ControlAction)] {
            var out: [(UInt64, ControlAction)] = []
            while t < until {
                t += ControlPlane.tickNanos
                for i in beats.indices where !silent.contains(i) && t - beats[i] >= ControlPlane.heartbeatNanos { beats[i] = t }
                let o = ControlPlane.Observation(heartbeats: beats, stalled: Array(repeating: false, count: beats.count), offsetsRead: offsets,
                                                 checkpoint: progress, heldForAudit: held, stopping: false)
                for a in plane.tick(at: t, o) { out.append((t, a)) }
            }
            log += out
            return out
        }
    }

    static func events(_ actions: [(UInt64, ControlAction)]) -> [(UInt64, EngineEvent.Detail)] {
        actions.compactMap { if case let .event(d) = $0.1 { ($0.0, d) } else { nil } }
    }

    @Test("a killed node: kill acted at once, marked down after exactly 186 ms of silence, restarted, rolled back, caught up")
    func killStory() throws {
        var h = Harness(config())
        h.run(until: 2_000 * Self.ms)
        let kill = try h.plane.command(.kill(2), at: h.t).get()
        #expect(kill == [.kill(2)])
        #expect(h.plane.conditions[2] == .dead)
        h.silent = [2]
        let lastBeat = h.beats[2]
        // Tick until the plane orders a recovery (a runtime carries it out at once).
        var acts: [(UInt64, ControlAction)] = []
        while !acts.contains(where: { if case .recover = $0.1 { true } else { false } }) && h.t < 3_000 * Self.ms {
            acts += h.run(until: h.t + ControlPlane.tickNanos)
        }
        let down = try #require(Self.events(acts).first { if case .nodeDown = $0.1 { true } else { false } })
        // Beats every 50 ms with the detector's 20 ms least deviation and 30 ms tolerated
        // pause: phi reaches 8 at 186 ms of silence (on the 2 ms tick grid).
        #expect(down.0 - lastBeat == 186 * Self.ms, "marked down after \((down.0 - lastBeat) / Self.ms) ms")
        guard case let .nodeDown(node, phi, silence) = down.1 else { return }
        #expect(node == 2 && phi >= 8 && abs(silence - 0.186) < 1e-9)
        #expect(Self.events(acts).contains { $0.1 == .restartScheduled(node: 2, backoff: 0) })
        // The restart is due at once: the next tick orders the recovery, with node 2 failed.
        let order = try #require(acts.compactMap { if case let .recover(o) = $0.1 { o } else { nil } }.first)
        #expect(order.failed == [2])
        #expect(h.plane.health[2] == .recovering)
        // No checkpoint begins while node 2 is dead.
        #expect(!acts.contains { $0.1 == .beginCheckpoint })
        let result = RecoveryResult(checkpoint: 7, newest: 7, sources: [.local, .local, .standby(peer: 3), .local], skipped: [], rebuilt: [])
        let told = h.plane.recovered(order, plan: result, restoreSeconds: 0.004, at: h.t)
        #expect(told == [.event(.rolledBack(checkpoint: 7, seconds: 0.004, sources: [.local, .local, .standby(peer: 3), .local]))])
        #expect(h.plane.conditions == [.alive, .alive, .alive, .alive])
        let r = try #require(h.plane.recoveries.last)
        #expect(abs((r.detect ?? 0) - 0.186) < 0.003, "fault to down \(r.detect ?? -1)")
        #expect(r.restoredFrom == [.local, .local, .standby(peer: 3), .local])
        #expect(r.replay == nil)
        // The replay is caught up when the sources are back where they were.
        h.silent = []
        h.offsets = order.offsetsRead - 1
        #expect(!Self.events(h.run(until: h.t + 10 * Self.ms)).contains { if case .caughtUp = $0.1 { true } else { false } })
        h.offsets = order.offsetsRead
        let caught = Self.events(h.run(until: h.t + 2 * Self.ms))
        #expect(caught.contains { if case .caughtUp = $0.1 { true } else { false } })
        #expect(h.plane.recoveries.last?.replay != nil)
    }

    @Test("a command naming a node that does not exist is refused, nothing done")
    func badNode() {
        var p = ControlPlane(config: config(), startNanos: 0)
        let before = p.conditions
        switch p.command(.kill(9), at: 0) {
        case .success: Issue.record("kill 9 accepted on 4 nodes")
        case let .failure(e): #expect(e.description == "node 9 does not exist: nodes are 0-3")
        }
        #expect(p.conditions == before)
    }

    @Test("checkpoints: begun on the interval, not while held for the audit, abandoned after the timeout")
    func checkpoints() {
        var h = Harness(config(interval: 1))
        let first = h.run(until: 1_001 * Self.ms).filter { $0.1 == .beginCheckpoint }
        #expect(first.map(\.0) == [1_000 * Self.ms])
        h.held = true
        #expect(!h.run(until: 3_000 * Self.ms).contains { $0.1 == .beginCheckpoint })
        h.held = false
        #expect(h.run(until: 3_002 * Self.ms).contains { $0.1 == .beginCheckpoint })
        // Aligning since 3 s: abandoned once 10 s (the least timeout) have passed.
        h.progress = .aligning(since: 3_002 * Self.ms)
        let aligned = h.run(until: 13_010 * Self.ms)
        let abandon = aligned.first { if case .abandonCheckpoint = $0.1 { true } else { false } }
        #expect(abandon?.0 == 13_004 * Self.ms)
        #expect(abandon?.1 == .abandonCheckpoint(.alignmentTimeout(seconds: 10)))
    }

    @Test("hang and heal: hung while the detector has not judged it; healing a partition rolls back")
    func hangAndPartition() throws {
        var h = Harness(config())
        h.run(until: 1_000 * Self.ms)
        #expect(try h.plane.command(.hang(1), at: h.t).get() == [.hang(1)])
        h.silent = [1]
        h.run(until: h.t + 20 * Self.ms)
        #expect(h.plane.health[1] == .hung)
        #expect(try h.plane.command(.heal(1), at: h.t).get() == [.resume(1)])
        h.silent = []
        #expect(h.plane.conditions[1] == .alive)
        #expect(try h.plane.command(.partition(3), at: h.t).get() == [.partition(3, true)])
        h.run(until: h.t + 10 * Self.ms)
        #expect(h.plane.health[3] == .partitioned)
        #expect(try h.plane.command(.heal(nil), at: h.t).get() == [.partition(3, false)])
        let next = h.run(until: h.t + 2 * Self.ms)
        #expect(next.contains { if case let .recover(o) = $0.1 { o.reason == "partition healed" && o.failed.isEmpty } else { false } })
    }

    @Test("restarts past the limit quarantine the node (killed, no more restarts) until healed")
    func quarantine() throws {
        var h = Harness(config())
        h.run(until: 1_000 * Self.ms)
        h.silent = [0]
        var quarantined = false
        for _ in 0..<7 {
            let acts = h.run(until: h.t + 400 * Self.ms)
            if let order = acts.compactMap({ if case let .recover(o) = $0.1 { o } else { nil } }).first {
                _ = h.plane.recovered(order, plan: RecoveryResult(checkpoint: nil, newest: nil, sources: [], skipped: [], rebuilt: []), restoreSeconds: 0, at: h.t)
                h.beats[0] = h.t
            }
            if Self.events(acts).contains(where: { if case .quarantined(node: 0, _, _) = $0.1 { true } else { false } }) {
                quarantined = true
                #expect(acts.contains { $0.1 == .kill(0) })
                break
            }
        }
        #expect(quarantined)
        #expect(h.plane.health[0] == .quarantined)
        _ = try h.plane.command(.heal(0), at: h.t).get()
        let rejoin = h.run(until: h.t + 2 * Self.ms)
        #expect(rejoin.contains { if case let .recover(o) = $0.1 { o.failed == [0] } else { false } })
    }
}
