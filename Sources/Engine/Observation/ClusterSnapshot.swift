/// Everything a reader (the dashboard, `run --headless`, a drill) may know about the
/// cluster at one moment, taken without stopping the engine.
public struct ClusterSnapshot: Sendable {
    /// The life of a node as the engine sees it.
    public enum NodeState: String, Sendable, Equatable { case starting, running, aligning, stopped }

    /// A node's health, as the failure detector, the supervisor and the faults make it.
    public enum Health: String, Sendable, Equatable {
        case healthy, suspect, down, recovering, hung, slow, partitioned, quarantined, dead
    }

    /// One recovery, with its phases.
    public struct Recovery: Sendable, Equatable {
        public var reason: String
        /// Fault injected (or noticed) to node marked down, seconds; nil when not measured.
        public var detect: Double?
        /// Down to every node running again from the restored state.
        public var restore: Double
        /// Running again to the sources back at the offsets they had reached; nil until then.
        public var replay: Double?
        public var checkpoint: UInt64?
        public var sources: [String]
        public var at: Double
    }

    /// One node's row.
    public struct Node: Sendable, Equatable {
        public var id: Int
        public var state: NodeState
        /// Frames waiting in the node's input links (backpressure).
        public var queueDepth: Int
        /// Balance updates applied per second.
        public var updatesPerSecond: Double
        /// Transfers read from its partitions per second.
        public var producedPerSecond: Double
        public var produced: Int64
        public var applied: Int64
        public var corruptFrames: Int64
        public var stateBytes: Int
        public var restarts: Int
        public var health: Health
        public var phi: Double
        /// Seconds since its last heartbeat.
        public var heartbeatAge: Double
        public var incarnation: Int
        /// Frames it received again after a bad CRC or a gap.
        public var retransmits: Int
        /// Standby copies of peers' state it holds.
        public var standbyCopies: Int
        /// Shards of the retained checkpoints on its disk, as the scrubber last saw them.
        public var diskShards = 0
        /// Of those, how many were corrupt or missing and could not be repaired.
        public var badDiskShards = 0
        /// When the scrubber last rewrote a shard on its disk (seconds since start).
        public var lastDiskRepair: Double? = nil
    }

    /// The life of a checkpoint.
    public enum CheckpointStatus: String, Sendable, Equatable { case inProgress = "in progress", complete, failed, restored }

    /// One checkpoint's row.
    public struct Checkpoint: Sendable, Equatable {
        public var id: UInt64
        public var status: CheckpointStatus
        /// Barrier injected to manifest durable, seconds.
        public var duration: Double?
        /// Longest barrier alignment of any node, seconds.
        public var alignment: Double?
        public var bytes: Int
        public var shards: Int
        public var healthyShards: Int
        /// Why it failed, or where it was restored from.
        public var note: String
    }

    public var uptime: Double
    public var running: Bool
    public var nodes: [Node]
    /// Newest last.
    public var checkpoints: [Checkpoint]
    public var produced: Int64
    public var applied: Int64
    public var producedPerSecond: Double
    public var committedPerSecond: Double
    /// Source batch created to applied at the owning node, nanoseconds, over the last seconds.
    public var latencyP50: UInt64
    public var latencyP99: UInt64
    /// The same over the whole run.
    public var runLatencyP50: UInt64
    public var runLatencyP99: UInt64
    public var audit: AuditVerdict
    /// Newest last.
    public var events: [EngineEvent]
    /// The checkpoint the engine restored from at start, if any.
    public var restoredFrom: UInt64?
    public var checkpointsCompleted: Int
    /// Throughput history: (seconds since start, produced/s, committed/s), oldest first.
    public var history: [(time: Double, produced: Double, committed: Double)]
    /// Recoveries so far, oldest first.
    public var recoveries: [Recovery]
    /// Whether a recovery is under way.
    public var recovering: Bool
}
