import Engine

/// A snapshot line's `frame`: the cluster as the dashboard draws it, without what the
/// record holds elsewhere (events and receipts have lines of their own; the throughput
/// history comes from the frames' totals) and without what did not change: `checkpoints`
/// holds only the entries that are new or changed since the frame before (the list itself
/// is `checkpointIds`, oldest first), and `recoveries` is filled only when they changed.
public struct RecordFrame: Sendable, Codable {
    public var snapshot: ClusterSnapshot
    /// The checkpoints listed at this moment, oldest first.
    public var checkpointIds: [UInt64]
    /// Whether `snapshot.recoveries` holds the recoveries (else they are the frame before's).
    public var recoveriesChanged: Bool
}
