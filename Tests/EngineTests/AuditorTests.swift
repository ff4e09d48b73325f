@testable import Engine
import Testing

@Suite("Auditor")
struct AuditorTests {
    /// The balances and update counts the transfers below `offsets` produce.
    static func expected(_ c: JobConfig, offsets: [Int64]) -> [BalanceRow] {
        let source = TransferSource(seed: c.seed, partitions: c.partitions, accounts: c.accounts)
        var bal = [Int64](repeating: c.initialBalance, count: c.accounts)
        var upd = [Int64](repeating: 0, count: c.accounts)
        for (p, end) in offsets.enumerated() {
            for o in 0..<end {
                let t = source.transfer(partition: p, offset: o)
                bal[t.from] -= Int64(t.amount)
                bal[t.to] += Int64(t.amount)
                upd[t.from] += 1
                upd[t.to] += 1
            }
        }
        return (0..<c.accounts).filter { upd[$0] > 0 }.map { BalanceRow(account: $0, balance: bal[$0], updates: upd[$0]) }
    }

    static func config() -> JobConfig {
        var c = JobConfig()
        c.accounts = 50
        c.partitions = 3
        return c
    }

    static func sink() throws -> (BalanceSink, String) {
        let path = "/tmp/firedrill-auditor-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).db"
        return (try BalanceSink(path: path), path)
    }

    @Test("an exact sink is exact, incrementally and in full")
    func exact() throws {
        let c = Self.config()
        let (sink, path) = try Self.sink()
        let auditor = try Auditor(config: c, databasePath: path)
        try sink.commit(checkpoint: 1, offsets: [10, 20, 30], rows: Self.expected(c, offsets: [10, 20, 30]), replaceAll: false, nowMillis: 0)
        var v = try auditor.audit()
        #expect(v.exact && v.moneyConserved && v.committedTransfers == 60)
        try sink.commit(checkpoint: 2, offsets: [40, 20, 35], rows: Self.expected(c, offsets: [40, 20, 35]), replaceAll: false, nowMillis: 0)
        v = try auditor.audit()
        #expect(v.exact && v.checkpoint == 2 && v.committedTransfers == 95)
        // An epoch already committed is refused.
        #expect(try sink.commit(checkpoint: 2, offsets: [0, 0, 0], rows: [], replaceAll: true, nowMillis: 0) == false)
        #expect(try auditor.audit(full: true).exact)
    }

    @Test("a dropped update is caught as lost, and money is not conserved")
    func dropped() throws {
        let c = Self.config()
        let (sink, path) = try Self.sink()
        let auditor = try Auditor(config: c, databasePath: path)
        var rows = Self.expected(c, offsets: [30, 30, 30])
        let source = TransferSource(seed: c.seed, partitions: c.partitions, accounts: c.accounts)
        let t = source.transfer(partition: 1, offset: 29)
        // Drop the credit of the last transfer of partition 1.
        let i = rows.firstIndex { $0.account == t.to }!
        rows[i].balance -= Int64(t.amount)
        rows[i].updates -= 1
        try sink.commit(checkpoint: 1, offsets: [30, 30, 30], rows: rows, replaceAll: false, nowMillis: 0)
        let v = try auditor.audit()
        #expect(!v.exact)
        #expect(v.lost == 1 && v.duplicated == 0 && v.mismatchedAccounts == 1)
        #expect(!v.moneyConserved)
        #expect(v.committedMoney == v.expectedMoney - Int64(t.amount))
    }

    @Test("a duplicated update is caught as duplicated")
    func duplicated() throws {
        let c = Self.config()
        let (sink, path) = try Self.sink()
        let auditor = try Auditor(config: c, databasePath: path)
        try sink.commit(checkpoint: 1, offsets: [5, 5, 5], rows: Self.expected(c, offsets: [5, 5, 5]), replaceAll: false, nowMillis: 0)
        #expect(try auditor.audit().exact)
        // Epoch 2 applies transfer (0, 4) a second time, debit and credit both.
        var rows = Self.expected(c, offsets: [10, 5, 5])
        let t = TransferSource(seed: c.seed, partitions: c.partitions, accounts: c.accounts).transfer(partition: 0, offset: 4)
        for (k, a) in rows.enumerated() where a.account == t.from || a.account == t.to {
            rows[k].balance += a.account == t.from ? -Int64(t.amount) : Int64(t.amount)
            rows[k].updates += 1
        }
        try sink.commit(checkpoint: 2, offsets: [10, 5, 5], rows: rows, replaceAll: false, nowMillis: 0)
        let v = try auditor.audit()
        #expect(!v.exact)
        #expect(v.duplicated == 2 && v.lost == 0 && v.mismatchedAccounts == 2)
        #expect(v.moneyConserved)  // a duplicated transfer moves money twice but creates none
        // The next, correct epoch clears the finding.
        try sink.commit(checkpoint: 3, offsets: [12, 5, 5], rows: Self.expected(c, offsets: [12, 5, 5]), replaceAll: false, nowMillis: 0)
        #expect(try auditor.audit().exact)
    }

    @Test("offsets moving backwards (a rollback to an older checkpoint) are audited too")
    func backwards() throws {
        let c = Self.config()
        let (sink, path) = try Self.sink()
        let auditor = try Auditor(config: c, databasePath: path)
        try sink.commit(checkpoint: 1, offsets: [50, 50, 50], rows: Self.expected(c, offsets: [50, 50, 50]), replaceAll: false, nowMillis: 0)
        #expect(try auditor.audit().exact)
        try sink.commit(checkpoint: 2, offsets: [20, 60, 10], rows: Self.expected(c, offsets: [20, 60, 10]), replaceAll: true, nowMillis: 0)
        let v = try auditor.audit(full: true)
        #expect(v.exact && v.committedTransfers == 90)
    }
}
#if canImport(Glibc)
import Glibc
#endif
