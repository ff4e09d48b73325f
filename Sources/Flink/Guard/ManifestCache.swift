#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Manifests already read and checked, by path, for the guardian's rounds: a manifest is
/// written once (whole, renamed into place) and never changed, so one that is still the
/// same file (inode, size, modification time) is not decoded again. The scrubber checks
/// every guarded unit about once a second, and an incremental checkpoint's dozens of shared
/// files each have a manifest of their own. What the cache returns is what was verified
/// when it was read; on-demand commands read from disk.
public final class ManifestCache: Sendable {
    struct Stamp: Equatable {
        var inode: UInt64
        var size: Int
        var mtime: Int
    }
    let entries = Mutex<[String: (stamp: Stamp, manifest: GuardManifest)]>([:])
    /// Entries kept at most (then it starts over: the guard retains a few checkpoints).
    let capacity: Int

    public init(capacity: Int = 4096) { self.capacity = capacity }

    /// The manifest at `path` (nil when there is none), decoded and checked against its CRC
    /// unless the same file was decoded before.
    func manifest(at path: String) throws(FlinkError) -> GuardManifest? {
        var st = stat()
        guard stat(path, &st) == 0 else { entries.withLock { _ = $0.removeValue(forKey: path) }; return nil }
        let stamp = Stamp(inode: UInt64(st.st_ino), size: Int(st.st_size), mtime: Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec))
        if let hit = entries.withLock({ $0[path] }), hit.stamp == stamp { return hit.manifest }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let m = try GuardManifest.decode(data, path: path)
        entries.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0[path] = (stamp, m)
        }
        return m
    }
}
