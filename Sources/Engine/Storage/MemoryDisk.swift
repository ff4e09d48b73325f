import Synchronization

/// An in-memory disk for the simulated runtime and tests.
///
/// It can misbehave on purpose: `crashAfterWrites` makes the n-th next write tear (only a
/// prefix lands, or an atomic write stops before its rename) and throws, as a power cut
/// would; `flipBit` rots a stored byte.
public final class MemoryDisk: Disk {
    struct State {
        var files: [String: [UInt8]] = [:]
        var directories: Set<String> = [""]
        var writesUntilCrash: Int? = nil
        var crashed = false
    }
    let state = EngineMutex(State())

    public init() {}

    /// Makes the `n`-th write from now fail half-way (n = 1: the next one; 0 cancels).
    public func crashAfterWrites(_ n: Int) { state.withLock { $0.writesUntilCrash = n > 0 ? n : nil; $0.crashed = false } }

    /// Whether a planned crash has happened.
    public var hasCrashed: Bool { state.withLock { $0.crashed } }

    /// Flips one bit of a stored file; false when there is no such byte.
    @discardableResult
    public func flipBit(_ path: String, byte: Int, bit: Int) -> Bool {
        state.withLock { s in
            guard var f = s.files[path], byte >= 0, byte < f.count else { return false }
            f[byte] ^= UInt8(1 << (bit & 7))
            s.files[path] = f
            return true
        }
    }

    /// All file paths, sorted.
    public var paths: [String] { state.withLock { $0.files.keys.sorted() } }

    /// Counts down to a planned crash; true when this write is the one that tears.
    private func tears(_ s: inout State) -> Bool {
        guard let n = s.writesUntilCrash else { return false }
        if n <= 1 { s.writesUntilCrash = nil; s.crashed = true; return true }
        s.writesUntilCrash = n - 1
        return false
    }

    public func read(_ path: String) throws(DiskError) -> [UInt8]? { state.withLock { $0.files[path] } }

    public func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(DiskError) {
        let torn = state.withLock { s -> Bool in
            if tears(&s) {
                s.files[path + ".tmp"] = Array(bytes.prefix(bytes.count / 2))  // the rename never happens
                return true
            }
            s.files[path] = bytes
            s.files[path + ".tmp"] = nil
            return false
        }
        if torn { throw DiskError(path: path, reason: "simulated crash during write") }
    }

    public func read(_ path: String, into buffer: UnsafeMutableRawBufferPointer) throws(DiskError) -> Int? {
        guard let f = state.withLock({ $0.files[path] }) else { return nil }
        f.withUnsafeBytes { src in
            let n = min(src.count, buffer.count)
            if n > 0, let from = src.baseAddress { buffer.baseAddress?.copyMemory(from: from, byteCount: n) }
        }
        return f.count
    }

    public func writeDurably(_ path: String, _ raw: UnsafeRawBufferPointer) throws(DiskError) {
        let bytes = Array(raw)
        let torn = state.withLock { s -> Bool in
            if tears(&s) {
                s.files[path] = Array(bytes.prefix(bytes.count / 2))
                return true
            }
            s.files[path] = bytes
            return false
        }
        if torn { throw DiskError(path: path, reason: "simulated crash during write") }
    }

    public func remove(_ path: String) throws(DiskError) { state.withLock { _ = $0.files.removeValue(forKey: path) } }

    public func removeTree(_ path: String) throws(DiskError) {
        state.withLock { s in
            let prefix = path.isEmpty ? "" : path + "/"
            s.files = s.files.filter { !($0.key == path || $0.key.hasPrefix(prefix)) }
            s.directories = s.directories.filter { !($0 == path || $0.hasPrefix(prefix)) }
        }
    }

    public func list(_ directory: String) throws(DiskError) -> [String] {
        state.withLock { s in
            let prefix = directory.isEmpty ? "" : directory + "/"
            var names = Set<String>()
            for key in s.files.keys where key.hasPrefix(prefix) {
                if let first = key.dropFirst(prefix.count).split(separator: "/").first { names.insert(String(first)) }
            }
            for d in s.directories where d.hasPrefix(prefix) && d != directory {
                if let first = d.dropFirst(prefix.count).split(separator: "/").first { names.insert(String(first)) }
            }
            return names.sorted()
        }
    }

    public func makeDirectory(_ path: String) throws(DiskError) {
        state.withLock { s in
            var built = ""
            for part in path.split(separator: "/") {
                built = built.isEmpty ? String(part) : built + "/" + part
                s.directories.insert(built)
            }
        }
    }
}
