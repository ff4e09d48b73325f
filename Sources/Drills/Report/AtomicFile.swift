#if canImport(Glibc)
import Glibc
#endif

/// Writes a whole file or nothing: a temp file beside it, fsync, rename over the old one.
public enum AtomicFile {
    /// Creates `path` and every missing folder above it (0700: a user's own folders).
    public static func makeDirectories(_ path: String) throws(FileError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw FileError(file: current, line: 0, "cannot create the folder: \(String(cString: strerror(errno)))")
            }
        }
    }

    public static func write(_ path: String, _ text: String) throws(FileError) {
        let tmp = path + ".tmp-\(getpid())"
        guard let f = fopen(tmp, "w") else {
            throw FileError(file: path, line: 0, "cannot write: \(String(cString: strerror(errno)))")
        }
        let bytes = Array(text.utf8)
        let wrote = bytes.isEmpty ? 0 : fwrite(bytes, 1, bytes.count, f)
        let ok = wrote == bytes.count && fflush(f) == 0 && fsync(fileno(f)) == 0
        let err = errno
        fclose(f)
        guard ok else {
            unlink(tmp)
            throw FileError(file: path, line: 0, "cannot write: \(String(cString: strerror(err)))")
        }
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw FileError(file: path, line: 0, "cannot move the finished file into place: \(String(cString: strerror(e)))")
        }
    }
}
