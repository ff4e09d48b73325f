#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The `shared/` files of incremental checkpoints (RocksDB's SST files): written once,
/// referred to by every checkpoint from the one that uploaded them until Flink deletes them.
/// Each is guarded once, by a manifest and parity of its own in `<parity-dir>/<job>/shared/`,
/// so a checkpoint costs the guard only the files that are new in it; a checkpoint's
/// manifest lists the shared files it refers to (their sizes and CRCs).
extension CheckpointGuard {
    var sharedDirectory: String { jobDirectory + "/shared" }
    func sharedManifestPath(_ name: String) -> String { "\(parityDirectory)/shared/\(name).manifest" }
    func sharedParityPath(_ name: String) -> String { "\(parityDirectory)/shared/\(name).parity" }

    /// The regular files in the job's `shared/` directory (none when it has none).
    func sharedNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: sharedDirectory)) ?? []).filter { name in
            var st = stat()
            return !name.hasPrefix(".") && GuardManifest.isSharedPath("shared/" + name)
                && stat("\(sharedDirectory)/\(name)", &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        }.sorted()
    }

    /// The guard data of shared file `name`, checked against its own CRC.
    func sharedManifest(_ name: String) throws(FlinkError) -> GuardManifest {
        let path = sharedManifestPath(name)
        guard let m = try readManifest(path) else { throw .guardData("\(path): no manifest (shared/\(name) is not guarded)") }
        guard m.files.count == 1, m.files[0].path == "shared/\(name)" else {
            throw .guardData("\(path): the manifest is not of shared/\(name) alone")
        }
        return m
    }

    /// The shared files whose names `metadata` (a checkpoint's `_metadata`) mentions — Flink
    /// writes the path of every file state handle into it — guarding the ones not guarded
    /// yet. Nil when one vanished while read (Flink discarding the checkpoint).
    func guardShared(referencedBy metadata: UnsafeRawBufferPointer, checkpoint id: UInt64) throws(FlinkError) -> (files: [GuardManifest.File], newBytes: Int)? {
        var files: [GuardManifest.File] = []
        var newBytes = 0
        for name in sharedNames(referencedBy: metadata) {
            if access(sharedManifestPath(name), F_OK) == 0 {
                // Guarded by an earlier checkpoint: a shared file never changes. A manifest
                // that rotted is an error, not a reason to trust today's bytes.
                files.append(try sharedManifest(name).files[0])
                continue
            }
            let path = "\(sharedDirectory)/\(name)"
            var st = stat()
            guard stat(path, &st) == 0, let bytes = Self.read(path, size: Int(st.st_size)) else { return nil }
            defer { bytes.deallocate() }
            let (m, parity) = try computeParity(checkpoint: id, files: [("shared/\(name)", UnsafeRawBufferPointer(bytes))])
            try LabFiles.makeDirectory(parityDirectory + "/shared")
            try LabFiles.writeAtomically(parity, to: sharedParityPath(name))
            try LabFiles.writeAtomically(m.encoded(), to: sharedManifestPath(name))
            files.append(m.files[0])
            newBytes += bytes.count
        }
        return (files, newBytes)
    }

    /// The shared files a checkpoint's `_metadata` (`metadata`) names, oldest name first.
    func sharedNames(referencedBy metadata: UnsafeRawBufferPointer) -> [String] {
        sharedNames().filter { Self.mentions(metadata, $0) }
    }

    /// Whether `name`'s bytes occur in `bytes`.
    static func mentions(_ bytes: UnsafeRawBufferPointer, _ name: String) -> Bool {
        var name = name
        return name.withUTF8 { n in
            guard let hay = bytes.baseAddress, let needle = n.baseAddress, n.count > 0, bytes.count >= n.count else { return false }
            // memchr for the first byte, memcmp for the rest (glibc's memmem is not in Swift's Glibc).
            var at = 0
            let last = bytes.count - n.count
            while at <= last, let hit = memchr(hay + at, Int32(n[0]), last - at + 1) {
                if memcmp(hit, needle, n.count) == 0 { return true }
                at = hay.distance(to: UnsafeRawPointer(hit)) + 1
            }
            return false
        }
    }

    /// Checks shared file `f` as checkpoint `id` refers to it; with `repair`, rebuilds it
    /// from its parity while the checkpoint is retained.
    public func checkShared(_ f: GuardManifest.File, of id: UInt64, repair: Bool) throws(FlinkError) -> GuardCheck {
        let name = String(f.path.dropFirst(7))
        let m = try sharedManifest(name)
        guard m.files[0] == f else {
            throw .guardData("\(sharedManifestPath(name)): records \(f.path) as \(m.files[0].size) bytes with CRC32C \(String(format: "%08x", m.files[0].crc)); checkpoint \(id)'s manifest as \(f.size) bytes with \(String(format: "%08x", f.crc))")
        }
        return try checkFiles(m, parity: sharedParityPath(name), checkpoint: id, repair: repair, wholeCheckpoint: false) {
            access("\(jobDirectory)/chk-\(id)/_metadata", F_OK) == 0
        }
    }

    /// The shared files the guarded checkpoints Flink still retains refer to, each with
    /// those checkpoints (oldest first).
    public func sharedReferences() -> [(file: GuardManifest.File, referrers: [UInt64])] {
        let retained = Set(retained())
        var refs: [String: (file: GuardManifest.File, referrers: [UInt64])] = [:]
        for id in guarded() where retained.contains(id) {
            guard let m = try? manifest(id) else { continue }
            for f in m.shared ?? [] { refs[f.path, default: (f, [])].referrers.append(id) }
        }
        return refs.values.sorted { $0.file.path < $1.file.path }
    }

    /// Drops the guard data of shared files Flink deleted that no retained checkpoint refers to.
    func dropStaleShared() {
        let dir = parityDirectory + "/shared"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir), !names.isEmpty else { return }
        let referenced = Set(sharedReferences().map(\.file.path))
        for n in names where n.hasSuffix(".manifest") {
            let name = String(n.dropLast(9))
            guard !referenced.contains("shared/" + name), access("\(sharedDirectory)/\(name)", F_OK) != 0 else { continue }
            unlink(sharedManifestPath(name))
            unlink(sharedParityPath(name))
        }
    }
}
