@testable import Engine
import Foundation
import Testing

@Suite("A second oracle beside the auditor")
struct SecondOracleTests {
    static let offsets: [Int64] = [10, 20, 30]

    /// A sink committed at epoch 1 with the exact rows of `offsets`, an auditor that has
    /// audited it, and the sink's path.
    static func audited(_ c: JobConfig = AuditorTests.config(), offsets: [Int64] = offsets) throws -> (BalanceSink, Auditor, String) {
        let (sink, path) = try AuditorTests.sink()
        let auditor = try Auditor(config: c, databasePath: path)
        try sink.commit(checkpoint: 1, offsets: offsets, rows: AuditorTests.expected(c, offsets: offsets), replaceAll: false, nowMillis: 0)
        #expect(try auditor.audit().exact)
        return (sink, auditor, path)
    }

    @Test("money and an update count moved between audited rows are caught by the next incremental audit, money conserved")
    func shuffleCaught() throws {
        let (sink, auditor, path) = try Self.audited()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let moved = try RowShuffle.move(path, amount: 7)
        #expect(moved.from != moved.to)
        // The next epoch writes no row: only re-reading old rows can find the damage.
        try sink.commit(checkpoint: 2, offsets: Self.offsets, rows: [], replaceAll: false, nowMillis: 0)
        let v = try auditor.audit()
        #expect(v.checkpoint == 2)
        #expect(!v.exact)
        let counts = try #require(moved.counts, "the sink holds more than four rows")
        #expect(Set([moved.from, moved.to, counts.from, counts.to]).count == 4)
        #expect(v.mismatchedAccounts == 4, "two balances and two update counts")
        #expect(v.moneyConserved)
        #expect(v.lost == 1 && v.duplicated == 1, "one update moved from one count to another")
        #expect(v.breach == nil, "the update total is conserved: only the comparison can tell")
    }

    @Test("on a sink larger than a slice, the sweep reaches every row within a few audits")
    func sweepWraps() throws {
        var c = AuditorTests.config()
        c.accounts = 150_000
        let offsets: [Int64] = [200, 200, 200]
        let (sink, auditor, path) = try Self.audited(c, offsets: offsets)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(auditor.sweepSlice == 65_536)
        _ = try RowShuffle.move(path)
        var caughtAt: Int?
        for epoch in 2...4 {
            try sink.commit(checkpoint: UInt64(epoch), offsets: offsets, rows: [], replaceAll: false, nowMillis: 0)
            if !(try auditor.audit().exact) { caughtAt = epoch; break }
        }
        #expect(caughtAt != nil, "a slice of 65,536 of 150,000 accounts per audit covers them all in 3 audits")
    }

    @Test("update counts that do not add up to twice the transfers break an invariant")
    func updatesInvariant() throws {
        let c = AuditorTests.config()
        let (sink, auditor, path) = try Self.audited()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var rows = AuditorTests.expected(c, offsets: [11, 20, 30])
        rows[0].updates += 1
        try sink.commit(checkpoint: 2, offsets: [11, 20, 30], rows: rows, replaceAll: false, nowMillis: 0)
        let v = try auditor.audit()
        #expect(!v.exact)
        #expect(v.breach == .updatesNotTwiceTransfers(updates: 2 * 61 + 1, transfers: 61))
    }

    @Test("committed offsets that go back without a rebuild of the rows break an invariant; with one they may")
    func offsetsMonotone() throws {
        let c = AuditorTests.config()
        let (sink, auditor, path) = try Self.audited()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let back: [Int64] = [10, 15, 30]
        // Rows for the older offsets, written as changes (no rebuild): every row is right.
        try sink.commit(checkpoint: 2, offsets: back, rows: AuditorTests.expected(c, offsets: back), replaceAll: false, nowMillis: 0)
        let v = try auditor.audit()
        #expect(v.breach == .offsetWentBack(partition: 1, from: 20, to: 15))
        #expect(!v.exact)
        try sink.commit(checkpoint: 3, offsets: back, rows: AuditorTests.expected(c, offsets: back), replaceAll: true, nowMillis: 0)
        let rebuilt = try auditor.audit(full: true)
        #expect(rebuilt.breach == nil && rebuilt.exact)
    }

    @Test("a checkpoint state whose update counts do not add up to twice its offsets breaks the invariant (it is then not stored)")
    func unbalancedCheckpoint() {
        var s = ShardStoreTests.state(3)
        for i in s.nodes.indices {
            s.nodes[i].updates = s.nodes[i].updates.map { _ in 0 }
            s.nodes[i].offsets = s.nodes[i].offsets.map { _ in 0 }
        }
        s.nodes[0].offsets = [1, 0]
        s.nodes[1].updates[0] = 2
        #expect(s.breach == nil)
        s.nodes[2].updates[0] = 1
        #expect(s.breach == .updatesNotTwiceTransfers(updates: 3, transfers: 1))
    }

    @Test("the recount agrees with the auditor on an exact sink, and on a damaged one")
    func recountAgrees() throws {
        let c = AuditorTests.config()
        let (sink, auditor, path) = try Self.audited()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var r = try SinkRecount.count(databasePath: path, config: c)
        #expect(r.exact && r.checkpoint == 1 && r.transfers == 60 && r.committedMoney == c.totalMoney)
        #expect(r.disagreement(with: auditor.verdict) == nil)
        _ = try RowShuffle.move(path)
        try sink.commit(checkpoint: 2, offsets: Self.offsets, rows: [], replaceAll: false, nowMillis: 0)
        let v = try auditor.audit()
        r = try SinkRecount.count(databasePath: path, config: c)
        #expect(r.mismatchedAccounts == 4 && r.lost == 1 && r.duplicated == 1)
        #expect(r.disagreement(with: v) == nil)
        #expect(r.epochs == [1, 2])
        // An auditor that compared balances only would have missed the moved update.
        var balancesOnly = v
        balancesOnly.mismatchedAccounts = 2
        (balancesOnly.lost, balancesOnly.duplicated) = (0, 0)
        #expect(r.disagreement(with: balancesOnly) != nil)
    }

    @Test("the recount tells lost from duplicated, and disagrees with a verdict that missed them")
    func recountCounts() throws {
        let c = AuditorTests.config()
        let (sink, path) = try AuditorTests.sink()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var rows = AuditorTests.expected(c, offsets: Self.offsets)
        rows[0].updates -= 2
        rows[1].updates += 3
        try sink.commit(checkpoint: 1, offsets: Self.offsets, rows: rows, replaceAll: false, nowMillis: 0)
        let r = try SinkRecount.count(databasePath: path, config: c)
        #expect(r.mismatchedAccounts == 2 && r.lost == 2 && r.duplicated == 3)
        var blind = AuditVerdict.initial(expectedMoney: c.totalMoney)
        blind.checkpoint = 1
        let why = try #require(r.disagreement(with: blind))
        #expect(why.contains("0 accounts wrong by the auditor, 2 by the recount"))
    }

    @Test("a row missing from the sink for a touched account is counted as lost")
    func recountMissingRow() throws {
        let c = AuditorTests.config()
        let (sink, path) = try AuditorTests.sink()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var rows = AuditorTests.expected(c, offsets: Self.offsets)
        let gone = rows.removeLast()
        try sink.commit(checkpoint: 1, offsets: Self.offsets, rows: rows, replaceAll: false, nowMillis: 0)
        let r = try SinkRecount.count(databasePath: path, config: c)
        #expect(r.mismatchedAccounts == 1 && r.lost == gone.updates)
    }

    @Test("corrupt rows parses, prints back, and is destructive")
    func command() throws {
        let cmd = try Command.parse("corrupt rows", nodes: 6, shards: 6)
        #expect(cmd == .corruptRows)
        #expect(cmd.description == "corrupt rows")
        #expect(cmd.isDestructive)
        #expect(throws: CommandError.self) { try Command.parse("corrupt rows 3", nodes: 6, shards: 6) }
    }
}
