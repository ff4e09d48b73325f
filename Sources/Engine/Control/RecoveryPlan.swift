/// The decision of a recovery: the checkpoint everyone rolls back to, and each node's state.
struct RecoveryPlan {
    var checkpoint: UInt64
    var snapshots: [NodeSnapshot]
    var sources: [RestoreSource]
    /// Newer checkpoints that could not be used, with why.
    var skipped: [String]
    /// Shards rebuilt while loading from the shard store.
    var rebuilt: [(shard: Int, reason: String)]

    /// Plans a rollback to `newest` (the last complete checkpoint). Each node's state comes
    /// from its own memory if it is alive and has it, else from a peer's standby copy (CRC
    /// checked), else from the shard store; when the shards of `newest` cannot be read,
    /// everyone falls back to the newest older checkpoint that restores.
    /// Returns nil when no checkpoint exists (the job starts from the beginning).
    static func make(newest: UInt64?, nodes: Int, alive: [Bool], memories: [NodeMemory], store: ShardStore) -> RecoveryPlan? {
        var skipped: [String] = []
        if let c = newest {
            var snaps: [NodeSnapshot?] = Array(repeating: nil, count: nodes)
            var sources: [RestoreSource] = Array(repeating: .shards, count: nodes)
            for i in 0..<nodes {
                if alive[i], let s = memories[i].local(c) {
                    snaps[i] = s
                    sources[i] = .local
                    continue
                }
                for peer in 0..<nodes where peer != i && alive[peer] {
                    switch memories[peer].standby(of: i, c, holder: peer) {
                    case .none: continue
                    case let .failure(refusal): skipped.append(refusal.description)
                    case let .success(s):
                        snaps[i] = s
                        sources[i] = .standby(peer: peer)
                    }
                    if snaps[i] != nil { break }
                }
            }
            if snaps.allSatisfy({ $0 != nil }) {
                return RecoveryPlan(checkpoint: c, snapshots: snaps.compactMap { $0 }, sources: sources, skipped: skipped, rebuilt: [])
            }
            // Someone's state must come from the shards.
            do throws(RestoreError) {
                let loaded = try store.load(c)
                let byNode = loaded.state.nodes.sorted { $0.node < $1.node }
                guard byNode.count == nodes else { throw RestoreError(checkpoint: c, reason: "holds \(byNode.count) nodes") }
                for i in 0..<nodes where byNode[i].node != i || byNode[i].checkpoint != c {
                    throw RestoreError(checkpoint: c, reason: SnapshotRefusal.missingFromShards(node: i, checkpoint: c).description)
                }
                for i in 0..<nodes where snaps[i] == nil { snaps[i] = byNode[i] }
                return RecoveryPlan(checkpoint: c, snapshots: snaps.compactMap { $0 }, sources: sources, skipped: skipped, rebuilt: loaded.rebuilt)
            } catch {
                skipped.append(error.description)
            }
        }
        // Older checkpoints: shards only (memories hold the newest).
        let ids = ((try? store.checkpointIDs()) ?? []).filter { $0 < (newest ?? UInt64.max) }
        for id in ids.reversed() {
            do throws(RestoreError) {
                let loaded = try store.load(id)
                let byNode = loaded.state.nodes.sorted { $0.node < $1.node }
                guard byNode.count == nodes, byNode.indices.allSatisfy({ byNode[$0].node == $0 && byNode[$0].checkpoint == id }) else { continue }
                return RecoveryPlan(checkpoint: id, snapshots: byNode, sources: Array(repeating: .shards, count: nodes), skipped: skipped, rebuilt: loaded.rebuilt)
            } catch {
                skipped.append(error.description)
            }
        }
        return nil
    }
}
