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
        /// The damaged file's new name.
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
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(fresh + suffix) }
        var rows = 0
        do {
            let sink = try BalanceSink(path: fresh)
            // A scratch file until it is synced and renamed: no journal needed while it is built.
            try sink.db.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF")
            if let state {
                let all = Persistence.allRows(state.nodes.sorted { $0.node < $1.node }, config: config)
                rows = all.count
                try sink.commit(checkpoint: state.checkpoint, offsets: Persistence.globalOffsets(state, config: config), rows: all,
                                replaceAll: true, nowMillis: nowMillis)
            }
            // One self-contained file, in the sink's usual journal mode when it is next opened.
            try sink.db.execute("PRAGMA journal_mode=DELETE")
        }
        let fd = open(fresh, O_RDONLY | O_CLOEXEC)
        guard fd >= 0, fsync(fd) == 0 else {
            if fd >= 0 { close(fd) }
            throw SinkError("\(fresh): cannot sync the rebuilt sink: \(String(cString: strerror(errno)))")
        }
        close(fd)
        let keptAs = "\(path).damaged-\(nowMillis)"
        for suffix in ["-wal", "-shm"] {
            if access(path + suffix, F_OK) == 0 { _ = rename(path + suffix, keptAs + suffix) }
        }
        guard rename(path, keptAs) == 0 || errno == ENOENT else {
            throw SinkError("\(path): cannot move the damaged sink aside: \(String(cString: strerror(errno)))")
        }
        guard rename(fresh, path) == 0 else {
            throw SinkError("\(path): cannot put the rebuilt sink in place: \(String(cString: strerror(errno)))")
        }
        FileDisk.syncDirectory(of: path)
        return Rebuilt(keptAs: keptAs, rows: rows)
    }
}
