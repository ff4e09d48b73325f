/// The storage a node's checkpoint shards and the coordinator's manifests live on.
///
/// Two implementations: `FileDisk` (real files, fsync, rename) for the threaded runtime,
/// and `MemoryDisk` for the simulated one, where a test can tear writes and rot bits.
/// Paths are relative, with `/` separators.
public protocol Disk: AnyObject, Sendable {
    /// The whole file, or nil when it does not exist.
    func read(_ path: String) throws(DiskError) -> [UInt8]?
    /// Replaces the file atomically and durably: write a temporary file, fsync it,
    /// rename it over the target, fsync the directory.
    func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(DiskError)
    /// Writes the file and fsyncs it (no rename: for files named once, like shards).
    func writeDurably(_ path: String, _ bytes: UnsafeRawBufferPointer) throws(DiskError)
    /// Reads the file into `buffer` without an intermediate copy.
    /// - Returns: the file's size (which may differ from the buffer's), or nil when missing.
    func read(_ path: String, into buffer: UnsafeMutableRawBufferPointer) throws(DiskError) -> Int?
    /// Removes a file; a missing file is not an error.
    func remove(_ path: String) throws(DiskError)
    /// Removes a directory and everything below it.
    func removeTree(_ path: String) throws(DiskError)
    /// The names in a directory (empty when it does not exist).
    func list(_ directory: String) throws(DiskError) -> [String]
    /// Creates a directory and its parents.
    func makeDirectory(_ path: String) throws(DiskError)
    /// Flips one bit of a stored file in place, as rot would (no rewrite, no fsync);
    /// false when the file has no such byte.
    func flipBit(_ path: String, byte: Int, bit: Int) throws(DiskError) -> Bool
    /// Makes the `n`-th write from now tear (only part of it lands, an atomic write stops
    /// before its rename) and throw, as a crash in the middle of it would (n = 1: the next
    /// one; 0 cancels one planned).
    func crashAfterWrites(_ n: Int)
}

extension Disk {
    /// Writes an array durably.
    public func writeDurably(_ path: String, _ bytes: [UInt8]) throws(DiskError) {
        let r: Result<Void, DiskError> = bytes.withUnsafeBytes { raw in
            do throws(DiskError) { try writeDurably(path, raw); return .success(()) } catch { return .failure(error) }
        }
        try r.get()
    }
}

/// A storage operation that failed, with the path and the reason.
public struct DiskError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    /// The disk (or the user's quota) is full: ENOSPC or EDQUOT, real or simulated.
    public var noSpace: Bool
    public init(path: String, reason: String, noSpace: Bool = false) {
        self.path = path
        self.reason = reason
        self.noSpace = noSpace
    }
    public var description: String { "\(path): \(reason)" }
}
