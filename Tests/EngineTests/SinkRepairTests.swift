@testable import Engine
import Foundation
import Testing

/// The sink heals itself from the newest checkpoint when `sink.db` is damaged.
@Suite("Sink self-repair", .serialized)
struct SinkRepairTests {
    /// A job that ran, committed and stopped cleanly: its directory.
    func stoppedJob(_ name: String) throws -> (dir: String, committed: Int64) {
        let (engine, dir) = try threadedJob(name, rate: 100_000, accounts: 2000, interval: 0.2)
        engine.start()
        #expect(eventually(5) { engine.snapshot().checkpointsCompleted >= 3 })
        let v = engine.stop(finalCheckpoint: true)
        #expect(v.exact && v.committedTransfers > 0)
        return (dir, v.committedTransfers)
    }

    func flip(_ path: String, at offsets: [Int]) throws {
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for o in offsets where o < bytes.count { bytes[o] ^= 0xFF }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func damagedCopies(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("sink.db.damaged-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }
    }

    @Test("a flipped page header: found by quick_check, rebuilt from the newest checkpoint, damaged file kept, audit exact, the job goes on")
    func brokenPage() throws {
        let (dir, committed) = try stoppedJob("sink-page")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sink = dir + "/sink.db"
        // The first byte of pages 2 and 3 is the b-tree page type: 0xFF is no type at all.
        try flip(sink, at: [4096, 8192])
        #expect(SinkRepair.damage(at: sink) != nil)
        let engine = try ThreadedEngine(config: threadedConfig(accounts: 2000), dataDirectory: dir)
        let s = engine.snapshot()
        let event = try #require(s.events.first { if case .sinkRebuilt = $0.detail { true } else { false } })
        guard case let .sinkRebuilt(id, _, kept, rows, _) = event.detail else { return }
        #expect(id == s.restoredFrom)
        #expect(rows > 0 && FileManager.default.fileExists(atPath: kept))
        #expect(damagedCopies(dir).count == 1)
        #expect(SinkRepair.damage(at: sink) == nil)
        #expect(s.audit.exact && s.audit.moneyConserved && s.audit.committedTransfers == committed)
        engine.start()
        #expect(eventually(5) { engine.snapshot().checkpointsCompleted >= 2 })
        let v = engine.stop(finalCheckpoint: true)
        #expect(v.exact && v.moneyConserved && v.committedTransfers > committed)
    }

    @Test("garbage instead of a database, and balances rotted where SQLite cannot see: both rebuilt, both exact")
    func garbageAndSilentRot() throws {
        let (dir, committed) = try stoppedJob("sink-garbage")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sink = dir + "/sink.db"
        try Data(repeating: 0x5A, count: 50_000).write(to: URL(fileURLWithPath: sink))
        #expect(SinkRepair.damage(at: sink) != nil)
        var engine: ThreadedEngine? = try ThreadedEngine(config: threadedConfig(accounts: 2000), dataDirectory: dir)
        #expect(engine?.snapshot().audit.exact == true)
        #expect(engine?.snapshot().audit.committedTransfers == committed)
        engine = nil
        // A balance changed inside a valid database: quick_check is content, the audit is not.
        let db = try SQLiteDatabase(path: sink)
        try db.execute("UPDATE balances SET balance = balance + 7 WHERE account = (SELECT min(account) FROM balances)")
        #expect(SinkRepair.damage(at: sink) == nil)
        let again = try ThreadedEngine(config: threadedConfig(accounts: 2000), dataDirectory: dir)
        let s = again.snapshot()
        #expect(s.events.contains { if case .sinkRebuilt = $0.detail { true } else { false } })
        #expect(s.audit.exact && s.audit.moneyConserved && s.audit.committedTransfers == committed)
        #expect(damagedCopies(dir).count == 2)
    }

    @Test("corrupt sink while the job runs: SQLite finds the rotted page, the sink is rebuilt live from the checkpoint being committed, the audit after it is exact")
    func liveRot() throws {
        let (engine, dir) = try threadedJob("sink-live", rate: 100_000, accounts: 2000, interval: 0.2)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        engine.start()
        #expect(eventually(5) { engine.snapshot().checkpointsCompleted >= 3 })
        try engine.apply(.corruptSink)
        let rebuilt = eventually(10) { engine.snapshot().events.contains { if case .sinkRebuilt = $0.detail { true } else { false } } }
        #expect(rebuilt)
        let s = engine.snapshot()
        let receipt = try #require(s.receipts.last { $0.fault == .corruptSink })
        #expect(receipt.entries.contains { if case .sinkRebuilt = $0.step { true } else { false } })
        // The audit of a checkpoint taken after the rebuild proves it.
        #expect(eventually(10) { engine.snapshot().receipts.last { $0.fault == .corruptSink }?.status == .proved })
        let v = engine.stop(finalCheckpoint: true)
        #expect(v.exact && v.moneyConserved)
        #expect(damagedCopies(dir).count == 1)
        #expect(SinkRepair.damage(at: dir + "/sink.db") == nil)
        // The kept copy is the damaged file, as it was found.
        #expect(SinkRepair.damage(at: dir + "/" + (damagedCopies(dir).first ?? "")) != nil)
    }
}

/// The configuration `threadedJob` uses (and a test reopens its directory with).
func threadedConfig(rate: Double = 100_000, accounts: Int, interval: Double = 0.2) -> JobConfig {
    var c = JobConfig()
    c.rate = rate
    c.accounts = accounts
    c.checkpointInterval = interval
    return c
}

/// The detectors and the fault of a live sink repair, one by one.
@Suite("Sink rot, found while the job runs")
struct SinkRotTests {
    @Test("corrupt sink flips the balances root page's type byte in the file; the auditor's quick_check (a connection of its own) finds it and tells the commit path; the commit's own read fails as corrupt too")
    func detectors() throws {
        let c = AuditorTests.config()
        let (sink, path) = try AuditorTests.sink()
        defer { for s in ["", "-wal", "-shm"] { unlink(path + s) } }
        try sink.commit(checkpoint: 1, offsets: [10, 20, 30], rows: AuditorTests.expected(c, offsets: [10, 20, 30]), replaceAll: false, nowMillis: 0)
        let auditor = try Auditor(config: c, databasePath: path)
        let health = SinkHealth()
        auditor.health = health
        #expect(try auditor.audit().exact)
        #expect(auditor.checkSink(now: 1) == nil)
        let rot = try SinkRot.flip(path)
        #expect(rot.inFile && rot.offset == (rot.page - 1) * 4096)
        // Rate-bound: within 2 s of the last check it does not run again.
        #expect(auditor.checkSink(now: 1_000_000_000) == nil)
        let found = try #require(auditor.checkSink(now: 3_000_000_000))
        #expect(found.contains("malformed") || found.contains("corrupt") || found.contains("btreeInitPage"))
        #expect(health.take()?.hasPrefix("PRAGMA quick_check") == true)
        #expect(health.take() == nil)
        // A report from a read that began before a rebuild is stale.
        let before = health.generation
        health.rebuilt()
        health.report("old pages", generation: before)
        #expect(health.take() == nil)
        #expect { try sink.commit(checkpoint: 2, offsets: [20, 20, 30], rows: AuditorTests.expected(c, offsets: [20, 20, 30]), replaceAll: false, nowMillis: 0) } throws: {
            ($0 as? SinkError)?.corrupt == true
        }
    }

    @Test("an in-memory sink's rot is in its schema record, found the same way")
    func inMemory() throws {
        let path = "file:firedrill-rot-\(UInt64.random(in: 0...UInt64.max))?mode=memory&cache=shared"
        let sink = try BalanceSink(path: path)
        try sink.commit(checkpoint: 1, offsets: [1], rows: [BalanceRow(account: 0, balance: 5, updates: 1)], replaceAll: false, nowMillis: 0)
        let rot = try SinkRot.flip(path)
        #expect(!rot.inFile && rot.description.contains("schema"))
        #expect { try sink.commit(checkpoint: 2, offsets: [2], rows: [BalanceRow(account: 0, balance: 6, updates: 2)], replaceAll: false, nowMillis: 0) } throws: {
            ($0 as? SinkError)?.corrupt == true
        }
    }
}
