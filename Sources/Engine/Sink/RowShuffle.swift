/// Money moved between two committed rows of the sink behind the engine's back: one
/// account's balance goes down by `amount`, another's up by as much — and one update moved
/// between the counts of the next two rows, their balances untouched — in one SQL
/// transaction on a connection of its own. Every page stays valid, the money stays
/// conserved and the update counts still add up to twice the transfers, so SQLite, the
/// money check and the auditor's invariants see nothing: only a row-by-row comparison of
/// balances and counts with the expected ones finds it. The rows chosen are the ones
/// written longest ago (lowest epoch), the ones the job is least likely to write again
/// before an audit reads them.
public struct RowShuffle: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// The account that lost `amount`.
    public var from: Int
    /// The account that gained it.
    public var to: Int
    public var amount: Int64
    /// The epochs that last wrote the two rows (`from`'s, `to`'s).
    public var epochs: (from: Int64, to: Int64)
    /// The accounts one update count moved between (the first's count down by one, the
    /// second's up), balances untouched; nil when the sink held fewer than four rows.
    public var counts: (from: Int, to: Int)?

    public static func == (a: RowShuffle, b: RowShuffle) -> Bool {
        a.path == b.path && a.from == b.from && a.to == b.to && a.amount == b.amount && a.epochs == b.epochs
            && a.counts?.from == b.counts?.from && a.counts?.to == b.counts?.to
    }

    public var description: String {
        let moved = "moved \(amount) from account \(from) to account \(to) in the sink's rows, last written by epochs \(epochs.from) and \(epochs.to)"
        guard let c = counts else { return moved + " (money conserved, rows wrong)" }
        return moved + ", and one update from account \(c.from)'s count to account \(c.to)'s (money and update total conserved, rows wrong)"
    }

    /// Moves `amount` between the two oldest rows of the sink at `path`, and one update
    /// between the counts of the next two when it holds them.
    /// - Throws: `SinkError` when the sink holds fewer than two rows or cannot be written.
    public static func move(_ path: String, amount: Int64 = 100) throws(SinkError) -> RowShuffle {
        let db = try SQLiteDatabase(path: path)
        let pick = try db.prepare("SELECT account, epoch FROM balances ORDER BY epoch, account LIMIT 4")
        var accounts: [Int] = [], epochs: [Int64] = []
        while try pick.step() {
            accounts.append(Int(pick.int(0)))
            epochs.append(pick.int(1))
        }
        pick.reset()
        guard accounts.count >= 2 else { throw SinkError("\(path): the sink holds \(accounts.count) rows, two are needed to move money between") }
        let update = try db.prepare("UPDATE balances SET balance = balance + ?1 WHERE account = ?2")
        let count = try db.prepare("UPDATE balances SET updates = updates + ?1 WHERE account = ?2")
        try db.execute("BEGIN IMMEDIATE")
        do throws(SinkError) {
            for (account, delta) in [(accounts[0], -amount), (accounts[1], amount)] {
                update.bind(1, delta)
                update.bind(2, Int64(account))
                try update.run()
            }
            if accounts.count == 4 {
                for (account, delta) in [(accounts[2], Int64(-1)), (accounts[3], Int64(1))] {
                    count.bind(1, delta)
                    count.bind(2, Int64(account))
                    try count.run()
                }
            }
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
        return RowShuffle(path: path, from: accounts[0], to: accounts[1], amount: amount, epochs: (epochs[0], epochs[1]),
                          counts: accounts.count == 4 ? (accounts[2], accounts[3]) : nil)
    }
}
