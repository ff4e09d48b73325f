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

    /// Runs statements with no results.
    public func execute(_ sql: String) throws(SinkError) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? lastError
            sqlite3_free(err)
            throw SinkError("\(path): \(message) (in: \(sql.prefix(80)))", noSpace: rc & 0xff == SQLITE_FULL)
        }
    }

    /// A prepared statement.
    public func prepare(_ sql: String) throws(SinkError) -> Statement {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
            throw SinkError("\(path): cannot prepare '\(sql.prefix(80))': \(lastError)")
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
            throw SinkError("\(db.path): \(db.lastError)", noSpace: rc & 0xff == SQLITE_FULL)
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
    public init(_ d: String, noSpace: Bool = false) {
        description = d
        self.noSpace = noSpace
    }
}
