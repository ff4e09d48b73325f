/// Why a copy of a node's state was not used for a restore (the recovery then takes the
/// next source: a standby on another peer, the shards, an older checkpoint).
public enum SnapshotRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The copy failed its CRC32C check or does not decode.
    case damaged(node: Int, holder: Int)
    /// The copy is intact but of another checkpoint than the one being restored.
    case otherCheckpoint(node: Int, holder: Int, wanted: UInt64, found: UInt64)
    /// The copy is intact but of another node's state.
    case otherNode(node: Int, holder: Int, found: Int)
    /// The shard store gave no state for the node.
    case missingFromShards(node: Int, checkpoint: UInt64)

    public var description: String {
        switch self {
        case let .damaged(node, holder): "standby copy of node \(node) on node \(holder) failed its CRC32C check"
        case let .otherCheckpoint(node, holder, wanted, found):
            "standby copy of node \(node) on node \(holder) is of checkpoint \(found), not \(wanted): refused"
        case let .otherNode(node, holder, found): "standby copy of node \(node) on node \(holder) holds node \(found)'s state: refused"
        case let .missingFromShards(node, checkpoint): "checkpoint \(checkpoint) in the shards holds no state of node \(node)"
        }
    }
}
