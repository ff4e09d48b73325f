/// The background scrubber's policy, written once for both runtimes: it passes over every
/// stored shard, newest checkpoint first, verifies each against its manifest's CRC32C,
/// and rewrites a bad one from the others. It reads at most `bytesPerSecond` (HDFS's
/// block scanner bounds itself the same way) so it never competes with checkpoints for
/// the disks; the runtime waits `Step.pause` between steps — real seconds on the threaded
/// runtime, virtual ones on the simulated.
struct Scrubber {
    /// Bytes a second the scrubber reads at most.
    static let bytesPerSecond = 64.0 * 1024 * 1024
    /// The least pause between two shards, so small shards do not keep it busy.
    static let shardPause = 0.01

    /// Seconds between two passes.
    let passPause: Double
    private var manifests: [UInt64: Manifest] = [:]
    private var bad = Set<ClusterSnapshot.StoredShard>()
    private var queue: [(checkpoint: UInt64, shard: Int)] = []
    private var next = 0
    /// Shards found bad in this pass and in the one before (a pass after repairs reports).
    private var foundThisPass = 0
    private var foundLastPass = 0
    private var repairedThisPass = 0
    /// The bad shards the last pass report named, and whether it rewrote any: a pass that
    /// finds the same shards still bad and mends nothing says nothing new and is not logged.
    private var reportedBad = Set<ClusterSnapshot.StoredShard>()
    private var reportedRepairs = false

    init(passPause: Double) { self.passPause = max(0.001, passPause) }

    /// What one step found and did.
    struct Step {
        var events: [EngineEvent.Detail] = []
        /// Seconds to wait before the next step.
        var pause: Double
        /// Shard health as now known, when it changed or a pass ended.
        var health: Health?
        /// The disk a shard was rewritten on.
        var repairedDisk: Int?
    }

    /// Per disk and per checkpoint, how many shards there are and how many are bad.
    struct Health: Equatable {
        var shards: [Int]
        var bad: [Int]
        var healthy: [UInt64: Int]
    }

    /// Verifies the next shard (repairing it when bad), or starts the next pass.
    mutating func step(_ store: ShardStore, nodes: Int) -> Step {
        if next >= queue.count {
            let ended = !queue.isEmpty
            var step = Step(pause: passPause)
            if ended && (foundThisPass > 0 || foundLastPass > 0) && (repairedThisPass > 0 || reportedRepairs || bad != reportedBad) {
                // The pass after a repair says what it found, so a repair is seen verified.
                step.events.append(.scrubPassed(shards: queue.count, repaired: repairedThisPass, bad: bad.count))
                (reportedBad, reportedRepairs) = (bad, repairedThisPass > 0)
            }
            if ended { (foundLastPass, foundThisPass, repairedThisPass) = (foundThisPass, 0, 0) }
            queue.removeAll(keepingCapacity: true)
            next = 0
            guard let ids = try? store.checkpointIDs(), !ids.isEmpty else { return step }
            for old in manifests.keys where !ids.contains(old) { manifests[old] = nil }
            bad = bad.filter { ids.contains($0.checkpoint) }
            for id in ids.reversed() {
                if manifests[id] == nil { manifests[id] = try? store.manifest(id) }
                guard let m = manifests[id] else { continue }
                for s in m.shards.indices { queue.append((id, s)) }
            }
            if ended { step.health = health(nodes) }
            return step
        }
        let (id, shard) = queue[next]
        next += 1
        guard let manifest = manifests[id], shard < manifest.shards.count else { return Step(pause: 0) }
        var step = Step(pause: max(Self.shardPause, Double(manifest.shardSize) / Self.bytesPerSecond))
        let disk = manifest.shards[shard].disk
        let key = ClusterSnapshot.StoredShard(checkpoint: id, shard: shard, node: disk)
        let why: String
        switch store.verify(manifest, shard: shard) {
        case .ok:
            if bad.remove(key) != nil { step.health = health(nodes) }
            return step
        case .missing: why = "missing"
        case let .corrupt(w): why = w
        }
        // A checkpoint retention deleted during the pass is not a bad shard.
        guard (try? store.manifest(id)) != nil else { return step }
        let known = bad.contains(key)
        foundThisPass += 1
        if !known { step.events.append(.shardBad(checkpoint: id, shard: shard, node: disk, why: why)) }
        do throws(RestoreError) {
            let from = try store.repair(manifest, shards: [shard])
            step.events.append(.shardRepaired(checkpoint: id, shard: shard, node: disk, from: from))
            repairedThisPass += 1
            bad.remove(key)
            step.repairedDisk = disk
        } catch {
            if !known { step.events.append(.shardUnrepairable(checkpoint: id, shard: shard, why: error.reason)) }
            bad.insert(key)
        }
        step.health = health(nodes)
        return step
    }

    private func health(_ nodes: Int) -> Health {
        var total = [Int](repeating: 0, count: nodes)
        var broken = [Int](repeating: 0, count: nodes)
        for m in manifests.values { for s in m.shards where s.disk < nodes { total[s.disk] += 1 } }
        for b in bad where b.node < nodes { broken[b.node] += 1 }
        var healthy: [UInt64: Int] = [:]
        for (id, m) in manifests { healthy[id] = m.shards.count - bad.filter { $0.checkpoint == id }.count }
        return Health(shards: total, bad: broken, healthy: healthy)
    }
}
