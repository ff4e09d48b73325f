@testable import Engine
import Foundation
import Testing

/// The faults on the simulated runtime, in virtual time, with exact expectations: the same
/// control plane as the threaded runtime decides, so these pin down its timing.
@Suite("Faults in virtual time")
struct SimulatedFaultTests {
    static func sim(seed: UInt64 = 3, replicas: Int = 1) throws -> SimulatedEngine {
        let s = try SimulatedEngine(config: simConfig(), seed: seed, replicas: replicas, scrubIntervalMillis: 20)
        s.run(for: 0.5)
        return s
    }

    static func first(_ s: SimulatedEngine, _ match: (EngineEvent.Detail) -> Bool) -> EngineEvent? {
        s.events.first { match($0.detail) }
    }

    @Test("kill: down after exactly 186 ms without a heartbeat, restarted at once, restored from the standby copy, caught up, reads keep counting")
    func kill() throws {
        let s = try Self.sim()
        let killedAt = s.uptime
        let readBefore = s.produced
        try s.apply(.kill(2))
        s.run(for: 0.6)
        let down = try #require(Self.first(s) { if case .nodeDown(node: 2, _, _) = $0 { true } else { false } })
        guard case let .nodeDown(_, phi, silence) = down.detail else { return }
        #expect(abs(silence - 0.186) < 1e-9, "silence \(silence)")
        #expect(phi >= 8)
        #expect(down.time - killedAt < 0.186 + 1e-9 && down.time - killedAt > 0.186 - 0.050 - 1e-9)
        #expect(Self.first(s) { $0 == .restartScheduled(node: 2, backoff: 0) } != nil)
        let r = try #require(s.recoveries.first)
        #expect(r.restoredFrom[2] == .standby(peer: 3))
        #expect(r.restoredFrom.enumerated().allSatisfy { $0.offset == 2 || $0.element == .local })
        #expect(abs((r.detect ?? -1) - (down.time - killedAt)) < 1e-9)
        #expect(r.replay != nil, "never caught up")
        #expect(Self.first(s) { if case .caughtUp = $0 { true } else { false } } != nil)
        #expect(s.snapshot().nodes[2].incarnation == 2)
        // Re-reads after the rollback count again: the total never goes back.
        #expect(s.produced > readBefore)
        let v = s.finish()
        #expect(v.exact && v.moneyConserved)
    }

    @Test("hang: hung until judged, down after 186 ms of silence; a slow node is never marked down")
    func hangAndSlow() throws {
        let s = try Self.sim()
        try s.apply(.slow(1, 0.002))
        try s.apply(.hang(4))
        s.run(for: 0.1)
        #expect(s.snapshot().nodes[4].health == .hung)
        #expect(s.snapshot().nodes[1].health == .slow)
        s.run(for: 0.5)
        let down = try #require(Self.first(s) { if case .nodeDown(node: 4, _, _) = $0 { true } else { false } })
        if case let .nodeDown(_, _, silence) = down.detail { #expect(abs(silence - 0.186) < 1e-9) }
        #expect(Self.first(s) { if case .nodeDown(node: 1, _, _) = $0 { true } else { false } } == nil, "the slow node was marked down")
        #expect(s.snapshot().nodes[4].health == .healthy)
        try s.apply(.heal(nil))
        #expect(s.finish().exact)
    }

    @Test("a corrupted frame is resent from the retransmit buffer; three in 10 s mark the link degraded; no rollback")
    func corruptFrame() throws {
        let s = try Self.sim()
        for _ in 0..<3 {
            try s.apply(.corruptFrame(0))
            s.run(for: 0.05)
        }
        let resent = s.events.filter { if case .frameCorrupt(_, from: 0, _) = $0.detail { true } else { false } }
        #expect(resent.count == 3)
        #expect(Self.first(s) { $0 == .linkDegraded(from: 0, to: 1) } != nil)
        #expect(s.recoveries.isEmpty)
        #expect(s.snapshot().nodes[1].retransmits == 3)
        #expect(s.finish().exact)
    }

    @Test("partition: detected, quarantined after 5 restarts, rejoins on heal and checkpoints again")
    func partition() throws {
        let s = try Self.sim()
        try s.apply(.partition(3))
        s.run(for: 0.3)
        #expect(s.snapshot().nodes[3].health != .healthy)
        #expect(Self.first(s) { if case .nodeDown(node: 3, _, _) = $0 { true } else { false } } != nil)
        s.run(for: 12)
        let q = try #require(Self.first(s) { if case .quarantined(node: 3, _, _) = $0 { true } else { false } })
        #expect(q.detail == .quarantined(node: 3, restarts: 5, window: 30))
        #expect(s.snapshot().nodes[3].health == .quarantined)
        try s.apply(.heal(nil))
        s.run(for: 0.5)
        #expect(s.snapshot().nodes[3].health == .healthy)
        let before = s.snapshot().checkpointsCompleted
        s.run(for: 0.5)
        #expect(s.snapshot().checkpointsCompleted > before)
        #expect(s.finish().exact)
    }

    @Test("bit rot and a wiped disk: the scrubber finds and rewrites them byte for byte and publishes disk health")
    func scrubber() throws {
        let s = try Self.sim()
        let store = s.persistence.store
        let id = try #require(try store.checkpointIDs().last)
        let m = try store.manifest(id)
        let path = ShardStore.shardPath(checkpoint: id, shard: 1, disk: m.shards[1].disk)
        let original = try #require(try store.disk.read(path))
        try s.apply(.corruptShard(.id(id), 1))
        #expect(try store.disk.read(path) != original)
        s.paused = true  // no new checkpoints: the retained ones stay
        s.run(for: 1)
        #expect(try store.disk.read(path) == original)
        #expect(Self.first(s) { if case .shardBad(checkpoint: id, shard: 1, _, _) = $0 { true } else { false } } != nil)
        let repaired = Self.first(s) { if case .shardRepaired(checkpoint: id, shard: 1, node: m.shards[1].disk, _) = $0 { true } else { false } }
        // Rebuilt from the intact others: at least k of them, never from itself.
        if case let .shardRepaired(_, _, _, from)? = repaired?.detail {
            #expect(from.count >= m.dataShards && !from.contains(1))
        } else { Issue.record("no shard-repaired event") }
        #expect(Self.first(s) { if case .scrubPassed(_, _, bad: 0) = $0 { true } else { false } } != nil)
        try s.apply(.wipeDisk(0))
        s.run(for: 1)
        #expect(store.scrub(id, repair: false).corrupt + store.scrub(id, repair: false).missing == 0)
        let nodes = s.snapshot().nodes
        #expect(nodes.allSatisfy { $0.badDiskShards == 0 })
        #expect(nodes[0].diskShards > 0 && nodes[0].lastDiskRepair != nil)
    }

    @Test("shards beyond what the code tolerates: the scrubber says so once, not on every pass")
    func scrubberBeyondTolerance() throws {
        let s = try Self.sim()
        let id = try #require(try s.persistence.store.checkpointIDs().last)
        s.paused = true  // no new checkpoints: the damaged one stays
        for shard in 0..<3 { try s.apply(.deleteShard(.id(id), shard)) }  // 4+2 tolerates 2
        s.run(for: 3)  // a pass every 20 ms: over a hundred passes
        let passes = s.events.filter { if case .scrubPassed = $0.detail { true } else { false } }
        #expect(passes.count == 1, "\(passes.map(\.message))")
        #expect(s.events.filter { if case .shardUnrepairable(checkpoint: id, _, _) = $0.detail { true } else { false } }.count == 3)
    }

    @Test("bad commands get the same clear error on both runtimes, and nothing is done")
    func sameErrors() throws {
        let s = try SimulatedEngine(config: simConfig(), seed: 1)
        let dir = NSTemporaryDirectory() + "firedrill-errors-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t = try ThreadedEngine(config: simConfig(), dataDirectory: dir)
        func error(_ apply: () throws(CommandError) -> Void) -> String? {
            do throws(CommandError) { try apply(); return nil } catch { return error.description }
        }
        for text in ["kill 9", "corrupt shard latest 1", "delete shard 7 9", "wipe 6", "heal 12"] {
            let a = error { () throws(CommandError) in try s.apply(text: text) }
            let b = error { () throws(CommandError) in try t.apply(text: text) }
            #expect(a != nil, "\(text) accepted")
            #expect(a == b, "\(text): simulated '\(a ?? "")', threaded '\(b ?? "")'")
        }
        // With a checkpoint: a shard past the last is refused alike.
        s.run(for: 0.2)
        let a = error { () throws(CommandError) in try s.apply(text: "corrupt shard latest 5") }
        #expect(a == nil)
        let missing = error { () throws(CommandError) in try s.apply(.corruptShard(.latest, 6)) }
        #expect(missing == "shard 6 does not exist: shards are 0-5")
        // Corrupting a shard that is gone is an error (the shared `damageShard`), not silence.
        #expect(error { () throws(CommandError) in try s.apply(text: "delete shard latest 2") } == nil)
        let gone = error { () throws(CommandError) in try s.apply(text: "corrupt shard latest 2") }
        #expect(gone?.hasSuffix("is missing") == true, "\(gone ?? "accepted")")
        #expect(s.events.filter { $0.kind == .operatorAction }.count == 2)
    }
}
