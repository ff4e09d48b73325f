#if canImport(Glibc)
import Glibc
#endif

/// Reads small text files (themes, drills) without Foundation, and whole files as bytes
/// (records, casts).
public enum TextFile {
    /// The file's bytes.
    /// - Throws: `FileError` (line 0) naming `what` when it cannot be read or is over `limit` bytes.
    public static func bytes(_ path: String, limit: Int, what: String) throws(FileError) -> [UInt8] {
        guard let f = fopen(path, "rb") else {
            throw FileError(file: path, line: 0, "cannot read the \(what): \(String(cString: strerror(errno)))")
        }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if bytes.count > limit { throw FileError(file: path, line: 0, "the \(what) is over \(limit >> 20) MB") }
            if n < chunk.count { break }
        }
        if ferror(f) != 0 { throw FileError(file: path, line: 0, "cannot read the \(what): \(String(cString: strerror(errno)))") }
        return bytes
    }

    /// The file's text, or nil when it cannot be read, is not UTF-8 or is over `limit` bytes.
    public static func read(_ path: String, limit: Int = 1 << 20) -> String? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n > 0 { bytes += chunk[0..<n] }
            if bytes.count > limit { return nil }
            if n < chunk.count { break }
        }
        if ferror(f) != 0 { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
