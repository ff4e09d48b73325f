#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written a line at a time and put in place whole at the end: the lines go to
/// `FILE.partial`, and `finish` fsyncs it, renames it over `FILE` and fsyncs the directory
/// (as `DurableFile` does), so a whole earlier file is never replaced by half of a new one.
/// For records and recordings that grow while a session runs. One thread uses it.
public final class PartialFile {
    /// The file it becomes.
    public let path: String
    private var file: UnsafeMutablePointer<FILE>?
    /// A write failed: `finish` reports it instead of putting a short file in place.
    private var failure: DurableFileError?

    /// Where the lines go until `finish`.
    public static func partialPath(_ path: String) -> String { path + ".partial" }

    /// Creates (or truncates) `path.partial`.
    public init(path: String) throws(DurableFileError) {
        self.path = path
        guard let f = fopen(Self.partialPath(path), "w") else { throw DurableFileError(path: Self.partialPath(path), step: .create, code: errno) }
        file = f
    }

    deinit { if let file { fclose(file) } }

    /// Whether it still takes lines (not finished, no write failed).
    public var isOpen: Bool { file != nil && failure == nil }

    /// Appends text as it is (no newline added).
    public func write(_ text: String) {
        guard let f = file, failure == nil else { return }
        if fputs(text, f) < 0 { failure = DurableFileError(path: Self.partialPath(path), step: .write, code: errno) }
    }

    /// Flushes and fsyncs the partial file and renames it into place; nothing happens the
    /// second time.
    public func finish() throws(DurableFileError) {
        guard let f = file else { return }
        file = nil
        let partial = Self.partialPath(path)
        var error = failure
        if error == nil, fflush(f) != 0 || fsync(fileno(f)) != 0 { error = DurableFileError(path: partial, step: .sync, code: errno) }
        fclose(f)
        if let error { throw error }
        try DurableFile.commit(partial, to: path)
    }
}
