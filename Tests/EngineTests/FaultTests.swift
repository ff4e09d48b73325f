@testable import Engine
import Testing
import Foundation

/// A throttled threaded job on a scratch directory.
func threadedJob(_ name: String, rate: Double = 200_000, accounts: Int = 3000, interval: Double = 0.2, replicas: Int = 1) throws -> (ThreadedEngine, String) {
    let dir = NSTemporaryDirectory() + "firedrill-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let engine = try ThreadedEngine(config: threadedConfig(rate: rate, accounts: accounts, interval: interval), dataDirectory: dir,
                                    replicas: replicas, scrubIntervalMillis: 20)
    return (engine, dir)
}

/// `threadedJob` started, after its first two checkpoints.
func runningJob(_ name: String) throws -> (ThreadedEngine, String) {
    let (engine, dir) = try threadedJob(name)
    engine.start()
    #expect(eventually(5) { engine.snapshot().checkpointsCompleted >= 2 }, "\(name): no checkpoints")
    return (engine, dir)
}

/// Waits up to `seconds` for `condition`.
func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

@Suite("Faults on the threaded runtime", .serialized)
struct FaultTests {
    @Test("kill: detected, restarted, restored from a standby copy, audit exact")
    func kill() throws {
        let (engine, dir) = try runningJob("kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try engine.apply(text: "kill 2")
        #expect(eventually(3) { engine.snapshot().events.contains { $0.kind == .detection && $0.node == 2 } })
        #expect(eventually(5) { engine.snapshot().recoveries.contains { $0.replay != nil } })
        let s = engine.snapshot()
        let r = try #require(s.recoveries.first)
        #expect(r.sources.contains("node 2: standby copy on node 3"), "\(r.sources)")
        #expect((r.detect ?? 9) < 0.5, "detected after \(r.detect ?? -1) s")
        #expect(s.nodes[2].incarnation == 2)
        #expect(eventually(5) { engine.snapshot().checkpointsCompleted > s.checkpointsCompleted })
        let v = engine.stop(finalCheckpoint: true)
        #expect(v.exact && v.moneyConserved && v.committedTransfers > 0)
    }

    @Test("hang: a hung node is detected and replaced; a slow node is not marked down")
    func hangAndSlow() throws {
        let (engine, dir) = try runningJob("hang")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try engine.apply(text: "slow 1 20ms")
        usleep(1_500_000)
        #expect(!engine.snapshot().events.contains { $0.kind == .detection && $0.node == 1 }, "a slow node was marked down")
        #expect(engine.snapshot().nodes[1].health == .slow)
        try engine.apply(text: "hang 4")
        #expect(eventually(3) { engine.snapshot().events.contains { $0.kind == .detection && $0.node == 4 } })
        #expect(eventually(5) { engine.snapshot().recoveries.contains { $0.replay != nil } })
        try engine.apply(text: "heal all")
        let v = engine.stop(finalCheckpoint: true)
        #expect(v.exact && v.moneyConserved)
    }

    @Test("every node silent at once: held as a stalled host, no rollback if they resume; a lasting outage is still detected")
    func hostStall() throws {
        let (engine, dir) = try runningJob("stall")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let nodes = engine.snapshot().nodes.count
        // A short stall of every node (as when other processes hold every core).
        for i in 0..<nodes { try engine.apply(.hang(i)) }
        #expect(eventually(2) { engine.snapshot().events.contains { $0.message.contains("host looks stalled") } })
        usleep(300_000)
        #expect(!engine.snapshot().events.contains { $0.kind == .detection && $0.message.contains("is down") })
        try engine.apply(text: "heal all")
        #expect(eventually(2) { engine.snapshot().events.contains { $0.message.contains("heartbeats are back") } })
        usleep(500_000)
        var s = engine.snapshot()
        #expect(s.recoveries.isEmpty, "\(s.recoveries)")
        #expect(!s.events.contains { $0.kind == .detection && $0.message.contains("is down") })
        #expect(s.nodes.allSatisfy { $0.health == .healthy }, "\(s.nodes.map(\.health))")
        // Every node silent for good: after the hold the nodes are judged one by one.
        for i in 0..<nodes { try engine.apply(.hang(i)) }
        #expect(eventually(5) { engine.snapshot().events.contains { $0.message.contains("one by one") } })
        #expect(eventually(5) { engine.snapshot().recoveries.contains { $0.replay != nil } })
        s = engine.snapshot()
        let r = try #require(s.recoveries.first)
        #expect((r.detect ?? 0) > 0.9, "detected after \(r.detect ?? -1) s: the hold should have come first")
        try engine.apply(text: "heal all")
        let v = engine.stop(finalCheckpoint: true)
        #expect(v.exact && v.moneyConserved)
    }

    @Test("a corrupted frame is retransmitted, not dropped")
    func corruptFrame() throws {
        let (engine, dir) = try threadedJob("frame")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        engine.start()
        #expect(eventually(5) { engine.snapshot().checkpointsCompleted >= 1 })
        for _ in 0..<3 {
            try engine.apply(text: "corrupt frame 0")
            usleep(100_000)
        }
        #expect(eventually(3) { engine.snapshot().nodes[1].retransmits >= 3 })
        let events = engine.snapshot().events
        #expect(events.contains { $0.kind == .repair && $0.message.contains("failed its CRC32C") })
        #expect(events.contains { $0.message.contains("degraded") })
        #expect(engine.snapshot().recoveries.isEmpty)
        let v = engine.stop(finalCheckpoint: true)
        #expect(v.exact && v.moneyConserved)
    }

    @Test("partition: detected, quarantined after repeated restarts, rejoins on heal")
    func partition() throws {
        let (engine, dir) = try runningJob("partition")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try engine.apply(text: "partition 3")
        #expect(eventually(4) { engine.snapshot().events.contains { $0.kind == .detection && $0.node == 3 } })
        #expect(eventually(15) { engine.snapshot().nodes[3].health == .quarantined })
        try engine.apply(text: "heal all")
        #expect(eventually(5) { engine.snapshot().nodes[3].health == .healthy })
        let before = engine.snapshot().checkpointsCompleted
        #expect(eventually(5) { engine.snapshot().checkpointsCompleted > before })
        let v = engine.stop(finalCheckpoint: true)
        #expect(v.exact && v.moneyConserved)
    }

    @Test("bit rot and a wiped disk are repaired by the scrubber, byte for byte")
    func scrubber() throws {
        let (engine, dir) = try threadedJob("scrub", interval: 5)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        engine.start()
        engine.checkpointNow()
        #expect(eventually(5) { engine.snapshot().checkpointsCompleted >= 1 })
        let store = engine.worker.persistence.store
        let id = try #require(try store.checkpointIDs().last)
        let m = try store.manifest(id)
        let path = ShardStore.shardPath(checkpoint: id, shard: 1, disk: m.shards[1].disk)
        let original = try #require(try store.disk.read(path))
        try engine.apply(text: "corrupt shard latest 1")
        #expect(try store.disk.read(path) != original)
        #expect(eventually(5) { (try? store.disk.read(path)) == original })
        try engine.apply(text: "wipe 0")
        #expect(eventually(5) { store.scrub(id, repair: false).corrupt + store.scrub(id, repair: false).missing == 0 })
        #expect(engine.snapshot().events.contains { $0.kind == .repair && $0.message.contains("scrubber rewrote") })
        let v = engine.stop(finalCheckpoint: true)
        #expect(v.exact)
    }

    @Test("bad commands are refused with a clear error and nothing done")
    func badCommands() throws {
        let (engine, dir) = try threadedJob("bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: CommandError.self) { try engine.apply(text: "kill 9") }
        #expect(throws: CommandError.self) { try engine.apply(text: "frobnicate") }
        #expect(throws: CommandError.self) { try engine.apply(text: "corrupt shard latest 1") }  // no checkpoint yet
        #expect(throws: CommandError.self) { try engine.apply(text: "corrupt shard 7 9") }
        #expect(engine.snapshot().events.filter { $0.kind == .operatorAction }.isEmpty)
    }
}
