/// A runtime whose stored shards a drill's judge can read after `finish` (while the engine
/// is still open: the simulated disks live in memory), to hold what the scrubber said it
/// repaired against what is on disk.
public protocol StoredShardChecking {
    /// The health of `shard` on disk now, or nil when its checkpoint is no longer kept
    /// (retention deleted it: nothing is owed for it).
    func storedShardHealth(_ shard: ClusterSnapshot.StoredShard) -> ShardStore.ShardHealth?
}

extension ShardStore {
    /// The health of `shard` on disk, or nil when its checkpoint's manifest is gone.
    func health(of shard: ClusterSnapshot.StoredShard) -> ShardHealth? {
        guard let m = try? manifest(shard.checkpoint) else { return nil }
        return verify(m, shard: shard.shard)
    }
}

extension ThreadedEngine: StoredShardChecking {
    public func storedShardHealth(_ shard: ClusterSnapshot.StoredShard) -> ShardStore.ShardHealth? { store.health(of: shard) }
}

extension SimulatedEngine: StoredShardChecking {
    public func storedShardHealth(_ shard: ClusterSnapshot.StoredShard) -> ShardStore.ShardHealth? { store.health(of: shard) }
}
