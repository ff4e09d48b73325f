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
    public func diskOf(shard index: Int, checkpoint id: UInt64) -> Int { (index + Int(id % UInt64(nodes))) % nodes }

    public static func nodeDirectory(_ node: Int) -> String { "node-\(node)" }
    public static func shardPath(checkpoint id: UInt64, shard: Int, disk: Int) -> String { "node-\(disk)/chk-\(pad(id)).s\(shard)" }
    public static func manifestPath(_ id: UInt64) -> String { "manifests/chk-\(pad(id)).manifest" }

    static func pad(_ id: UInt64) -> String {
        let s = String(id)
        return String(repeating: "0", count: max(0, 10 - s.count)) + s
    }

    /// Codes and stores `blob`, then writes the manifest. Shards are written in parallel
    /// when `parallel` (each with its own fsync).
    @discardableResult
    public func write(checkpoint id: UInt64, blob: [UInt8], offsets: [Int64], createdMillis: Int64, parallel: Bool) throws(DiskError) -> Manifest {
        let k = code.dataShards, m = code.parityShards
        let shardSize = max(1, (blob.count + k - 1) / k)
        let stripe = ShardBuffer(count: k + m, shardLength: shardSize)
        blob.withUnsafeBytes { src in
            if let base = src.baseAddress { stripe.bytes.baseAddress?.copyMemory(from: base, byteCount: src.count) }
        }
        do { try code.encode(stripe) } catch { throw DiskError(path: "checkpoint \(id)", reason: "encoding failed: \(error)") }
        var shards: [Manifest.Shard] = []
        var payloads: [(String, [UInt8])] = []
        for s in 0..<(k + m) {
            let d = diskOf(shard: s, checkpoint: id)
            let bytes = stripe.array(s)
            shards.append(Manifest.Shard(index: s, disk: d, crc: CRC32C.checksum(bytes)))
            payloads.append((Self.shardPath(checkpoint: id, shard: s, disk: d), bytes))
        }
        for s in 0..<(k + m) { try disk.makeDirectory(Self.nodeDirectory(shards[s].disk)) }
        try disk.makeDirectory("manifests")
        let failures = ParallelWriter.run(payloads, parallel: parallel) { (path, bytes) throws(DiskError) in
            try disk.writeDurably(path, bytes)
        }
        if let first = failures.first { throw first }
        let manifest = Manifest(
            checkpoint: id, createdMillis: createdMillis, dataShards: k, parityShards: m,
            blobSize: blob.count, blobCRC: CRC32C.checksum(blob), shardSize: shardSize, shards: shards, offsets: offsets)
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

    /// Loads checkpoint `id`, reconstructing up to `m` bad shards.
    public func load(_ id: UInt64) throws(RestoreError) -> Loaded {
        let manifest = try manifest(id)
        let k = manifest.dataShards, n = manifest.shards.count
        guard k == code.dataShards, n - k == code.parityShards else {
            throw RestoreError(checkpoint: id, reason: "coded \(k)+\(n - k), this run uses \(code.dataShards)+\(code.parityShards)")
        }
        let read = readShards(manifest)
        var rebuilt: [(Int, String)] = []
        var present = [Bool](repeating: false, count: n)
        let stripe = ShardBuffer(count: n, shardLength: manifest.shardSize)
        var bytesRead = 0
        for (i, r) in read.enumerated() {
            switch r.health {
            case .ok:
                if let b = r.bytes { b.withUnsafeBytes { stripe.set(i, from: $0) }; bytesRead += b.count }
                present[i] = true
            case .missing: rebuilt.append((i, "missing"))
            case let .corrupt(why): rebuilt.append((i, why))
            }
        }
        let good = present.filter { $0 }.count
        guard good >= k else {
            throw RestoreError(checkpoint: id, reason: "only \(good) of \(n) shards are intact, \(k) are needed (\(rebuilt.map { "shard \($0.0): \($0.1)" }.joined(separator: "; ")))")
        }
        // Only the data shards matter for the blob; rebuild parity too so repairs can reuse it.
        do { try code.reconstruct(stripe, present: present) } catch {
            throw RestoreError(checkpoint: id, reason: "reconstruction failed: \(error)")
        }
        let blob = Array(UnsafeRawBufferPointer(start: stripe.bytes.baseAddress, count: manifest.blobSize))
        let crc = CRC32C.checksum(blob)
        guard crc == manifest.blobCRC else {
            throw RestoreError(checkpoint: id, reason: "rebuilt blob CRC32C \(hex32(crc)) differs from the manifest's \(hex32(manifest.blobCRC))")
        }
        let state: CheckpointState
        do { state = try CheckpointState.decode(blob) } catch { throw RestoreError(checkpoint: id, reason: "blob does not decode: \(error)") }
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
    public func prune(keep: Int) throws(DiskError) {
        let ids = try checkpointIDs()
        let kept = Set(ids.suffix(keep))
        guard let oldestKept = kept.min() else { return }
        for id in ids where !kept.contains(id) { try disk.remove(Self.manifestPath(id)) }
        for d in 0..<nodes {
            for name in try disk.list(Self.nodeDirectory(d)) {
                guard name.hasPrefix("chk-"), let dot = name.firstIndex(of: "."), let id = UInt64(name[name.index(name.startIndex, offsetBy: 4)..<dot]) else { continue }
                if id < oldestKept && !kept.contains(id) { try disk.remove(Self.nodeDirectory(d) + "/" + name) }
            }
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
