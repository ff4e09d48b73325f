/// Where a node's state came from in a recovery.
public enum RestoreSource: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The node's own in-memory copy.
    case local
    /// A peer's standby copy.
    case standby(peer: Int)
    /// The erasure-coded shards on the node disks.
    case shards
    public var description: String {
        switch self {
        case .local: "local copy"
        case let .standby(p): "standby copy on node \(p)"
        case .shards: "shards"
        }
    }
}
