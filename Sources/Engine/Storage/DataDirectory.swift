#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The data directory: a `firedrill.format` file naming the format version and the job it
/// belongs to, a directory per node disk, the manifests, and the sink database.
public enum DataDirectory {
    public static let formatFile = "firedrill.format"
    public static let formatVersion = 1
    public static let sinkFile = "sink.db"

    /// The identity lines a data directory records; a run must match them.
    static func identity(_ c: JobConfig) -> [String] {
        ["nodes \(c.nodes)", "partitions \(c.partitions)", "accounts \(c.accounts)", "seed \(c.seed)",
         "initial-balance \(c.initialBalance)", "ec \(c.dataShards)+\(c.parityShards)"]
    }

    /// The job a data directory records.
    public struct Format: Sendable, Equatable {
        public var nodes: Int
        public var dataShards: Int
        public var parityShards: Int
    }

    /// Reads the format file of an existing data directory.
    public static func readFormat(_ disk: any Disk, label: String) throws(ConfigError) -> Format {
        let bytes: [UInt8]?
        do { bytes = try disk.read(formatFile) } catch { throw .invalid("--data \(label): \(error)") }
        guard let bytes, let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalid("--data \(label): no \(formatFile): not a firedrill data directory")
        }
        var f = Format(nodes: 0, dataShards: 0, parityShards: 0)
        for (i, line) in text.split(separator: "\n").enumerated() {
            let w = line.split(separator: " ")
            if i == 0 {
                guard w.count == 2, w[0] == "firedrill-data", let v = Int(w[1]) else { throw .invalid("\(label)/\(formatFile): line 1: expected 'firedrill-data N'") }
                guard v <= formatVersion else { throw .invalid("--data \(label): written by a newer firedrill (format \(v); this build reads \(formatVersion))") }
            } else if w.count == 2, w[0] == "nodes", let n = Int(w[1]) {
                f.nodes = n
            } else if w.count == 2, w[0] == "ec" {
                let p = w[1].split(separator: "+")
                guard p.count == 2, let k = Int(p[0]), let m = Int(p[1]) else { throw .invalid("\(label)/\(formatFile): line \(i + 1): expected 'ec K+M'") }
                f.dataShards = k
                f.parityShards = m
            }
        }
        guard f.nodes >= 1, f.dataShards >= 1, f.parityShards >= 1 else { throw .invalid("\(label)/\(formatFile): missing 'nodes' or 'ec'") }
        return f
    }

    /// Checks a real directory before anything is written: it must be a directory (or not
    /// exist yet, with a parent that does), readable and writable.
    public static func checkPath(_ path: String) throws(ConfigError) {
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw .invalid("--data \(path): is a file, expected a directory") }
            guard access(path, R_OK | W_OK | X_OK) == 0 else { throw .invalid("--data \(path): not readable and writable by this user") }
        } else if errno != ENOENT {
            throw .invalid("--data \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// A warning when the existing directory at `path` may be read by other users (the
    /// balances and checkpoints inside are private); nil when it is the owner's alone or
    /// does not exist yet (firedrill creates it 0700).
    public static func exposure(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_mode & 0o077 != 0 else { return nil }
        let mode = String(st.st_mode & 0o777, radix: 8)
        return "--data \(path) is mode \(mode): other users may read the balances and checkpoints in it (chmod 700 \(path))"
    }

    /// Validates (or, for a new or empty directory, creates) the format file on `disk`.
    public static func prepare(_ disk: any Disk, config: JobConfig, label: String) throws(ConfigError) {
        let existing: [UInt8]?
        let names: [String]
        do {
            existing = try disk.read(formatFile)
            names = try disk.list("")
        } catch { throw .invalid("--data \(label): \(error)") }
        let want = identity(config)
        if let existing {
            guard let text = String(validating: existing, as: UTF8.self) else { throw .invalid("\(label)/\(formatFile): not text") }
            var lines = text.split(separator: "\n").map(String.init)
            guard let head = lines.first, head.hasPrefix("firedrill-data "), let version = Int(head.dropFirst(15)) else {
                throw .invalid("\(label)/\(formatFile): line 1: expected 'firedrill-data N'")
            }
            guard version <= formatVersion else {
                throw .invalid("--data \(label): written by a newer firedrill (format \(version); this build reads \(formatVersion))")
            }
            lines.removeFirst()
            guard lines == want else {
                let have = lines.joined(separator: ", ")
                throw .invalid("--data \(label) holds a different job (\(have)); this run is (\(want.joined(separator: ", "))). Use the same settings or another --data")
            }
            return
        }
        let foreign = names.filter { $0 != formatFile && !$0.hasPrefix(".") }
        guard foreign.isEmpty else {
            throw .invalid("--data \(label): not a firedrill data directory (it holds \(foreign.prefix(3).joined(separator: ", ")) but no \(formatFile)); choose an empty or new directory")
        }
        do {
            try disk.makeDirectory("")
            try disk.writeAtomically(formatFile, Array((["firedrill-data \(formatVersion)"] + want).joined(separator: "\n").utf8) + [10])
        } catch { throw .invalid("--data \(label): \(error)") }
    }
}
