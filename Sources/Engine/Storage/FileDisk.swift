#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Real files under a root directory.
public final class FileDisk: Disk {
    /// The root directory.
    public let root: String
    /// Writes left before a planned torn write (0: none planned).
    private let writesUntilCrash = Atomic<Int>(0)
    /// Every write fails as on a full disk (for machines where the disk-full test cannot
    /// mount a small filesystem of its own).
    private let isFull = Atomic<Bool>(false)

    public init(root: String) {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// Makes the `n`-th write from now tear (only half its bytes land, an atomic write stops
    /// before its rename) and throw, as a crash in the middle of it would (n = 1: the next
    /// one; 0 cancels). For the seeded fault schedules on real files.
    public func crashAfterWrites(_ n: Int) { writesUntilCrash.store(max(0, n), ordering: .relaxed) }

    /// Makes every write fail with ENOSPC until called with `false`.
    public func simulateFull(_ on: Bool) { isFull.store(on, ordering: .relaxed) }

    /// Counts down to a planned crash; true when this write is the one that tears.
    private func tears() -> Bool {
        while true {
            let left = writesUntilCrash.load(ordering: .relaxed)
            guard left > 0 else { return false }
            if writesUntilCrash.compareExchange(expected: left, desired: left - 1, ordering: .relaxed).exchanged { return left == 1 }
        }
    }

    /// Removes the whole tree, ignoring errors (scratch space).
    public func removeTreeQuietly() { try? removeTree("") }

    func full(_ path: String) -> String { path.isEmpty ? root : root + "/" + path }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    public func read(_ path: String) throws(DiskError) -> [UInt8]? {
        let p = full(path)
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw DiskError(path: p, reason: "cannot open: \(Self.errnoText())")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DiskError(path: p, reason: "cannot stat: \(Self.errnoText())") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw DiskError(path: p, reason: "is a directory, expected a file") }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        let ok = out.withUnsafeMutableBytes { buf -> Bool in
            while done < buf.count {
                let n = Glibc.read(fd, buf.baseAddress.map { $0 + done }, buf.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                if n == 0 { break }
                done += n
            }
            return true
        }
        guard ok else { throw DiskError(path: p, reason: "read failed: \(Self.errnoText())") }
        if done < out.count { out.removeLast(out.count - done) }
        return out
    }

    public func read(_ path: String, into buffer: UnsafeMutableRawBufferPointer) throws(DiskError) -> Int? {
        let p = full(path)
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw DiskError(path: p, reason: "cannot open: \(Self.errnoText())")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DiskError(path: p, reason: "cannot stat: \(Self.errnoText())") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw DiskError(path: p, reason: "is a directory, expected a file") }
        let size = Int(st.st_size)
        var done = 0
        let want = min(size, buffer.count)
        while done < want {
            let n = Glibc.read(fd, buffer.baseAddress.map { $0 + done }, want - done)
            if n < 0 { if errno == EINTR { continue }; throw DiskError(path: p, reason: "read failed: \(Self.errnoText())") }
            if n == 0 { return done }
            done += n
        }
        return size
    }

    /// Writes through `DurableFile`, unless the disk is (simulated) full or this write is
    /// the planned torn one: then a file named once keeps half its bytes and a replaced file
    /// stays as it was, as after a crash before the rename.
    private func writeFile(_ p: String, _ buf: UnsafeRawBufferPointer, replacing: Bool) throws(DiskError) {
        if isFull.load(ordering: .relaxed) { throw DiskError(path: p, reason: "write failed: \(String(cString: strerror(ENOSPC))) (simulated)", noSpace: true) }
        let torn = tears()
        do throws(DurableFileError) {
            if torn {
                if !replacing { try DurableFile.create(p, UnsafeRawBufferPointer(rebasing: buf.prefix(buf.count / 2)), access: .ownerOnly) }
            } else if replacing {
                try DurableFile.write(buf, to: p, access: .ownerOnly)
            } else {
                try DurableFile.create(p, buf, access: .ownerOnly)
            }
        } catch {
            throw DiskError(path: error.path, reason: error.reason, noSpace: error.noSpace)
        }
        if torn { throw DiskError(path: p, reason: "torn write: the planned crash came after \(buf.count / 2) of \(buf.count) bytes") }
    }

    public func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(DiskError) {
        let r: Result<Void, DiskError> = bytes.withUnsafeBytes { raw in
            do throws(DiskError) { try writeFile(full(path), raw, replacing: true); return .success(()) } catch { return .failure(error) }
        }
        try r.get()
    }

    public func writeDurably(_ path: String, _ bytes: UnsafeRawBufferPointer) throws(DiskError) {
        try writeFile(full(path), bytes, replacing: false)
    }

    public func flipBit(_ path: String, byte: Int, bit: Int) throws(DiskError) -> Bool {
        let p = full(path)
        let fd = open(p, O_RDWR)
        guard fd >= 0 else {
            if errno == ENOENT { return false }
            throw DiskError(path: p, reason: "cannot open: \(Self.errnoText())")
        }
        defer { close(fd) }
        var b: UInt8 = 0
        guard byte >= 0, pread(fd, &b, 1, off_t(byte)) == 1 else { return false }
        b ^= UInt8(1 << (bit & 7))
        guard pwrite(fd, &b, 1, off_t(byte)) == 1 else { throw DiskError(path: p, reason: "cannot write: \(Self.errnoText())") }
        return true
    }

    public func remove(_ path: String) throws(DiskError) {
        let p = full(path)
        if unlink(p) != 0 && errno != ENOENT { throw DiskError(path: p, reason: "cannot remove: \(Self.errnoText())") }
    }

    public func removeTree(_ path: String) throws(DiskError) {
        let p = full(path)
        var st = stat()
        guard lstat(p, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            // Another thread may write into it meanwhile (a checkpoint's shard landing while
            // a disk is wiped): what it wrote goes too, in a few more rounds at most.
            var round = 0
            while true {
                for name in try list(path) { try removeTree(path.isEmpty ? name : path + "/" + name) }
                if rmdir(p) == 0 || errno == ENOENT { break }
                round += 1
                guard errno == ENOTEMPTY || errno == EEXIST, round < 8 else {
                    throw DiskError(path: p, reason: "cannot remove directory: \(Self.errnoText())")
                }
            }
        } else {
            try remove(path)
        }
    }

    public func list(_ directory: String) throws(DiskError) -> [String] {
        let p = full(directory)
        guard let dir = opendir(p) else {
            if errno == ENOENT { return [] }
            throw DiskError(path: p, reason: "cannot list: \(Self.errnoText())")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Files a data directory holds: the owner's alone.
    public static let fileMode: mode_t = 0o600
    /// Directories from the data directory down: the owner's alone.
    public static let directoryMode: mode_t = 0o700

    public func makeDirectory(_ path: String) throws(DiskError) {
        var built = ""
        for part in full(path).split(separator: "/", omittingEmptySubsequences: false) {
            built += (built.isEmpty && part.isEmpty) ? "/" : (built.isEmpty || built == "/" ? "" : "/") + part
            if part.isEmpty { continue }
            // Parents above the data directory get the usual mode; it and what is below it
            // are private (whatever the umask says). An existing directory is left as it is.
            let own = built.count >= root.count
            if mkdir(built, own ? Self.directoryMode : 0o755) == 0 {
                if own && chmod(built, Self.directoryMode) != 0 {
                    throw DiskError(path: built, reason: "cannot make it private: \(Self.errnoText())")
                }
            } else if errno != EEXIST {
                throw DiskError(path: built, reason: "cannot create directory: \(Self.errnoText())")
            }
            var st = stat()
            if stat(built, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR {
                throw DiskError(path: built, reason: "is a file, expected a directory")
            }
        }
    }
}
