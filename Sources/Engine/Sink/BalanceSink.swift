/// One account's committed row.
public struct BalanceRow: Sendable, Equatable {
    public var account: Int
    public var balance: Int64
    public var updates: Int64
    public init(account: Int, balance: Int64, updates: Int64) {
        self.account = account
        self.balance = balance
        self.updates = updates
    }
}

/// The last committed epoch.
public struct CommittedEpoch: Sendable, Equatable {
    public var checkpoint: UInt64
    /// Next offset per partition: everything before it is in the balances.
    public var offsets: [Int64]
    public var committedMillis: Int64
}

/// The payments sink: balances in SQLite, committed once per checkpoint in one transaction
/// with the checkpoint id and the source offsets (the second phase of a two-phase commit:
/// it runs only after the checkpoint is complete). An epoch at or below the last committed
/// one is never applied again.
///
/// Tables: `balances(account, balance, updates, epoch)`, `epochs(checkpoint, offsets,
/// committed_ms, transfers)`; open it with `sqlite3 DATA/sink.db`.
public final class BalanceSink: @unchecked Sendable {
    public let db: SQLiteDatabase
    let upsert: SQLiteDatabase.Statement
    let insertEpoch: SQLiteDatabase.Statement

    /// Opens or creates the sink at `path` (WAL mode, full sync).
    public init(path: String) throws(SinkError) {
        if !path.contains("mode=memory") && path != ":memory:" && !path.hasPrefix("file:") {
            // Created private before SQLite opens it: its journal and WAL files take its mode.
            let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, FileDisk.fileMode)
            guard fd >= 0 else { throw SinkError("\(path): cannot create: \(String(cString: strerror(errno)))") }
            var st = stat()
            if fstat(fd, &st) == 0 && st.st_size == 0 { _ = fchmod(fd, FileDisk.fileMode) }
            close(fd)
        }
        db = try SQLiteDatabase(path: path)
        if !path.contains("mode=memory") && path != ":memory:" { try db.execute("PRAGMA journal_mode=WAL") }
        try db.execute("""
            PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS balances(account INTEGER PRIMARY KEY, balance INTEGER NOT NULL, updates INTEGER NOT NULL, epoch INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS balances_epoch ON balances(epoch);
            CREATE TABLE IF NOT EXISTS epochs(checkpoint INTEGER PRIMARY KEY, offsets TEXT NOT NULL, committed_ms INTEGER NOT NULL, transfers INTEGER NOT NULL);
            """)
        upsert = try db.prepare("""
            INSERT INTO balances(account, balance, updates, epoch) VALUES(?1, ?2, ?3, ?4)
            ON CONFLICT(account) DO UPDATE SET balance = excluded.balance, updates = excluded.updates, epoch = excluded.epoch
            """)
        insertEpoch = try db.prepare("INSERT INTO epochs(checkpoint, offsets, committed_ms, transfers) VALUES(?1, ?2, ?3, ?4)")
    }

    /// The newest committed epoch, if any.
    public func lastEpoch() throws(SinkError) -> CommittedEpoch? {
        try Self.lastEpoch(db)
    }

    static func lastEpoch(_ db: SQLiteDatabase) throws(SinkError) -> CommittedEpoch? {
        let q = try db.prepare("SELECT checkpoint, offsets, committed_ms FROM epochs ORDER BY checkpoint DESC LIMIT 1")
        guard try q.step() else { return nil }
        let text = q.text(1)
        var offsets: [Int64] = []
        for part in text.split(separator: ",") {
            guard let v = Int64(part) else { throw SinkError("\(db.path): epoch \(q.int(0)) has unreadable offsets '\(text.prefix(40))'") }
            offsets.append(v)
        }
        return CommittedEpoch(checkpoint: UInt64(q.int(0)), offsets: offsets, committedMillis: q.int(2))
    }

    /// Commits epoch `checkpoint`: the changed rows, the offsets, in one transaction.
    /// With `replaceAll` every existing row is dropped first (after a rollback to an older
    /// state). Returns false, and writes nothing, when the epoch is already committed.
    @discardableResult
    public func commit(checkpoint: UInt64, offsets: [Int64], rows: [BalanceRow], replaceAll: Bool, nowMillis: Int64) throws(SinkError) -> Bool {
        try db.execute("BEGIN IMMEDIATE")
        do throws(SinkError) {
            if let last = try lastEpoch(), last.checkpoint >= checkpoint {
                try db.execute("ROLLBACK")
                return false
            }
            if replaceAll { try db.execute("DELETE FROM balances") }
            let epoch = Int64(checkpoint)
            for r in rows {
                upsert.bind(1, Int64(r.account))
                upsert.bind(2, r.balance)
                upsert.bind(3, r.updates)
                upsert.bind(4, epoch)
                try upsert.run()
            }
            insertEpoch.bind(1, epoch)
            insertEpoch.bind(2, offsets.map(String.init).joined(separator: ","))
            insertEpoch.bind(3, nowMillis)
            insertEpoch.bind(4, offsets.reduce(0, +))
            try insertEpoch.run()
            CrashPoint.sinkCommit.pass()
            try db.execute("COMMIT")
            return true
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }
}
#if canImport(Glibc)
import Glibc
#endif
