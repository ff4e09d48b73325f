#if canImport(Glibc)
import Glibc
#endif

/// A sink that heals itself: SQLite's own `PRAGMA quick_check` finds a damaged `sink.db`
/// (a flipped bit, a torn page, a file that is not a database), and the sink is rebuilt
/// from the newest checkpoint that restores — every balance and the epoch row in one
/// transaction, written to a new file, synced and renamed into place — with the damaged
/// file kept aside (`sink.db.damaged-TIME`). The balances in a checkpoint are exactly what
/// its epoch commits, so the audit that follows proves the result.
public enum SinkRepair {
    /// What a rebuild did.
    public struct Rebuilt: Sendable, Equatable {
        /// The damaged file's new name (empty: an in-memory sink, nothing kept).
        public var keptAs: String
        /// Balance rows written.
        public var rows: Int
    }

    /// Whether `path` names a file on disk (not an in-memory database).
    static func isFile(_ path: String) -> Bool { !path.hasPrefix("file:") && !path.contains("mode=memory") && path != ":memory:" }

    /// What is wrong with the sink at `path`; nil when it is sound or does not exist yet.
    public static func damage(at path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        if st.st_size == 0 { return nil }  // created and never written: a new sink
        do throws(SinkError) {
            let db = try SQLiteDatabase(path: path, readOnly: true)
            let q = try db.prepare("PRAGMA quick_check")
            var problems: [String] = []
            while try q.step() {
                let t = q.text(0)
                if t != "ok" { problems.append(t) }
            }
            if !problems.isEmpty { return problems.prefix(3).joined(separator: "; ") }
            // The tables the sink needs, readable to the end.
            let tables = try db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('balances', 'epochs')")
            _ = try tables.step()
            guard tables.int(0) == 2 else { return "the balances or epochs table is missing" }
            let rows = try db.prepare("SELECT count(*), sum(balance) FROM balances")
            _ = try rows.step()
            _ = try BalanceSink.lastEpoch(db)
            return nil
        } catch {
            return error.description
        }
    }

    /// Rebuilds the sink at `path` from `state` (nil: an empty sink, nothing committed).
    /// The damaged files (`path`, and its `-wal`/`-shm` beside it) are renamed aside first.
    public static func rebuild(path: String, from state: CheckpointState?, config: JobConfig, nowMillis: Int64) throws(SinkError) -> Rebuilt {
        let fresh = path + ".rebuilding"
        let rows = try build(fresh, from: state, config: config, nowMillis: nowMillis)
        let keptAs = "\(path).damaged-\(nowMillis)"
        for suffix in ["-wal", "-shm"] {
            if access(path + suffix, F_OK) == 0 { _ = rename(path + suffix, keptAs + suffix) }
        }
        guard rename(path, keptAs) == 0 || errno == ENOENT else {
            throw SinkError("\(path): cannot move the damaged sink aside: \(String(cString: strerror(errno)))")
        }
        do throws(DurableFileError) { try DurableFile.commit(fresh, to: path) } catch {
            throw SinkError("\(path): cannot put the rebuilt sink in place: \(error.reason)")
        }
        return Rebuilt(keptAs: keptAs, rows: rows)
    }

    /// Rebuilds the sink while the job runs, through its open connection `db`: a copy of
    /// the damaged file (and its WAL) is kept aside first, the rebuilt database is built
    /// beside it and copied page by page into the live one with SQLite's backup API, as one
    /// write transaction the other connections (the auditor's) see as any commit. No file
    /// is renamed under an open connection (SQLite would later delete the new file's WAL by
    /// its name). Page 1 itself damaged (`file is not a database`) cannot be rebuilt this
    /// way: that error is thrown, and the next start rebuilds the file.
    public static func rebuildLive(_ db: SQLiteDatabase, from state: CheckpointState, config: JobConfig, nowMillis: Int64) throws(SinkError) -> Rebuilt {
        let path = db.path
        guard isFile(path) else {
            // In memory (the simulated runtime): nothing on disk to keep; built in memory too.
            let fresh = try BalanceSink(path: "file:firedrill-rebuild-\(nowMillis)-\(UInt64.random(in: 0...UInt64.max))?mode=memory&cache=shared")
            let rows = try fill(fresh, from: state, config: config, nowMillis: nowMillis)
            try db.restore(from: fresh.db)
            return Rebuilt(keptAs: "", rows: rows)
        }
        let keptAs = "\(path).damaged-\(nowMillis)"
        try copyFile(path, to: keptAs)
        if access(path + "-wal", F_OK) == 0 { try copyFile(path + "-wal", to: keptAs + "-wal") }
        let fresh = path + ".rebuilding"
        let rows = try build(fresh, from: state, config: config, nowMillis: nowMillis)
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { unlink(fresh + suffix) } }
        let source = try SQLiteDatabase(path: fresh, readOnly: true)
        try db.restore(from: source)
        return Rebuilt(keptAs: keptAs, rows: rows)
    }

    /// Copies a file byte for byte (write, fsync), for the record of a damaged one.
    static func copyFile(_ from: String, to: String) throws(SinkError) {
        let src = open(from, O_RDONLY | O_CLOEXEC)
        guard src >= 0 else { throw SinkError("\(from): cannot read it to keep a copy: \(String(cString: strerror(errno)))") }
        defer { close(src) }
        let dst = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, FileDisk.fileMode)
        guard dst >= 0 else { throw SinkError("\(to): cannot create it: \(String(cString: strerror(errno)))") }
        defer { close(dst) }
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { read(src, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw SinkError("\(from): read failed: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            var off = 0
            while off < n {
                let w = buf.withUnsafeBytes { raw -> Int in
                    guard let base = raw.baseAddress else { return -1 }
                    return write(dst, base + off, n - off)
                }
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else { throw SinkError("\(to): write failed: \(String(cString: strerror(errno)))", noSpace: errno == ENOSPC) }
                off += w
            }
        }
        guard fsync(dst) == 0 else { throw SinkError("\(to): fsync failed: \(String(cString: strerror(errno)))", noSpace: errno == ENOSPC) }
    }

    /// Builds a sink holding exactly `state` (nil: empty) at `fresh`, synced; returns the rows.
    static func build(_ fresh: String, from state: CheckpointState?, config: JobConfig, nowMillis: Int64) throws(SinkError) -> Int {
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(fresh + suffix) }
        var rows = 0
        do {
            let sink = try BalanceSink(path: fresh)
            // A scratch file until it is synced and renamed: no journal needed while it is built.
            try sink.db.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF")
            if let state { rows = try fill(sink, from: state, config: config, nowMillis: nowMillis) }
            // One self-contained file, in the sink's usual journal mode when it is next opened.
            try sink.db.execute("PRAGMA journal_mode=DELETE")
        }
        let fd = open(fresh, O_RDONLY | O_CLOEXEC)
        guard fd >= 0, fsync(fd) == 0 else {
            if fd >= 0 { close(fd) }
            throw SinkError("\(fresh): cannot sync the rebuilt sink: \(String(cString: strerror(errno)))")
        }
        close(fd)
        return rows
    }

    /// Commits every balance of `state` and its epoch row into `sink`, in one transaction.
    static func fill(_ sink: BalanceSink, from state: CheckpointState, config: JobConfig, nowMillis: Int64) throws(SinkError) -> Int {
        let all = Persistence.allRows(state.nodes.sorted { $0.node < $1.node }, config: config)
        try sink.commit(checkpoint: state.checkpoint, offsets: Persistence.globalOffsets(state, config: config), rows: all,
                        replaceAll: true, nowMillis: nowMillis)
        return all.count
    }
}
