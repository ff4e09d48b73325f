import Engine

/// The first line of a record (`--record FILE`): which format it is in, and the job's fixed
/// facts, so `firedrill replay` can draw the dashboard from the record alone.
public struct RecordHeader: Sendable, Equatable, Codable {
    /// What the `format` field holds.
    public static let formatName = "firedrill-record"
    /// The version this build writes, and the newest it reads.
    public static let currentVersion = 2

    public var format = RecordHeader.formatName
    public var version = RecordHeader.currentVersion
    /// "threaded" or "simulated".
    public var runtime: String
    /// The job's name as the header shows it ("payments (simulated, seed 7)").
    public var title: String
    /// The drill that played, if one did.
    public var drill: String?
    public var nodes: Int
    public var partitions: Int
    public var dataShards: Int
    public var parityShards: Int
    public var replicas: Int
    /// Frames a node's inputs can hold, over all its inputs.
    public var queueCapacity: Int
    public var accounts: Int
    public var expectedMoney: Int64
    public var seed: UInt64

    /// The header of a session of `config` with `replicas` standby copies.
    public init(config: JobConfig, replicas: Int, runtime: String, title: String, drill: String? = nil) {
        self.runtime = runtime
        self.title = title
        self.drill = drill
        nodes = config.nodes
        partitions = config.partitions
        dataShards = config.dataShards
        parityShards = config.parityShards
        self.replicas = replicas
        queueCapacity = config.channelCapacity * config.nodes
        accounts = config.accounts
        expectedMoney = config.totalMoney
        seed = config.seed
    }

    /// The header as its record line (`"t"` and `"type"` first, as every line).
    public var line: String {
        JSON.object([
            ("t", "0"), ("type", JSON.string("header")), ("format", JSON.string(format)), ("version", String(version)),
            ("runtime", JSON.string(runtime)), ("title", JSON.string(title)), ("drill", drill.map(JSON.string) ?? "null"),
            ("nodes", String(nodes)), ("partitions", String(partitions)), ("dataShards", String(dataShards)),
            ("parityShards", String(parityShards)), ("replicas", String(replicas)), ("queueCapacity", String(queueCapacity)),
            ("accounts", String(accounts)), ("expectedMoney", String(expectedMoney)), ("seed", String(seed)),
        ])
    }
}
