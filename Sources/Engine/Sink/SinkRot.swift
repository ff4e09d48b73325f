#if canImport(Glibc)
import Glibc
#endif

/// A flipped bit in the sink's database file, where the sink's next transaction reads: the
/// type byte of the `balances` table's root page (every read and write of a balance starts
/// there). The write-ahead log is first copied into the file and emptied, so the page is read
/// from the file (where the rot is), not from a newer copy in the log; every connection
/// drops its cached pages when it sees the log reset. SQLite keeps no checksum of a page:
/// what finds the rot is the page's structure, no longer valid (`SQLITE_CORRUPT`).
public struct SinkRot: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var page: Int
    public var offset: Int

    /// False for an in-memory sink (the simulated runtime), where the rot is in the schema
    /// record instead (see `flip`).
    public var inFile = true

    public var description: String {
        inFile ? "flipped bit 4 of byte \(offset) of \(path) (page \(page): the balances table's root)"
            : "rotted the balances table's root page number in the in-memory sink's schema (\(page) → \(offset))"
    }

    /// Flips the bit; the sink stays open elsewhere. An in-memory database has no file: there
    /// the schema record's root page number rots (and the schema's version moves, so every
    /// connection reads it again), which SQLite finds the same way — a page that is not what
    /// it should be (`SQLITE_CORRUPT`).
    ///
    /// `patience`: seconds to wait for readers to let the log be reset (the auditor's read
    /// of a large sink holds it); past that the bit is not flipped, since a newer copy of the
    /// page in the log would hide it and later overwrite it.
    public static func flip(_ path: String, patience: Double = 2) throws(SinkError) -> SinkRot {
        let db = try SQLiteDatabase(path: path)
        guard SinkRepair.isFile(path) else {
            let root = try db.prepare("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'balances'")
            guard try root.step() else { throw SinkError("\(path): no balances table") }
            let page = Int(root.int(0))
            let rotted = page ^ (1 << 20)
            try db.execute("PRAGMA writable_schema=ON; UPDATE sqlite_master SET rootpage = \(rotted) WHERE type = 'table' AND name = 'balances'; PRAGMA writable_schema=OFF")
            let version = try db.prepare("PRAGMA schema_version")
            guard try version.step() else { throw SinkError("\(path): cannot read the schema version") }
            try db.execute("PRAGMA schema_version = \(version.int(0) + 1)")
            return SinkRot(path: path, page: page, offset: rotted, inFile: false)
        }
        // A reader holding an older snapshot (the auditor's) keeps the log from being reset:
        // try again between its reads, without holding the engine's connections up.
        db.busyTimeout(milliseconds: 0)
        var emptied = false
        for _ in 0..<max(1, Int(patience * 200)) {
            emptied = (try? db.checkpointWAL()) == true
            if emptied { break }
            usleep(5_000)
        }
        guard emptied else {
            throw SinkError("\(path): the write-ahead log could not be copied into the file within \(patience) s (readers kept it); nothing flipped")
        }
        let root = try db.prepare("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'balances'")
        guard try root.step() else { throw SinkError("\(path): no balances table") }
        let page = Int(root.int(0))
        let size = try db.prepare("PRAGMA page_size")
        guard try size.step(), page >= 1 else { throw SinkError("\(path): cannot read the page size") }
        let offset = (page - 1) * Int(size.int(0)) + (page == 1 ? 100 : 0)
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw SinkError("\(path): cannot open it to flip a bit: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var byte: UInt8 = 0
        guard pread(fd, &byte, 1, off_t(offset)) == 1 else { throw SinkError("\(path): page \(page) is past the end of the file") }
        byte ^= 1 << 4
        guard pwrite(fd, &byte, 1, off_t(offset)) == 1, fsync(fd) == 0 else {
            throw SinkError("\(path): cannot write the flipped bit: \(String(cString: strerror(errno)))")
        }
        return SinkRot(path: path, page: page, offset: offset)
    }
}
