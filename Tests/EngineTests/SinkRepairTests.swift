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
}

/// The configuration `threadedJob` uses (and a test reopens its directory with).
func threadedConfig(rate: Double = 100_000, accounts: Int, interval: Double = 0.2) -> JobConfig {
    var c = JobConfig()
    c.rate = rate
    c.accounts = accounts
    c.checkpointInterval = interval
    return c
}
