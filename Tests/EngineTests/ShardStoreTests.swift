@testable import Engine
import Integrity
import Testing

@Suite("Checkpoints and the shard store")
struct ShardStoreTests {
    static func state(_ id: UInt64, nodes: Int = 6, accounts: Int = 300) -> CheckpointState {
        var rng = SplitMix(seed: id)
        return CheckpointState(checkpoint: id, nodes: (0..<nodes).map { n in
            NodeSnapshot(node: n, checkpoint: id, offsets: [Int64(rng.next() % 1000), Int64(rng.next() % 1000)],
                         balances: (0..<(accounts / nodes)).map { _ in Int64(bitPattern: rng.next()) % 10_000 },
                         updates: (0..<(accounts / nodes)).map { _ in Int64(rng.next() % 100) })
        })
    }

    static func store(_ disk: MemoryDisk) throws -> ShardStore {
        try ShardStore(disk: disk, nodes: 6, dataShards: 4, parityShards: 2)
    }

    static func write(_ store: ShardStore, _ s: CheckpointState) throws {
        try store.write(checkpoint: s.checkpoint, blob: s.encoded(), offsets: [1, 2], createdMillis: 0, parallel: false)
    }

    @Test("a checkpoint written then restored gives identical state")
    func roundTrip() throws {
        let s = Self.state(7)
        #expect(try CheckpointState.decode(s.encoded()) == s)
        let disk = MemoryDisk()
        let store = try Self.store(disk)
        try Self.write(store, s)
        let loaded = try store.load(7)
        #expect(loaded.state == s)
        #expect(loaded.rebuilt.isEmpty)
        #expect(loaded.manifest.offsets == [1, 2])
        // Shards sit on six distinct node disks.
        #expect(Set(loaded.manifest.shards.map(\.disk)).count == 6)
    }

    /// A 6-node RS(4,2) store on a fresh scratch directory (the caller removes it).
    static func fileStore(_ name: String) throws -> (FileDisk, ShardStore) {
        let disk = FileDisk(root: "/tmp/firedrill-test-\(getpid())-\(name)")
        try? disk.removeTree("")
        try disk.makeDirectory("")
        return (disk, try ShardStore(disk: disk, nodes: 6, dataShards: 4, parityShards: 2))
    }

    @Test("the same on real files")
    func roundTripFiles() throws {
        let (disk, store) = try Self.fileStore("store")
        defer { try? disk.removeTree("") }
        let s = Self.state(3)
        try store.write(checkpoint: 3, blob: s.encoded(), offsets: [5], createdMillis: 1, parallel: true)
        #expect(try store.load(3).state == s)
        #expect(try store.checkpointIDs() == [3])
    }

    @Test("a shard write that fails on real files fails the checkpoint, names the file, writes no manifest")
    func failedParallelWrite() throws {
        let (disk, store) = try Self.fileStore("failwrite")
        defer { try? disk.removeTree("") }
        // Shard 2's file cannot be created: a directory stands in its place.
        let path = ShardStore.shardPath(checkpoint: 3, shard: 2, disk: store.diskOf(shard: 2, checkpoint: 3))
        try disk.makeDirectory(ShardStore.nodeDirectory(store.diskOf(shard: 2, checkpoint: 3)))
        try disk.makeDirectory(path)
        do {
            try store.write(checkpoint: 3, blob: Self.state(3).encoded(), offsets: [5], createdMillis: 1, parallel: true)
            Issue.record("the write should have failed")
        } catch {
            #expect("\(error)".contains(path), "\(error)")
        }
        #expect(try disk.read(ShardStore.manifestPath(3)) == nil)
        #expect(try store.checkpointIDs().isEmpty)
    }

    @Test("up to m shards deleted or bit-flipped still restore", arguments: [[0], [5], [1, 4], [0, 1], [2, 3]])
    func repairs(bad: [Int]) throws {
        for flip in [false, true] {
            let disk = MemoryDisk()
            let store = try Self.store(disk)
            let s = Self.state(9)
            try Self.write(store, s)
            let manifest = try store.manifest(9)
            for i in bad {
                let path = ShardStore.shardPath(checkpoint: 9, shard: i, disk: manifest.shards[i].disk)
                if flip { #expect(disk.flipBit(path, byte: 17, bit: 3)) } else { try disk.remove(path) }
            }
            let loaded = try store.load(9)
            #expect(loaded.state == s)
            // Parity is read only when a data shard is bad; then every bad shard read is named.
            let dataBad = bad.contains { $0 < 4 }
            #expect(loaded.rebuilt.map(\.shard).sorted() == (dataBad ? bad.sorted() : []))
        }
    }

    @Test("m+1 bad shards fail over to the previous checkpoint, saying why")
    func failover() throws {
        let disk = MemoryDisk()
        let store = try Self.store(disk)
        let older = Self.state(1), newer = Self.state(2)
        try Self.write(store, older)
        try Self.write(store, newer)
        let manifest = try store.manifest(2)
        for i in [0, 2, 5] {
            disk.flipBit(ShardStore.shardPath(checkpoint: 2, shard: i, disk: manifest.shards[i].disk), byte: 0, bit: 0)
        }
        #expect(throws: RestoreError.self) { try store.load(2) }
        let found = try #require(try store.loadNewest())
        #expect(found.loaded.state == older)
        #expect(found.skipped.map(\.checkpoint) == [2])
        #expect(found.skipped[0].reason.contains("only 3 of 6 shards"))
    }

    @Test("a corrupt manifest is reported by path and skipped")
    func corruptManifest() throws {
        let disk = MemoryDisk()
        let store = try Self.store(disk)
        try Self.write(store, Self.state(1))
        try Self.write(store, Self.state(2))
        disk.flipBit(ShardStore.manifestPath(2), byte: 30, bit: 1)
        let found = try #require(try store.loadNewest())
        #expect(found.loaded.state.checkpoint == 1)
        #expect(found.skipped[0].reason.contains("manifests/chk-0000000002.manifest"))
        #expect(throws: DecodeError.self) { try Manifest.decode(Array("garbage".utf8)) }
    }

    @Test("a crash at every write of a checkpoint never yields a checkpoint that restores wrong")
    func crashAtEveryStep() throws {
        let writes = 6 + 1  // six shards, then the manifest
        for crashAt in 1...writes {
            let disk = MemoryDisk()
            let store = try Self.store(disk)
            let first = Self.state(1)
            try Self.write(store, first)
            disk.crashAfterWrites(crashAt)
            #expect(throws: DiskError.self) { try Self.write(store, Self.state(2)) }
            #expect(disk.hasCrashed)
            // "Reboot": a new store on the same disk.
            let again = try Self.store(disk)
            try again.removeIncomplete()
            let found = try #require(try again.loadNewest())
            #expect(found.loaded.state == first, "crash at write \(crashAt)")
            #expect(try again.checkpointIDs() == [1])
            #expect(!disk.paths.contains { $0.contains("chk-0000000002") }, "leftovers of checkpoint 2 after a crash at write \(crashAt)")
        }
    }

    @Test("pruning keeps the newest complete checkpoints")
    func prune() throws {
        let disk = MemoryDisk()
        let store = try Self.store(disk)
        for id in 1...5 { try Self.write(store, Self.state(UInt64(id))) }
        try store.prune(keep: 3)
        #expect(try store.checkpointIDs() == [3, 4, 5])
        #expect(!disk.paths.contains { $0.contains("chk-0000000001") || $0.contains("chk-0000000002") })
        #expect(try store.load(3).state == Self.state(3))
    }
}
#if canImport(Glibc)
import Glibc
#endif
