import Integrity

/// Checkpoints on the node disks: each checkpoint's blob is Reed-Solomon coded into
/// `k + m` shards on distinct node disks, and a manifest (written last, atomically) makes
/// it exist. Restoring reads any `k` shards whose CRC checks and rebuilds the rest.
///
/// Layout under the data directory: `node-D/chk-ID.sS` (shard S of checkpoint ID on
/// node D's disk) and `manifests/chk-ID.manifest`.
public final class ShardStore: Sendable {
    public let disk: any Disk
    public let nodes: Int
    public let code: ReedSolomon

    public init(disk: any Disk, nodes: Int, dataShards: Int, parityShards: Int) throws(ConfigError) {
        self.disk = disk
        self.nodes = nodes
        do { code = try ReedSolomon(dataShards: dataShards, parityShards: parityShards) } catch {
            throw .invalid("--ec \(dataShards)+\(parityShards): \(error)")
        }
    }

    /// The disk holding shard `index` of checkpoint `id` (rotated so load spreads).
    public func diskOf(shard index: Int, checkpoint id: UInt64) -> Int { Self.disk(ofShard: index, checkpoint: id, nodes: nodes) }

    /// The disk holding shard `index` of checkpoint `id` in a cluster of `nodes`.
    public static func disk(ofShard index: Int, checkpoint id: UInt64, nodes: Int) -> Int { (index + Int(id % UInt64(nodes))) % nodes }

    /// The shard of checkpoint `id` that node `node`'s disk holds, if it holds one.
    public static func shard(onDisk node: Int, checkpoint id: UInt64, nodes: Int, shards: Int) -> Int? {
        guard nodes > 0 else { return nil }
        let s = ((node - Int(id % UInt64(nodes))) % nodes + nodes) % nodes
        return s < shards ? s : nil
    }

    public static func nodeDirectory(_ node: Int) -> String { "node-\(node)" }
    public static func shardPath(checkpoint id: UInt64, shard: Int, disk: Int) -> String { "node-\(disk)/chk-\(pad(id)).s\(shard)" }
    public static func manifestPath(_ id: UInt64) -> String { "manifests/chk-\(pad(id)).manifest" }
    /// Whether a file name in a node directory is a shard's (`chk-0000000012.s3`).
    static func isShardFileName(_ name: String) -> Bool {
        name.hasPrefix("chk-") && name.contains(".s") && !name.hasSuffix(".tmp")
    }

    static func pad(_ id: UInt64) -> String {
        let s = String(id)
        return String(repeating: "0", count: max(0, 10 - s.count)) + s
    }

    /// Codes and stores `blob`, then writes the manifest. Shards are written in parallel
    /// when `parallel` (each with its own fsync).
    @discardableResult
    public func write(checkpoint id: UInt64, blob: [UInt8], offsets: [Int64], createdMillis: Int64, parallel: Bool) throws(DiskError) -> Manifest {
        try write(checkpoint: id, blobSize: blob.count, offsets: offsets, createdMillis: createdMillis, parallel: parallel) { out in
            blob.withUnsafeBytes { src in
                if let base = src.baseAddress, let dst = out.baseAddress { dst.copyMemory(from: base, byteCount: src.count) }
            }
        }
    }

    /// Serializes `state` straight into the coding stripe (one copy of the state), codes,
    /// stores, then writes the manifest.
    @discardableResult
    public func write(checkpoint id: UInt64, state: CheckpointState, offsets: [Int64], createdMillis: Int64, parallel: Bool) throws(DiskError) -> Manifest {
        try write(checkpoint: id, blobSize: state.encodedSize, offsets: offsets, createdMillis: createdMillis, parallel: parallel) { out in
            state.encode(into: out)
        }
    }

    private func write(checkpoint id: UInt64, blobSize: Int, offsets: [Int64], createdMillis: Int64, parallel: Bool,
                       fill: (UnsafeMutableRawBufferPointer) -> Void) throws(DiskError) -> Manifest {
        let k = code.dataShards, m = code.parityShards
        let shardSize = max(1, (blobSize + k - 1) / k)
        let stripe = ShardBuffer(count: k + m, shardLength: shardSize)
        fill(UnsafeMutableRawBufferPointer(rebasing: stripe.bytes[0..<blobSize]))
        let blobCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: stripe.bytes[0..<blobSize]))
        do { try code.encode(stripe) } catch { throw DiskError(path: "checkpoint \(id)", reason: "encoding failed: \(error)") }
        var shards: [Manifest.Shard] = []
        var paths: [String] = []
        for s in 0..<(k + m) {
            let d = diskOf(shard: s, checkpoint: id)
            shards.append(Manifest.Shard(index: s, disk: d, crc: CRC32C.checksum(UnsafeRawBufferPointer(stripe.shard(s)))))
            paths.append(Self.shardPath(checkpoint: id, shard: s, disk: d))
        }
        for s in 0..<(k + m) { try disk.makeDirectory(Self.nodeDirectory(shards[s].disk)) }
        try disk.makeDirectory("manifests")
        let disk = self.disk
        let failures = withExtendedLifetime(stripe) {
            let base = UInt(bitPattern: stripe.bytes.baseAddress)
            return ParallelWriter.run(Array(paths.enumerated()), parallel: parallel) { (item) throws(DiskError) in
                let start = UnsafeRawPointer(bitPattern: base).unsafelyUnwrapped + item.offset * shardSize
                try disk.writeDurably(item.element, UnsafeRawBufferPointer(start: start, count: shardSize))
                CrashPoint.shardWrite.pass()
            }
        }
        if let first = failures.first { throw first }
        let manifest = Manifest(
            checkpoint: id, createdMillis: createdMillis, dataShards: k, parityShards: m,
            blobSize: blobSize, blobCRC: blobCRC, shardSize: shardSize, shards: shards, offsets: offsets)
        CrashPoint.manifestWrite.pass()
        try disk.writeAtomically(Self.manifestPath(id), manifest.encoded())
        return manifest
    }

    /// Checkpoint ids that have a manifest file, oldest first.
    public func checkpointIDs() throws(DiskError) -> [UInt64] {
        try disk.list("manifests").compactMap { name -> UInt64? in
            guard name.hasPrefix("chk-"), name.hasSuffix(".manifest") else { return nil }
            return UInt64(name.dropFirst(4).dropLast(9))
        }.sorted()
    }

    /// Reads the manifest of checkpoint `id`.
    public func manifest(_ id: UInt64) throws(RestoreError) -> Manifest {
        let path = Self.manifestPath(id)
        let bytes: [UInt8]?
        do { bytes = try disk.read(path) } catch { throw RestoreError(checkpoint: id, reason: "\(error)") }
        guard let bytes else { throw RestoreError(checkpoint: id, reason: "\(path): missing") }
        do { return try Manifest.decode(bytes) } catch { throw RestoreError(checkpoint: id, reason: "\(path): corrupt manifest: \(error)") }
    }

    /// The health of each shard of a checkpoint, as read now.
    public enum ShardHealth: Sendable, Equatable { case ok, missing, corrupt(String) }

    /// Reads and checks every shard of `manifest`.
    public func readShards(_ manifest: Manifest) -> [(health: ShardHealth, bytes: [UInt8]?)] {
        manifest.shards.map { s in
            let path = Self.shardPath(checkpoint: manifest.checkpoint, shard: s.index, disk: s.disk)
            let bytes: [UInt8]?
            do { bytes = try disk.read(path) } catch { return (.corrupt("\(error)"), nil) }
            guard let bytes else { return (.missing, nil) }
            guard bytes.count == manifest.shardSize else {
                return (.corrupt("\(path): \(bytes.count) bytes, manifest says \(manifest.shardSize)"), nil)
            }
            let crc = CRC32C.checksum(bytes)
            guard crc == s.crc else { return (.corrupt("\(path): CRC32C \(hex32(crc)), manifest says \(hex32(s.crc))"), nil) }
            return (.ok, bytes)
        }
    }

    /// The result of loading one checkpoint.
    public struct Loaded: Sendable {
        public var manifest: Manifest
        public var state: CheckpointState
        /// Shards that were missing or corrupt and had to be rebuilt, with why.
        public var rebuilt: [(shard: Int, reason: String)]
        public var bytesRead: Int
    }

    /// Loads checkpoint `id`, reconstructing up to `m` bad shards. Shards are read
    /// straight into the coding stripe and the blob is checked and decoded in place.
    public func load(_ id: UInt64) throws(RestoreError) -> Loaded {
        let manifest = try manifest(id)
        let k = manifest.dataShards, n = manifest.shards.count
        guard k == code.dataShards, n - k == code.parityShards else {
            throw RestoreError(checkpoint: id, reason: "coded \(k)+\(n - k), this run uses \(code.dataShards)+\(code.parityShards)")
        }
        var rebuilt: [(Int, String)] = []
        var present = [Bool](repeating: false, count: n)
        let stripe = ShardBuffer(count: n, shardLength: manifest.shardSize)
        var bytesRead = 0
        for s in manifest.shards {
            // Parity shards are read only when data shards are missing.
            if s.index >= k && present[0..<k].allSatisfy({ $0 }) { present[s.index] = true; continue }
            let path = Self.shardPath(checkpoint: id, shard: s.index, disk: s.disk)
            let size: Int?
            do { size = try disk.read(path, into: stripe.shard(s.index)) } catch { rebuilt.append((s.index, "\(error)")); continue }
            guard let size else { rebuilt.append((s.index, "\(path): missing")); continue }
            guard size == manifest.shardSize else {
                rebuilt.append((s.index, "\(path): \(size) bytes, manifest says \(manifest.shardSize)"))
                continue
            }
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(stripe.shard(s.index)))
            guard crc == s.crc else {
                rebuilt.append((s.index, "\(path): CRC32C \(hex32(crc)), manifest says \(hex32(s.crc))"))
                continue
            }
            present[s.index] = true
            bytesRead += size
        }
        // A parity shard skipped above is not needed: only data shards make the blob.
        let good = present.filter { $0 }.count
        guard good >= k else {
            throw RestoreError(checkpoint: id, reason: "only \(good) of \(n) shards are intact, \(k) are needed (\(rebuilt.map { "shard \($0.0): \($0.1)" }.joined(separator: "; ")))")
        }
        let missingData = (0..<k).filter { !present[$0] }
        if !missingData.isEmpty {
            do { try code.reconstruct(stripe, present: present) } catch {
                throw RestoreError(checkpoint: id, reason: "reconstruction failed: \(error)")
            }
        }
        let blob = UnsafeRawBufferPointer(rebasing: stripe.bytes[0..<min(manifest.blobSize, stripe.bytes.count)])
        let crc = CRC32C.checksum(blob)
        guard crc == manifest.blobCRC else {
            throw RestoreError(checkpoint: id, reason: "rebuilt blob CRC32C \(hex32(crc)) differs from the manifest's \(hex32(manifest.blobCRC))")
        }
        let state: CheckpointState
        do { state = try withExtendedLifetime(stripe) { () throws(DecodeError) -> CheckpointState in try CheckpointState.decode(blob) } } catch {
            throw RestoreError(checkpoint: id, reason: "blob does not decode: \(error)")
        }
        guard state.checkpoint == id else { throw RestoreError(checkpoint: id, reason: "blob holds checkpoint \(state.checkpoint)") }
        return Loaded(manifest: manifest, state: state, rebuilt: rebuilt, bytesRead: bytesRead)
    }

    /// Loads the newest checkpoint that restores, trying older ones in turn.
    /// - Returns: nil when there is none; otherwise the loaded one and the failures of newer ones.
    public func loadNewest() throws(DiskError) -> (loaded: Loaded, skipped: [RestoreError])? {
        var skipped: [RestoreError] = []
        for id in try checkpointIDs().reversed() {
            do throws(RestoreError) { return (try load(id), skipped) } catch { skipped.append(error) }
        }
        if skipped.isEmpty { return nil }
        throw DiskError(path: "manifests", reason: "no checkpoint restores: " + skipped.map(\.description).joined(separator: "; "))
    }

    /// Deletes every checkpoint but the newest `keep` complete ones, and stray shards of
    /// checkpoints that never got a manifest (older than the newest kept).
    /// - Returns: the checkpoints whose manifests it removed.
    @discardableResult
    public func prune(keep: Int) throws(DiskError) -> [UInt64] {
        let ids = try checkpointIDs()
        let kept = Set(ids.suffix(keep))
        guard let oldestKept = kept.min() else { return [] }
        for id in ids where !kept.contains(id) { try disk.remove(Self.manifestPath(id)) }
        CrashPoint.prune.pass()
        for d in 0..<nodes {
            for name in try disk.list(Self.nodeDirectory(d)) {
                guard name.hasPrefix("chk-"), let dot = name.firstIndex(of: "."), let id = UInt64(name[name.index(name.startIndex, offsetBy: 4)..<dot]) else { continue }
                if id < oldestKept && !kept.contains(id) { try disk.remove(Self.nodeDirectory(d) + "/" + name) }
            }
        }
        return ids.filter { !kept.contains($0) }
    }

    /// Removes one checkpoint: its manifest first (a crash after that leaves shard files
    /// newer than every manifest or older than the oldest kept, which `removeIncomplete`
    /// and `prune` remove), then its shard files.
    public func remove(checkpoint id: UInt64) throws(DiskError) {
        try disk.remove(Self.manifestPath(id))
        for shard in 0..<code.totalShards {
            try disk.remove(Self.shardPath(checkpoint: id, shard: shard, disk: diskOf(shard: shard, checkpoint: id)))
        }
    }

    /// Removes shard files of checkpoints newer than every manifest (a crash mid-write).
    public func removeIncomplete() throws(DiskError) {
        let newest = try checkpointIDs().last ?? 0
        for d in 0..<nodes {
            for name in try disk.list(Self.nodeDirectory(d)) {
                guard name.hasPrefix("chk-"), let dot = name.firstIndex(of: "."), let id = UInt64(name[name.index(name.startIndex, offsetBy: 4)..<dot]) else { continue }
                if id > newest || name.hasSuffix(".tmp") { try disk.remove(Self.nodeDirectory(d) + "/" + name) }
            }
        }
        for name in try disk.list("manifests") where name.hasSuffix(".tmp") { try disk.remove("manifests/" + name) }
    }
}

/// A checkpoint that could not be restored, and why.
public struct RestoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public var checkpoint: UInt64
    public var reason: String
    public var description: String { "checkpoint \(checkpoint): \(reason)" }
}
