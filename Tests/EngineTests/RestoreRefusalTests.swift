@testable import Engine
import Integrity
import Testing

@Suite("A restore refuses a snapshot of another checkpoint")
struct RestoreRefusalTests {
    @Test("a standby copy that holds an older checkpoint than its label is refused; the shards are used")
    func staleStandby() throws {
        let disk = MemoryDisk()
        let store = try ShardStoreTests.store(disk)
        let older = ShardStoreTests.state(1), newer = ShardStoreTests.state(2)
        try ShardStoreTests.write(store, older)
        try ShardStoreTests.write(store, newer)
        let memories = (0..<6).map { _ in NodeMemory() }
        // Node 1 keeps a copy labelled checkpoint 2 whose bytes are node 0's state at checkpoint 1.
        let stale = CheckpointState(checkpoint: 1, nodes: [older.nodes[0]]).encoded()
        memories[1].keepStandby(newer.nodes[0], encoded: stale)
        let refused = memories[1].standby(of: 0, 2, holder: 1)
        #expect(refused == .failure(.otherCheckpoint(node: 0, holder: 1, wanted: 2, found: 1)))

        var alive = [Bool](repeating: true, count: 6)
        alive[0] = false
        let plan = try #require(RecoveryPlan.make(newest: 2, nodes: 6, alive: alive, memories: memories, store: store))
        #expect(plan.checkpoint == 2)
        #expect(plan.sources[0] == .shards)
        #expect(plan.snapshots[0] == newer.nodes[0])
        #expect(plan.skipped.contains(SnapshotRefusal.otherCheckpoint(node: 0, holder: 1, wanted: 2, found: 1).description))
    }

    @Test("a refused standby gives way to the next peer's good copy")
    func nextPeer() throws {
        let store = try ShardStoreTests.store(MemoryDisk())
        let newer = ShardStoreTests.state(2)
        let memories = (0..<6).map { _ in NodeMemory() }
        memories[1].keepStandby(newer.nodes[0], encoded: CheckpointState(checkpoint: 2, nodes: [newer.nodes[3]]).encoded())
        memories[2].keepStandby(newer.nodes[0], encoded: CheckpointState(checkpoint: 2, nodes: [newer.nodes[0]]).encoded())
        #expect(memories[1].standby(of: 0, 2, holder: 1) == .failure(.otherNode(node: 0, holder: 1, found: 3)))
        for i in 1..<6 { memories[i].keepLocal(newer.nodes[i]) }
        var alive = [Bool](repeating: true, count: 6)
        alive[0] = false
        let plan = try #require(RecoveryPlan.make(newest: 2, nodes: 6, alive: alive, memories: memories, store: store))
        #expect(plan.checkpoint == 2)
        #expect(plan.sources[0] == .standby(peer: 2))
        #expect(plan.snapshots[0] == newer.nodes[0])
        #expect(plan.skipped.count == 1)
    }

    @Test("a damaged standby copy is refused as damaged")
    func damaged() throws {
        let newer = ShardStoreTests.state(2)
        let memory = NodeMemory()
        memory.keepStandby(newer.nodes[0], encoded: CheckpointState(checkpoint: 2, nodes: [newer.nodes[0]]).encoded())
        #expect(memory.standby(of: 0, 2, holder: 4) == .success(newer.nodes[0]))
        memory.damageStandby(of: 0)
        #expect(memory.standby(of: 0, 2, holder: 4) == .failure(.damaged(node: 0, holder: 4)))
        #expect(memory.standby(of: 0, 3, holder: 4) == nil)
    }
}
