import Engine

/// `DurableFile` in the drills' error vocabulary (`FileError`), for the callers that report
/// a `FileError`. It writes nothing itself.
public enum AtomicFile {
    /// Creates `path` and every missing folder above it (0700: a user's own folders).
    public static func makeDirectories(_ path: String) throws(FileError) {
        do throws(DurableFileError) { try DurableFile.makeDirectories(path) } catch { throw FileError(file: error.path, line: 0, error.reason) }
    }

    /// Replaces `path` whole and durably with `text`.
    public static func write(_ path: String, _ text: String) throws(FileError) {
        do throws(DurableFileError) { try DurableFile.write(text, to: path) } catch { throw FileError(file: error.path, line: 0, error.reason) }
    }
}
