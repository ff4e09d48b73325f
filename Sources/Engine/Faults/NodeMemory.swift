import Synchronization

/// What a node keeps in memory besides its working state: its own last checkpointed
/// snapshot (for local recovery) and standby copies of `r` peers' snapshots (replication).
/// Each copy is a framed blob with a CRC32C, checked before use. A killed node loses it all.
public final class NodeMemory: Sendable {
    struct Copy {
        var checkpoint: UInt64
        var blob: [UInt8]
    }
    struct State {
        var local: Copy?
        var standby: [Int: Copy] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// Keeps `snapshot` as this node's own copy.
    func keepLocal(_ snapshot: NodeSnapshot) {
        let copy = Copy(checkpoint: snapshot.checkpoint, blob: CheckpointState(checkpoint: snapshot.checkpoint, nodes: [snapshot]).encoded())
        state.withLock { $0.local = copy }
    }

    /// Keeps a standby copy of a peer's snapshot.
    func keepStandby(_ snapshot: NodeSnapshot, encoded blob: [UInt8]) {
        state.withLock { $0.standby[snapshot.node] = Copy(checkpoint: snapshot.checkpoint, blob: blob) }
    }

    /// The node's own snapshot of `checkpoint`, if it has an intact one.
    func local(_ checkpoint: UInt64) -> NodeSnapshot? {
        guard let c = state.withLock({ $0.local }), c.checkpoint == checkpoint else { return nil }
        return Self.decode(c.blob)
    }

    /// An intact standby copy of `node`'s snapshot of `checkpoint`.
    func standby(of node: Int, _ checkpoint: UInt64) -> (snapshot: NodeSnapshot?, present: Bool) {
        guard let c = state.withLock({ $0.standby[node] }), c.checkpoint == checkpoint else { return (nil, false) }
        return (Self.decode(c.blob), true)
    }

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
