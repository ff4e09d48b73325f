#if canImport(Glibc)
import Glibc
#endif

/// Reads small text files (themes, drills) without Foundation.
public enum TextFile {
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
