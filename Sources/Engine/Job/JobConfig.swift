/// Everything that shapes a run of the payments job.
public struct JobConfig: Sendable, Equatable {
    /// Nodes in the cluster; each runs a subtask of every stage and owns one disk.
    public var nodes: Int = 6
    /// Source partitions (spread round-robin over the nodes).
    public var partitions: Int = 12
    /// Accounts (keyed state), spread over the nodes by `account % nodes`.
    public var accounts: Int = 10_000
    /// Total transfers per second over all partitions; nil means as fast as possible.
    public var rate: Double? = nil
    /// Reed-Solomon data shards per checkpoint.
    public var dataShards: Int = 4
    /// Reed-Solomon parity shards per checkpoint.
    public var parityShards: Int = 2
    /// Seconds between checkpoints; nil turns periodic checkpoints off.
    public var checkpointInterval: Double? = 1.0
    /// Complete checkpoints kept on disk.
    public var retainedCheckpoints: Int = 3
    /// The source's seed: the same seed gives the same transfers.
    public var seed: UInt64 = 1
    /// Transfers per source batch.
    public var batchSize: Int = 2048
    /// Frames a link holds before its sender waits (backpressure).
    public var channelCapacity: Int = 16
    /// Every account's balance before the first transfer.
    public var initialBalance: Int64 = 1000

    public init() {}

    /// The money in the system, which must never change.
    public var totalMoney: Int64 { Int64(accounts) * initialBalance }

    /// Checks the values a user can set; the message names the flag.
    public func validate() throws(ConfigError) {
        guard (1...64).contains(nodes) else { throw .invalid("--nodes must be between 1 and 64, got \(nodes)") }
        guard partitions >= 1, partitions <= 4096 else { throw .invalid("--partitions must be between 1 and 4096, got \(partitions)") }
        guard accounts >= 2, accounts <= 50_000_000 else { throw .invalid("--accounts must be between 2 and 50000000, got \(accounts)") }
        if let rate { guard rate > 0, rate.isFinite else { throw .invalid("--rate must be a positive number of transfers per second, got \(rate)") } }
        guard dataShards >= 1, parityShards >= 1, dataShards + parityShards <= 255 else {
            throw .invalid("--ec \(dataShards)+\(parityShards): need K >= 1, M >= 1 and K+M <= 255")
        }
        guard dataShards + parityShards <= nodes else {
            throw .invalid("--ec \(dataShards)+\(parityShards) places \(dataShards + parityShards) shards on distinct node disks, but there are only \(nodes) nodes (--nodes \(dataShards + parityShards) or more)")
        }
        if let c = checkpointInterval { guard c >= 0.01, c <= 3600 else { throw .invalid("--checkpoint-interval must be between 10ms and 1h") } }
        guard retainedCheckpoints >= 1 else { throw .invalid("at least one checkpoint must be retained") }
        guard batchSize >= 1, batchSize <= 1 << 20 else { throw .invalid("batch size must be between 1 and 1048576") }
    }

    /// Which node owns `account`.
    @inlinable public func owner(ofAccount account: Int) -> Int { account % nodes }
    /// Which node reads `partition`.
    @inlinable public func owner(ofPartition partition: Int) -> Int { partition % nodes }
    /// The partitions `node` reads.
    public func partitions(of node: Int) -> [Int] { Array(stride(from: node, to: partitions, by: nodes)) }
    /// How many accounts `node` owns.
    public func accountCount(of node: Int) -> Int { accounts / nodes + (node < accounts % nodes ? 1 : 0) }
}

/// A configuration a user gave that cannot run.
public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case let .invalid(m): m }
    }
}
