import Integrity
import Synchronization

/// What a node keeps in memory besides its working state: its own last checkpointed
/// snapshot (for local recovery) and standby copies of `r` peers' snapshots (replication).
/// Each copy is a framed blob with a CRC32C, checked before use. A killed node loses it all.
public final class NodeMemory: Sendable {
    struct Copy {
        var checkpoint: UInt64
        var blob: [UInt8]
    }
    struct Local {
        var snapshot: NodeSnapshot
        var crc: UInt32
    }
    struct State {
        var local: Local?
        var standby: [Int: Copy] = [:]
    }
    private let state = EngineMutex(State())

    public init() {}

    /// Keeps `snapshot` as this node's own copy (its arrays are shared, not copied; a
    /// CRC32C over them is checked before use).
    func keepLocal(_ snapshot: NodeSnapshot) {
        let local = Local(snapshot: snapshot, crc: Self.crc(snapshot))
        state.withLock { $0.local = local }
    }

    static func crc(_ s: NodeSnapshot) -> UInt32 {
        var c = CRC32C()
        s.offsets.withUnsafeBytes { c.update($0) }
        s.balances.withUnsafeBytes { c.update($0) }
        s.updates.withUnsafeBytes { c.update($0) }
        return c.value
    }

    /// Keeps a standby copy of a peer's snapshot.
    func keepStandby(_ snapshot: NodeSnapshot, encoded blob: [UInt8]) {
        state.withLock { $0.standby[snapshot.node] = Copy(checkpoint: snapshot.checkpoint, blob: blob) }
    }

    /// The node's own snapshot of `checkpoint`, if it has an intact one.
    func local(_ checkpoint: UInt64) -> NodeSnapshot? {
        guard let l = state.withLock({ $0.local }), l.snapshot.checkpoint == checkpoint, Self.crc(l.snapshot) == l.crc else { return nil }
        return l.snapshot
    }

    /// The standby copy this node (`holder`) keeps of `node`'s snapshot of `checkpoint`:
    /// nil when it keeps none for that checkpoint; a refusal when the copy fails its CRC32C,
    /// or when what it decodes to is not `node`'s state at `checkpoint` (a label is not
    /// trusted: the copy itself must say so).
    func standby(of node: Int, _ checkpoint: UInt64, holder: Int) -> Result<NodeSnapshot, SnapshotRefusal>? {
        guard let c = state.withLock({ $0.standby[node] }), c.checkpoint == checkpoint else { return nil }
        guard let snap = Self.decode(c.blob) else { return .failure(.damaged(node: node, holder: holder)) }
        guard snap.checkpoint == checkpoint else {
            return .failure(.otherCheckpoint(node: node, holder: holder, wanted: checkpoint, found: snap.checkpoint))
        }
        guard snap.node == node else { return .failure(.otherNode(node: node, holder: holder, found: snap.node)) }
        return .success(snap)
    }

    /// Whether it holds a standby copy of `node`'s snapshot of `checkpoint` (unchecked).
    func holdsStandby(of node: Int, _ checkpoint: UInt64) -> Bool {
        state.withLock { $0.standby[node]?.checkpoint == checkpoint }
    }

    /// The standby copies it holds: of which node, which checkpoint (unchecked).
    var standbyCheckpoints: [Int: UInt64] { state.withLock { $0.standby.mapValues(\.checkpoint) } }

    /// Forgets everything (the node died).
    func clear() { state.withLock { $0 = State() } }

    /// How many standby copies it holds.
    var standbyCount: Int { state.withLock { $0.standby.count } }

    /// Flips a bit of the standby copy of `node` (for tests of the CRC check).
    func damageStandby(of node: Int) {
        state.withLock { s in
            guard var c = s.standby[node], c.blob.count > 40 else { return }
            c.blob[40] ^= 1
            s.standby[node] = c
        }
    }

    static func decode(_ blob: [UInt8]) -> NodeSnapshot? {
        guard let state = try? CheckpointState.decode(blob), state.nodes.count == 1 else { return nil }
        return state.nodes[0]
    }
}
