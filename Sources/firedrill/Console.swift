#if canImport(Glibc)
import Glibc
#endif

/// Lines that must reach a pipe or a CI log as they happen (drill progress), written
/// straight to the file descriptor rather than through a buffer that fills first.
enum Console {
    static func line(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            offset += n
        }
    }
}
