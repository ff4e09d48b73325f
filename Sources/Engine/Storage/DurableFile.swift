#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way the project writes a file whole: a temporary file beside it, fsync, rename
/// over the target, fsync the directory. After a crash the file is either the old one or
/// the new one, never half of the new one, and a finished write is not lost with the rename.
public enum DurableFile {
    /// Who may read what is written.
    public enum Access: Sendable, Equatable {
        /// The owner alone (0600), whatever the umask says: balances, checkpoints, lab records.
        case ownerOnly
        /// What the umask allows (0666 before it): reports, drills, recordings.
        case shared

        var mode: mode_t {
            switch self {
            case .ownerOnly: return 0o600
            case .shared: return 0o666
            }
        }
    }

    /// The temporary file a whole write goes to before its rename.
    public static func temporaryPath(_ path: String) -> String { path + ".tmp" }

    /// Replaces `path` whole and durably with `bytes`. On failure the old file (if any) is
    /// untouched and no temporary file is left behind.
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String, access: Access = .shared) throws(DurableFileError) {
        let tmp = temporaryPath(path)
        do { try create(tmp, bytes, access: access) } catch {
            unlink(tmp)  // a full disk keeps no half-written temporary files either
            throw error
        }
        do { try commit(tmp, to: path) } catch {
            if error.step == .rename { unlink(tmp) }
            throw error
        }
    }

    /// Replaces `path` whole and durably with `bytes`.
    public static func write(_ bytes: [UInt8], to path: String, access: Access = .shared) throws(DurableFileError) {
        let r: Result<Void, DurableFileError> = bytes.withUnsafeBytes { raw in
            do throws(DurableFileError) { try write(raw, to: path, access: access); return .success(()) } catch { return .failure(error) }
        }
        try r.get()
    }

    /// Replaces `path` whole and durably with `text` (UTF-8).
    public static func write(_ text: String, to path: String, access: Access = .shared) throws(DurableFileError) {
        try write(Array(text.utf8), to: path, access: access)
    }

    /// Writes a file named once (no temporary file, no rename: a checkpoint's shard) and
    /// fsyncs it.
    public static func create(_ path: String, _ bytes: UnsafeRawBufferPointer, access: Access = .shared) throws(DurableFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, access.mode)
        guard fd >= 0 else { throw DurableFileError(path: path, step: .create, code: errno) }
        defer { close(fd) }
        if access == .ownerOnly, fchmod(fd, access.mode) != 0 { throw DurableFileError(path: path, step: .makePrivate, code: errno) }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress.map { $0 + done }, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw DurableFileError(path: path, step: .write, code: errno)
            }
            done += n
        }
        guard fsync(fd) == 0 else { throw DurableFileError(path: path, step: .sync, code: errno) }
    }

    /// Renames a finished, fsynced file over `path` and fsyncs the directory.
    public static func commit(_ finished: String, to path: String) throws(DurableFileError) {
        guard rename(finished, path) == 0 else { throw DurableFileError(path: path, step: .rename, code: errno) }
        try syncDirectory(of: path)
    }

    /// Fsyncs the directory that holds `path`, so a rename or a new name in it lasts.
    public static func syncDirectory(of path: String) throws(DurableFileError) {
        let dir = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw DurableFileError(path: dir, step: .syncDirectory, code: errno) }
        defer { close(fd) }
        // Some filesystems cannot fsync a directory (EINVAL): nothing more can be done there.
        guard fsync(fd) == 0 || errno == EINVAL else { throw DurableFileError(path: dir, step: .syncDirectory, code: errno) }
    }

    /// Creates `path` and every missing directory above it (0700: a user's own folders).
    public static func makeDirectories(_ path: String) throws(DurableFileError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o700) != 0 {
                guard errno == EEXIST else { throw DurableFileError(path: current, step: .makeDirectory, code: errno) }
                var st = stat()
                if stat(current, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR { throw DurableFileError(path: current, step: .notADirectory, code: 0) }
            }
        }
    }
}
