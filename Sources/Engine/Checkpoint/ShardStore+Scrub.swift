/// What a scrub found and fixed.
public struct ScrubReport: Sendable, Equatable {
    public var checked = 0
    public var corrupt = 0
    public var missing = 0
    public var repaired = 0
    public var unrepairable = 0
    /// One line per problem, naming the file.
    public var findings: [String] = []

    public init() {}

    /// Adds another report's counts.
    public mutating func merge(_ o: ScrubReport) {
        checked += o.checked
        corrupt += o.corrupt
        missing += o.missing
        repaired += o.repaired
        unrepairable += o.unrepairable
        findings += o.findings
    }
}

extension ShardStore {
    /// Checks one shard file against its manifest.
    public func verify(_ manifest: Manifest, shard index: Int) -> ShardHealth {
        guard index >= 0, index < manifest.shards.count else { return .missing }
        let s = manifest.shards[index]
        let path = Self.shardPath(checkpoint: manifest.checkpoint, shard: index, disk: s.disk)
        let bytes: [UInt8]?
        do { bytes = try disk.read(path) } catch { return .corrupt("\(error)") }
        guard let bytes else { return .missing }
        guard bytes.count == manifest.shardSize else { return .corrupt("\(path): \(bytes.count) bytes, manifest says \(manifest.shardSize)") }
        let crc = CRC32C.checksum(bytes)
        guard crc == s.crc else { return .corrupt("\(path): CRC32C \(hex32(crc)), manifest says \(hex32(s.crc))") }
        return .ok
    }

    /// Rewrites the listed shards of a checkpoint from the intact others (self-healing
    /// storage): reads `k` good shards, reconstructs, checks the CRC of each rebuilt shard
    /// against the manifest, and replaces the file atomically.
    /// - Returns: the intact shards it read to rebuild them.
    @discardableResult
    public func repair(_ manifest: Manifest, shards bad: [Int]) throws(RestoreError) -> [Int] {
        let id = manifest.checkpoint
        let n = manifest.shards.count
        let stripe = ShardBuffer(count: n, shardLength: manifest.shardSize)
        var present = [Bool](repeating: false, count: n)
        for s in manifest.shards where !bad.contains(s.index) {
            guard case .ok = verify(manifest, shard: s.index) else { continue }
            let path = Self.shardPath(checkpoint: id, shard: s.index, disk: s.disk)
            if let size = try? disk.read(path, into: stripe.shard(s.index)), size == manifest.shardSize { present[s.index] = true }
        }
        let good = present.filter { $0 }.count
        guard good >= manifest.dataShards else {
            throw RestoreError(checkpoint: id, reason: "only \(good) intact shards, \(manifest.dataShards) needed to repair")
        }
        do { try code.reconstruct(stripe, present: present) } catch { throw RestoreError(checkpoint: id, reason: "\(error)") }
        for i in bad {
            let s = manifest.shards[i]
            let rebuilt = stripe.array(i)
            guard CRC32C.checksum(rebuilt) == s.crc else {
                throw RestoreError(checkpoint: id, reason: "rebuilt shard \(i) does not match its manifest CRC")
            }
            do {
                try disk.makeDirectory(Self.nodeDirectory(s.disk))
                try disk.writeAtomically(Self.shardPath(checkpoint: id, shard: i, disk: s.disk), rebuilt)
            } catch { throw RestoreError(checkpoint: id, reason: "\(error)") }
        }
        return present.indices.filter { present[$0] }
    }

    /// Verifies every shard of checkpoint `id` and, with `repair`, rewrites the bad ones.
    public func scrub(_ id: UInt64, repair: Bool) -> ScrubReport {
        var r = ScrubReport()
        let m: Manifest
        do { m = try manifest(id) } catch {
            r.unrepairable += 1
            r.findings.append("\(error)")
            return r
        }
        var bad: [Int] = []
        for s in m.shards {
            r.checked += 1
            switch verify(m, shard: s.index) {
            case .ok: continue
            case .missing:
                r.missing += 1
                r.findings.append("checkpoint \(id) shard \(s.index) on node \(s.disk): missing (\(Self.shardPath(checkpoint: id, shard: s.index, disk: s.disk)))")
            case let .corrupt(why):
                r.corrupt += 1
                r.findings.append("checkpoint \(id) shard \(s.index) on node \(s.disk): \(why)")
            }
            bad.append(s.index)
        }
        guard !bad.isEmpty, repair else {
            return r
        }
        do throws(RestoreError) {
            try self.repair(m, shards: bad)
            r.repaired += bad.count
            r.findings.append("checkpoint \(id): rewrote shard\(bad.count == 1 ? "" : "s") \(bad.map(String.init).joined(separator: ", ")) from the others")
        } catch {
            r.unrepairable += bad.count
            r.findings.append("checkpoint \(id): cannot repair: \(error.reason)")
        }
        return r
    }

    /// The file of shard `shard` of the checkpoint `ref` names, for a fault command.
    public func shardFile(_ ref: CheckpointRef, _ shard: Int) throws(CommandError) -> (path: String, manifest: Manifest) {
        let ids = (try? checkpointIDs()) ?? []
        let id: UInt64
        switch ref {
        case .latest:
            guard let last = ids.last else { throw CommandError("there is no checkpoint yet") }
            id = last
        case let .id(v):
            guard ids.contains(v) else { throw CommandError("checkpoint \(v) does not exist (on disk: \(ids.map(String.init).joined(separator: ", ")))") }
            id = v
        }
        let m: Manifest
        do { m = try manifest(id) } catch { throw CommandError("\(error)") }
        guard shard >= 0, shard < m.shards.count else { throw CommandError("shard \(shard) does not exist: shards are 0-\(m.shards.count - 1)") }
        return (Self.shardPath(checkpoint: id, shard: shard, disk: m.shards[shard].disk), m)
    }

    /// Scrubs every checkpoint that has a manifest.
    public func scrubAll(repair: Bool) throws(DiskError) -> ScrubReport {
        var r = ScrubReport()
        for id in try checkpointIDs() { r.merge(scrub(id, repair: repair)) }
        return r
    }
}
import Integrity
