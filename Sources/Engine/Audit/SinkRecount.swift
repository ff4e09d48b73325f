/// A brute-force recount of the sink, a second oracle beside the `Auditor` that shares none
/// of its code path: it reads every row and the newest epoch through a connection of its own,
/// replays every transfer below the committed offsets one at a time from the source's pure
/// function (`TransferSource.transfer`, not the auditor's batched regeneration), and compares
/// account by account. Slow (every committed transfer, every row) and simple, so a soak can
/// hold the auditor's verdict against it on a share of its seeds.
public struct SinkRecount: Sendable, Equatable, CustomStringConvertible {
    /// The epoch recounted; nil when nothing is committed.
    public var checkpoint: UInt64?
    /// Rows read.
    public var rows: Int
    /// Transfers replayed (below the committed offsets).
    public var transfers: Int64
    /// Accounts whose row differs from the recount.
    public var mismatchedAccounts: Int
    /// Debits and credits missing from the rows.
    public var lost: Int64
    /// Debits and credits the rows hold more than once.
    public var duplicated: Int64
    /// Sum of every balance the sink holds (accounts without a row at their opening balance).
    public var committedMoney: Int64
    /// The money the job started with.
    public var expectedMoney: Int64
    /// Every epoch the sink holds (checkpoint ids), oldest first: each must be a checkpoint
    /// that was stored before it was committed (the second phase runs only after the first).
    public var epochs: [UInt64] = []

    /// Every row equals the recount.
    public var exact: Bool { mismatchedAccounts == 0 }

    public var description: String {
        "recount of epoch \(checkpoint.map(String.init) ?? "none"): \(rows) rows, \(transfers) transfers, "
            + "\(mismatchedAccounts) accounts wrong (\(lost) lost, \(duplicated) duplicated), money \(committedMoney) of \(expectedMoney)"
    }

    /// Recounts the sink at `databasePath` for the job `config`.
    /// - Throws: `SinkError` when the sink cannot be read, or holds a row or offsets the job cannot have.
    public static func count(databasePath: String, config: JobConfig) throws(SinkError) -> SinkRecount {
        let db = try SQLiteDatabase(path: databasePath, readOnly: true)
        try db.execute("BEGIN")  // the rows and the epoch from one snapshot
        defer { try? db.execute("COMMIT") }
        let n = config.accounts
        var balance = [Int64](repeating: config.initialBalance, count: n)
        var updates = [Int64](repeating: 0, count: n)
        var checkpoint: UInt64?
        var transfers: Int64 = 0
        let epoch = try db.prepare("SELECT checkpoint, offsets FROM epochs ORDER BY checkpoint DESC LIMIT 1")
        if try epoch.step() {
            checkpoint = UInt64(epoch.int(0))
            let fields = epoch.text(1).split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == config.partitions else {
                throw SinkError("\(databasePath): epoch \(epoch.int(0)) has \(fields.count) offsets, the job \(config.partitions) partitions")
            }
            let source = TransferSource(seed: config.seed, partitions: config.partitions, accounts: n)
            for (p, field) in fields.enumerated() {
                guard let end = Int64(field), end >= 0 else { throw SinkError("\(databasePath): offset '\(field)' of partition \(p) is not a count") }
                var o: Int64 = 0
                while o < end {
                    let t = source.transfer(partition: p, offset: o)
                    balance[t.from] -= Int64(t.amount)
                    balance[t.to] += Int64(t.amount)
                    updates[t.from] += 1
                    updates[t.to] += 1
                    o += 1
                }
                transfers += end
            }
        }
        epoch.reset()
        var result = SinkRecount(checkpoint: checkpoint, rows: 0, transfers: transfers, mismatchedAccounts: 0, lost: 0, duplicated: 0,
                                 committedMoney: config.totalMoney, expectedMoney: config.totalMoney)
        let rows = try db.prepare("SELECT account, balance, updates FROM balances")
        var seen = [Bool](repeating: false, count: n)
        while try rows.step() {
            let a = Int(rows.int(0))
            guard a >= 0, a < n, !seen[a] else { throw SinkError("\(databasePath): a row for account \(a), which the job cannot have") }
            seen[a] = true
            result.rows += 1
            let b = rows.int(1), u = rows.int(2)
            result.committedMoney += b - config.initialBalance
            if b != balance[a] || u != updates[a] {
                result.mismatchedAccounts += 1
                if u > updates[a] { result.duplicated += u - updates[a] } else { result.lost += updates[a] - u }
            }
        }
        rows.reset()
        let all = try db.prepare("SELECT checkpoint FROM epochs ORDER BY checkpoint")
        while try all.step() { result.epochs.append(UInt64(all.int(0))) }
        all.reset()
        // An account without a row must never have been touched.
        for a in 0..<n where !seen[a] && (updates[a] != 0 || balance[a] != config.initialBalance) {
            result.mismatchedAccounts += 1
            result.lost += updates[a]
        }
        return result
    }

    /// Where the auditor's verdict on the same epoch says otherwise than the recount (nil:
    /// they agree): epoch, exactness, the wrong accounts, lost, duplicated, money.
    public func disagreement(with verdict: AuditVerdict) -> String? {
        var out: [String] = []
        if verdict.checkpoint != checkpoint { out.append("epoch \(verdict.checkpoint.map(String.init) ?? "none") audited, \(checkpoint.map(String.init) ?? "none") recounted") }
        if verdict.exact != exact { out.append("auditor says \(verdict.exact ? "exact" : "not exact"), recount \(exact ? "exact" : "not exact")") }
        if verdict.mismatchedAccounts != mismatchedAccounts { out.append("\(verdict.mismatchedAccounts) accounts wrong by the auditor, \(mismatchedAccounts) by the recount") }
        if verdict.lost != lost || verdict.duplicated != duplicated {
            out.append("auditor \(verdict.lost) lost / \(verdict.duplicated) duplicated, recount \(lost) / \(duplicated)")
        }
        if verdict.committedMoney != committedMoney { out.append("auditor counts \(verdict.committedMoney) money, recount \(committedMoney)") }
        return out.isEmpty ? nil : out.joined(separator: "; ")
    }
}
