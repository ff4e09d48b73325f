#if canImport(Glibc)
import Glibc
#endif
import CSQLite

/// A thin, typed wrapper over one SQLite connection (the C API).
///
/// A connection is used by one thread at a time: the engine hands it to the thread that
/// commits, and nothing else touches it.
public final class SQLiteDatabase: @unchecked Sendable {
    let handle: OpaquePointer
    public let path: String

    /// Opens (and creates, unless `readOnly`) the database at `path`; a `file:` URI such
    /// as `file:name?mode=memory&cache=shared` opens a shared in-memory database.
    public init(path: String, readOnly: Bool = false) throws(SinkError) {
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close(db) }
            throw SinkError("\(path): cannot open database: \(message)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 5000)
    }

    deinit { sqlite3_close_v2(handle) }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    /// How long a statement waits for another connection's lock before `SQLITE_BUSY`.
    public func busyTimeout(milliseconds: Int32) { sqlite3_busy_timeout(handle, milliseconds) }

    /// Whether a result code says the file is damaged (`SQLITE_CORRUPT`, `SQLITE_NOTADB`).
    static func isDamage(_ rc: Int32) -> Bool { rc & 0xff == SQLITE_CORRUPT || rc & 0xff == SQLITE_NOTADB }

    /// Replaces this database's content with `source`'s, page by page (SQLite's backup
    /// API), in one write transaction: readers on other connections see it as a commit.
    public func restore(from source: SQLiteDatabase) throws(SinkError) {
        guard let backup = sqlite3_backup_init(handle, "main", source.handle, "main") else {
            throw SinkError("\(path): cannot start copying the rebuilt sink in: \(lastError)", corrupt: Self.isDamage(sqlite3_errcode(handle)))
        }
        var rc = SQLITE_OK
        var waits = 0
        repeat {
            rc = sqlite3_backup_step(backup, -1)
            // The commit thread is the sink's only writer: a lock is a reader's, briefly.
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { waits += 1; usleep(2_000) }
        } while rc == SQLITE_OK || (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && waits < 2_500
        let finish = sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE, finish == SQLITE_OK else {
            throw SinkError("\(path): copying the rebuilt sink in failed: \(lastError)", noSpace: rc & 0xff == SQLITE_FULL, corrupt: Self.isDamage(rc))
        }
    }

    /// Copies every page of the write-ahead log into the database file and empties the log
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`); false when a reader kept it from finishing.
    public func checkpointWAL() throws(SinkError) -> Bool {
        let q = try prepare("PRAGMA wal_checkpoint(TRUNCATE)")
        guard try q.step() else { return false }
        return q.int(0) == 0
    }

    /// Runs statements with no results.
    public func execute(_ sql: String) throws(SinkError) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? lastError
            sqlite3_free(err)
            throw SinkError("\(path): \(message) (in: \(sql.prefix(80)))", noSpace: rc & 0xff == SQLITE_FULL, corrupt: Self.isDamage(rc))
        }
    }

    /// A prepared statement.
    public func prepare(_ sql: String) throws(SinkError) -> Statement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw SinkError("\(path): cannot prepare '\(sql.prefix(80))': \(lastError)", corrupt: Self.isDamage(rc))
        }
        return Statement(stmt, db: self)
    }

    /// A compiled statement with positional parameters, 1-based as in SQLite.
    public final class Statement {
        let stmt: OpaquePointer
        let db: SQLiteDatabase

        init(_ stmt: OpaquePointer, db: SQLiteDatabase) {
            self.stmt = stmt
            self.db = db
        }

        deinit { sqlite3_finalize(stmt) }

        public func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(stmt, index, value) }
        public func bind(_ index: Int32, _ value: String) { sqlite3_bind_text(stmt, index, value, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self)) }

        /// Steps once; true when a row is available.
        public func step() throws(SinkError) -> Bool {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_ROW { return true }
            if rc == SQLITE_DONE { return false }
            throw SinkError("\(db.path): \(db.lastError)", noSpace: rc & 0xff == SQLITE_FULL, corrupt: SQLiteDatabase.isDamage(rc))
        }

        /// Runs to completion and resets for the next use.
        public func run() throws(SinkError) {
            defer { reset() }
            while try step() {}
        }

        public func reset() {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }

        public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }
        public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(stmt, column) == SQLITE_NULL }
        public func text(_ column: Int32) -> String {
            guard let p = sqlite3_column_text(stmt, column) else { return "" }
            return String(cString: p)
        }
    }
}

/// A sink database problem, with the path.
public struct SinkError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    /// SQLite could not write for want of space (`SQLITE_FULL`).
    public var noSpace = false
    /// SQLite found the file damaged (`SQLITE_CORRUPT`, `SQLITE_NOTADB`): a rebuild heals it.
    public var corrupt = false
    public init(_ d: String, noSpace: Bool = false, corrupt: Bool = false) {
        description = d
        self.noSpace = noSpace
        self.corrupt = corrupt
    }
}
