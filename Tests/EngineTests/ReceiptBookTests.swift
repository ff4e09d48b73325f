@testable import Engine
import Testing

/// Receipts from typed event sequences (as both runtimes log them), and from a real run
/// of the simulated runtime.
@Suite("Fault receipts")
struct ReceiptBookTests {
    var book = ReceiptBook()

    mutating func log(_ t: Double, _ d: EngineEvent.Detail, node: Int? = nil) { book.record(EngineEvent(time: t, node: node, d)) }

    func verdict(_ id: UInt64, exact: Bool = true) -> AuditVerdict {
        var v = AuditVerdict.initial(expectedMoney: 100)
        v.checkpoint = id
        v.exact = exact
        v.lost = exact ? 0 : 5
        return v
    }

    func steps(_ r: FaultReceipt) -> [String] { r.entries.map(\.step.name) }

    @Test("kill: detected, restarted, restored from the standby (replication), caught up, then proved by the audit of a checkpoint begun after the repair")
    mutating func kill() throws {
        log(3.0, .command(.kill(2)))
        var r = try #require(book.receipts.first)
        #expect(r.status == .pending && r.waiting == "waiting for the failure detector")
        log(3.138, .nodeDown(node: 2, phi: 8.2, silence: 0.186))
        log(3.138, .restartScheduled(node: 2, backoff: 0))
        log(3.138, .recoveryBegan(reason: "node 2 down"))
        book.checkpointBegan(7, at: 3.2)  // begun before the repair: no proof
        log(3.14, .rolledBack(checkpoint: 6, seconds: 0.002, sources: [.local, .local, .standby(peer: 3), .local, .local, .local]))
        book.audited(verdict(7), at: 3.3)
        r = try #require(book.receipts.first)
        #expect(r.status == .pending && r.waiting == "replaying from the checkpoint")
        log(3.712, .caughtUp(after: 0.572))
        r = try #require(book.receipts.first)
        #expect(r.status == .healed && r.healedAt == 3.712)
        book.checkpointBegan(8, at: 4.0)
        book.audited(verdict(8), at: 4.2)
        r = try #require(book.receipts.first)
        #expect(steps(r) == ["detected", "restarted", "restored", "caught-up", "audited"])
        #expect(r.entries.map(\.step.technique) == [.selfHealing, .selfHealing, .replication, .checkpoint, .audit])
        #expect(r.status == .proved && r.waiting == nil)
        #expect(r.line.contains("restored from the standby copy on node 3 in 2 ms"))
        #expect(r.line.contains("✓ audited exact at checkpoint 8, 488 ms later"))
        #expect(r.text(r.entries[0].step, after: 0.138) == "down after 138 ms (phi 8.2, 186 ms without a heartbeat)")
    }

    @Test("an audit that finds a difference disproves the receipt")
    mutating func disproved() throws {
        log(1, .command(.corruptFrame(0)))
        log(1.00001, .frameCorrupt(frame: 7, from: 0, why: "bad CRC"), node: 1)
        book.checkpointBegan(3, at: 1.5)
        book.audited(verdict(3, exact: false), at: 2)
        let r = try #require(book.receipts.first)
        #expect(steps(r) == ["frame-caught", "audited"])
        #expect(r.entries[0].step.technique == .checkAndCorrect)
        #expect(r.status == .disproved)
        #expect(r.line.contains("✗ audit at checkpoint 3: 5 lost"))
    }

    @Test("a rotted shard: found by the scrubber's CRC32C, rebuilt by the erasure code from the shards it names")
    mutating func shard() throws {
        log(3, .command(.corruptShard(.id(2), 1)))
        log(3.05, .shardBad(checkpoint: 2, shard: 1, node: 3, why: "CRC32C 0x1 manifest says 0x2"))
        log(3.05, .shardRepaired(checkpoint: 2, shard: 1, node: 3, from: [0, 2, 3, 4, 5]))
        let r = try #require(book.receipts.first)
        #expect(r.entries.map(\.step.technique) == [.checkAndCorrect, .erasureCode])
        #expect(r.status == .healed)
        #expect(r.text(r.entries[1].step, after: 0).contains("rebuilt from shards 0,2,3,4,5 (5 intact)"))
    }

    @Test("a wiped disk is repaired only when a whole scrubber pass found nothing to rewrite")
    mutating func wipe() throws {
        log(3, .command(.wipeDisk(3)))
        log(3, .diskWiped(node: 3, shards: 3))
        log(3.05, .shardBad(checkpoint: 5, shard: 1, node: 3, why: "missing"))
        log(3.05, .shardRepaired(checkpoint: 5, shard: 1, node: 3, from: [0, 2, 3, 4]))
        log(3.1, .scrubPassed(shards: 18, repaired: 1, bad: 0))  // the pass began before the wipe
        #expect(book.receipts[0].healedAt == nil)
        log(3.2, .shardBad(checkpoint: 4, shard: 2, node: 3, why: "missing"))
        log(3.2, .shardRepaired(checkpoint: 4, shard: 2, node: 3, from: [0, 1, 3, 4]))
        log(3.3, .scrubPassed(shards: 18, repaired: 1, bad: 0))
        log(3.5, .scrubPassed(shards: 18, repaired: 0, bad: 0))
        let r = book.receipts[0]
        #expect(book.receipts.count == 1)  // every shard went to the wipe's receipt
        #expect(r.healedAt == 3.5)
        #expect(r.story.map(\.step.name) == ["shard-found", "shard-repaired", "scrub-verified"])
        #expect(r.text(r.story[1].step, after: 0.2) == "rebuilt 2 shards from the intact others, each within 0 ms of being found")
    }

    @Test("a slow node healed without a detection says it was never marked down (a step that did not happen)")
    mutating func slow() throws {
        log(5, .command(.slow(3, 0.005)))
        #expect(book.receipts[0].waiting?.contains("heal (H) ends it") == true)
        log(7, .command(.heal(nil)))
        let r = book.receipts[0]
        #expect(steps(r) == ["healed-by-operator", "never-marked-down"])
        #expect(r.status == .healed)
    }

    @Test("a partition: detections and restarts while cut off, one restore and replay after the heal")
    mutating func partition() throws {
        log(2, .command(.partition(1)))
        for k in 0..<3 {
            let t = 2.1 + Double(k) * 0.3
            log(t, .nodeDown(node: 1, phi: 8.2, silence: 0.186))
            log(t, .restartScheduled(node: 1, backoff: 0.1 * Double(k)))
            log(t, .recoveryBegan(reason: "node 1 down"))
            log(t + 0.002, .rolledBack(checkpoint: 1, seconds: 0.002, sources: [.local, .standby(peer: 2), .local]))
        }
        #expect(book.receipts[0].healedAt == nil)
        log(4, .command(.heal(nil)))
        log(4, .recoveryBegan(reason: "partition healed"))
        log(4.002, .rolledBack(checkpoint: 4, seconds: 0.002, sources: [.local, .standby(peer: 2), .local]))
        log(4.4, .caughtUp(after: 0.4))
        let r = book.receipts[0]
        #expect(steps(r) == ["detected", "restarted", "healed-by-operator", "restored", "caught-up"])
        #expect(r.healedAt == 4.4)
        if case let .restarted(times, _) = r.entries[1].step { #expect(times == 3) } else { Issue.record("no restart step") }
    }

    @Test("beyond tolerance: the shard cannot be rebuilt, the recovery fell back, the audit still proves the output exact")
    mutating func beyond() throws {
        log(5.3, .command(.corruptShard(.id(2), 0)))
        log(5.3, .command(.kill(0)))
        log(5.44, .nodeDown(node: 0, phi: 8.2, silence: 0.186))
        log(5.44, .restartScheduled(node: 0, backoff: 0))
        log(5.44, .recoveryBegan(reason: "node 0 down"))
        log(5.44, .fallback(from: 2, to: 1))
        log(5.44, .rolledBack(checkpoint: 1, seconds: 0.002, sources: [.shards, .local]))
        log(5.45, .shardBad(checkpoint: 2, shard: 0, node: 2, why: "bad"))
        log(5.45, .shardUnrepairable(checkpoint: 2, shard: 0, why: "only 3 intact shards, 4 needed to repair"))
        log(7.9, .caughtUp(after: 2.49))
        book.checkpointBegan(3, at: 8)
        book.audited(verdict(3), at: 8.5)
        let shard = book.receipts[0], kill = book.receipts[1]
        #expect(steps(shard) == ["fell-back", "shard-found", "unrepairable", "audited"])
        #expect(shard.status == .beyondTolerance && shard.waiting == nil)
        #expect(steps(kill) == ["detected", "restarted", "fell-back", "restored", "caught-up", "audited"])
        #expect(kill.entries[3].step.technique == .erasureCode)
        #expect(kill.status == .proved)
    }

    @Test("quarantine: stuck until healed, then it rejoins through a recovery")
    mutating func quarantine() throws {
        log(1, .command(.kill(4)))
        log(1.1, .nodeDown(node: 4, phi: 9, silence: 0.2))
        log(1.1, .quarantined(node: 4, restarts: 5, window: 60))
        log(1.1, .recoveryBegan(reason: "node 4 down"))
        log(1.2, .rolledBack(checkpoint: 1, seconds: 0.002, sources: [nil, nil, nil, nil, nil]))
        #expect(book.receipts[0].status == .stuck)
        let last = try #require(book.receipts[0].entries.last)
        #expect(book.receipts[0].text(last.step, after: 0) == "not restored: quarantined, it stays down")
        log(3, .command(.heal(nil)))
        log(3, .recoveryBegan(reason: "heal"))
        log(3.01, .rolledBack(checkpoint: 2, seconds: 0.002, sources: [.local, .local, .local, .local, .shards]))
        log(3.3, .caughtUp(after: 0.3))
        #expect(book.receipts[0].status == .healed)
    }

    @Test("a rotted shard of a checkpoint the retention removed first needs no repair, and says so")
    mutating func retired() throws {
        log(2, .command(.corruptShard(.id(37), 1)))
        book.retired([36, 37], at: 2.1)
        let r = book.receipts[0]
        #expect(steps(r) == ["retired"] && r.status == .healed)
        #expect(r.text(r.entries[0].step, after: 0.1).hasPrefix("the checkpoint was retired"))
    }

    @Test("something nobody injected gets a receipt of its own")
    mutating func unexplained() throws {
        log(9, .nodeDown(node: 5, phi: 8.4, silence: 0.3))
        let r = try #require(book.receipts.first)
        #expect(r.fault == nil && r.title == "node 5 marked down, no fault injected")
    }

    @Test("the simulated runtime fills receipts in: kill, bit flip, rotted shard, each proved by an audit")
    func simulated() throws {
        var config = simConfig()
        config.checkpointInterval = 0.5  // the rotted checkpoint is still retained when the scrubber comes by
        let s = try SimulatedEngine(config: config, seed: 3, replicas: 1, scrubIntervalMillis: 20)
        s.run(for: 1.2)
        try s.apply(.kill(2))
        s.run(for: 2)
        try s.apply(.corruptFrame(0))
        s.run(for: 1.5)
        try s.apply(.corruptShard(.latest, 1))
        s.run(for: 1.5)
        let receipts = s.snapshot().receipts
        #expect(receipts.count == 3)
        #expect(receipts.allSatisfy { $0.status == .proved })
        #expect(receipts[0].entries.map(\.step.technique).contains(.replication))
        #expect(receipts[1].entries.first?.step.technique == .checkAndCorrect)
        if case let .corruptShard(.id(id), 1)? = receipts[2].fault { #expect(id >= 1) } else { Issue.record("the command names the checkpoint 'latest' meant") }
        #expect(receipts[2].entries.map(\.step.technique).prefix(2) == [.checkAndCorrect, .erasureCode])
    }
}
