// Shared by every harness: a broken property is a finding, reported with what was fed in.
#if canImport(Glibc)
import Glibc
#endif

/// Stops the run with `message` when `condition` fails: libFuzzer then saves the input.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        let line = Array("fuzz property broken: \(message())\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        abort()
    }
}

/// The input as text, as a user's file would be read (invalid UTF-8 repaired).
func text(_ data: UnsafePointer<UInt8>, _ size: Int) -> String {
    String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
}

/// Lines in `s`, for checking that an error names one that exists.
func lineCount(_ s: String) -> Int { s.split(separator: "\n", omittingEmptySubsequences: false).count }
