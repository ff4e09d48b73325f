@testable import Engine
import Testing

/// A recovery gives up a checkpoint still being written rather than waiting for the disk;
/// what was written is removed, never published.
@Suite("A recovery supersedes a checkpoint being written")
struct SupersededWriteTests {
    /// A coordinator whose checkpoint `id` has every snapshot in.
    static func complete(_ id: UInt64, nodes: Int = 2) -> Coordinator {
        let c = Coordinator(nextID: id, nodes: nodes)
        _ = c.begin(now: 0)
        for n in 0..<nodes { c.acknowledge(NodeSnapshot(node: n, checkpoint: id, offsets: [0], balances: [], updates: []), alignmentNanos: 0) }
        return c
    }

    @Test("complete but not handed to the writer: dropped at once, nothing to remove later")
    func notHandedOver() {
        let c = Self.complete(5)
        #expect(c.persisting)
        #expect(c.supersede() == 5)
        #expect(c.takeComplete() == nil)
        #expect(!c.busy && !c.persisting)
    }

    @Test("being written: given up, the next may start; when the write ends it is not published")
    func whileWriting() {
        let c = Self.complete(5)
        #expect(c.takeComplete()?.state.checkpoint == 5)  // handed to the writer
        #expect(c.supersede() == 5)
        #expect(!c.busy && !c.persisting)
        // The next checkpoint starts and completes while 5 is still being written.
        #expect(c.begin(now: 1) == 6)
        for n in 0..<2 { c.acknowledge(NodeSnapshot(node: n, checkpoint: 6, offsets: [0], balances: [], updates: []), alignmentNanos: 0) }
        #expect(c.persisting)
        #expect(!c.claim(5))  // 5's write ends: removed, not published
        #expect(c.persisting && !c.publishing)  // 6 is untouched
        #expect(c.claim(6))
        #expect(c.publishing)
        c.finish(6)
        #expect(!c.busy && !c.persisting && !c.publishing)
    }

    @Test("written and being published: not given up (the recovery waits for the publication, then plans with it)")
    func whilePublishing() {
        let c = Self.complete(5)
        _ = c.takeComplete()
        #expect(c.claim(5))
        #expect(c.supersede() == nil)
        #expect(c.publishing)
        c.finish(5)
        #expect(!c.publishing && !c.busy)
    }

    @Test("nothing in flight: nothing to give up")
    func idle() {
        let c = Coordinator(nextID: 1, nodes: 2)
        #expect(c.supersede() == nil)
        _ = c.begin(now: 0)  // aligning: the recovery abandons it the usual way
        #expect(c.supersede() == nil)
        #expect(c.busy)
    }

    @Test("a checkpoint removed from the store: manifest and every shard gone, the others intact")
    func removeFromStore() throws {
        let disk = MemoryDisk()
        let store = try ShardStoreTests.store(disk)
        try ShardStoreTests.write(store, ShardStoreTests.state(1))
        try ShardStoreTests.write(store, ShardStoreTests.state(2))
        try store.remove(checkpoint: 2)
        #expect(try store.checkpointIDs() == [1])
        for shard in 0..<6 {
            #expect(try disk.read(ShardStore.shardPath(checkpoint: 2, shard: shard, disk: store.diskOf(shard: shard, checkpoint: 2))) == nil)
            #expect(try disk.read(ShardStore.shardPath(checkpoint: 1, shard: shard, disk: store.diskOf(shard: shard, checkpoint: 1))) != nil)
        }
        #expect(try store.load(1).state.checkpoint == 1)
    }
}
