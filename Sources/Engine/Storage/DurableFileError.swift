#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole-file write that failed: the file, the step it failed at and the system's reason.
public struct DurableFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The step of a durable write.
    public enum Step: Sendable, Equatable {
        /// Creating (or opening) the file, or its temporary twin.
        case create
        /// Making the file the owner's alone.
        case makePrivate
        /// Writing the bytes.
        case write
        /// Flushing the file to the disk.
        case sync
        /// Renaming the finished temporary file over the target.
        case rename
        /// Flushing the directory, so the rename survives a crash.
        case syncDirectory
        /// Creating a directory on the way to the file.
        case makeDirectory
        /// A path on the way is a file where a directory was expected.
        case notADirectory
    }

    /// The file (or directory) the write was for.
    public var path: String
    public var step: Step
    /// The `errno` of the failed call (0 when the step is not a system call's failure).
    public var code: Int32

    public init(path: String, step: Step, code: Int32) {
        self.path = path
        self.step = step
        self.code = code
    }

    /// The disk (or the user's quota) is full.
    public var noSpace: Bool { code == ENOSPC || code == EDQUOT }

    /// What went wrong, without the path.
    public var reason: String {
        let why = String(cString: strerror(code))
        switch step {
        case .create: return "cannot create: \(why)"
        case .makePrivate: return "cannot make it private: \(why)"
        case .write: return "write failed: \(why)"
        case .sync: return "fsync failed: \(why)"
        case .rename: return "cannot rename the finished file into place: \(why)"
        case .syncDirectory: return "cannot fsync its directory: \(why)"
        case .makeDirectory: return "cannot create directory: \(why)"
        case .notADirectory: return "is a file, expected a directory"
        }
    }

    public var description: String { "\(path): \(reason)" }
}
