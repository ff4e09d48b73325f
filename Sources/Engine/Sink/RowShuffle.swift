/// Money moved between two committed rows of the sink behind the engine's back: one
/// account's balance goes down by `amount`, another's up by as much, in one SQL transaction
/// on a connection of its own. Every page stays valid and the money stays conserved, so
/// SQLite and the money check see nothing: only a row-by-row comparison with the expected
/// balances finds it. The rows chosen are the two written longest ago (lowest epoch), the
/// ones the job is least likely to write again before an audit reads them.
public struct RowShuffle: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// The account that lost `amount`.
    public var from: Int
    /// The account that gained it.
    public var to: Int
    public var amount: Int64
    /// The epochs that last wrote the two rows (`from`'s, `to`'s).
    public var epochs: (from: Int64, to: Int64)

    public static func == (a: RowShuffle, b: RowShuffle) -> Bool {
        a.path == b.path && a.from == b.from && a.to == b.to && a.amount == b.amount && a.epochs == b.epochs
    }

    public var description: String {
        "moved \(amount) from account \(from) to account \(to) in the sink's rows, last written by epochs \(epochs.from) and \(epochs.to) (money conserved, rows wrong)"
    }

    /// Moves `amount` between the two oldest rows of the sink at `path`.
    /// - Throws: `SinkError` when the sink holds fewer than two rows or cannot be written.
    public static func move(_ path: String, amount: Int64 = 100) throws(SinkError) -> RowShuffle {
        let db = try SQLiteDatabase(path: path)
        let pick = try db.prepare("SELECT account, epoch FROM balances ORDER BY epoch, account LIMIT 2")
        var accounts: [Int] = [], epochs: [Int64] = []
        while try pick.step() {
            accounts.append(Int(pick.int(0)))
            epochs.append(pick.int(1))
        }
        pick.reset()
        guard accounts.count == 2 else { throw SinkError("\(path): the sink holds \(accounts.count) rows, two are needed to move money between") }
        let update = try db.prepare("UPDATE balances SET balance = balance + ?1 WHERE account = ?2")
        try db.execute("BEGIN IMMEDIATE")
        do throws(SinkError) {
            for (account, delta) in [(accounts[0], -amount), (accounts[1], amount)] {
                update.bind(1, delta)
                update.bind(2, Int64(account))
                try update.run()
            }
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
        return RowShuffle(path: path, from: accounts[0], to: accounts[1], amount: amount, epochs: (epochs[0], epochs[1]))
    }
}
