import Engine

/// A drill: a job, a schedule of commands at fixed moments, and what must hold at the end.
/// Read from a TOML file by `DrillParser`; the same drill runs headless (threaded or
/// simulated) or live in the dashboard.
public struct Drill: Sendable, Equatable {
    /// The job the drill runs.
    public struct Job: Sendable, Equatable {
        public var nodes = 6
        /// Transfers per second (nil: unthrottled).
        public var rate: Double? = 1_000_000
        public var accounts = 10_000
        public var dataShards = 4
        public var parityShards = 2
        public var replicas = 1
        /// Seconds between checkpoints (nil: off).
        public var checkpointInterval: Double? = 1
        public var seed: UInt64 = 1

        public init() {}

        /// The engine configuration.
        public var config: JobConfig {
            var c = JobConfig()
            c.nodes = nodes
            c.partitions = nodes * 2
            c.accounts = accounts
            c.rate = rate
            c.dataShards = dataShards
            c.parityShards = parityShards
            c.checkpointInterval = checkpointInterval
            c.seed = seed
            return c
        }
    }

    /// One scheduled command.
    public struct Step: Sendable, Equatable {
        /// Seconds after the start.
        public var at: Double
        public var command: Command
        public var caption: String?
        /// The line of the step in its file (0 for drills built in code).
        public var line: Int

        public init(at: Double, command: Command, caption: String? = nil, line: Int = 0) {
            self.at = at
            self.command = command
            self.caption = caption
            self.line = line
        }
    }

    public var name: String
    public var description: String
    /// Seconds the drill runs.
    public var duration: Double
    public var job: Job
    /// In time order.
    public var steps: [Step]
    public var expect: Expectations
    /// Where it was read from (a path, or "built-in NAME").
    public var source: String
    /// What the drill means to show, for its report.
    public var hypothesis: String?
    /// What must hold before the first step.
    public var steadyState: SteadyState?
    /// What stops it early, healed.
    public var abort: AbortConditions?
    /// A Flink cluster to run on instead of the embedded engine (`[target] kind = "flink"`).
    public var flink: FlinkTarget?

    public init(name: String, description: String, duration: Double, job: Job, steps: [Step], expect: Expectations, source: String) {
        self.name = name
        self.description = description
        self.duration = duration
        self.job = job
        self.steps = steps
        self.expect = expect
        self.source = source
    }
}

/// Where recovered state must have come from.
public enum RestoredFrom: String, Sendable, Equatable, CaseIterable {
    /// A peer's standby copy (replication).
    case standby
    /// The erasure-coded shards (reconstructing missing or corrupt ones).
    case shards
    /// An older checkpoint, because the newest could not be restored.
    case previous
}

/// What must hold when a drill ends.
public struct Expectations: Sendable, Equatable {
    public var exactlyOnce = true
    public var moneyConserved = true
    /// Fault to node marked down, seconds, for every detection.
    public var maxDetection: Double?
    /// Fault to every node processing again, seconds, for every recovery.
    public var maxRecovery: Double?
    /// Nodes marked down that no fault of the drill explains, at most (`max_unprovoked`).
    public var maxUnprovoked: Int?
    /// Throughput in the second after the last recovery, as a fraction of the rate before
    /// the first fault.
    public var minThroughputAfter: Double?
    public var restoredFrom: RestoredFrom?
    public var events: [EventName] = []
    /// Events that must not appear (a slow node must not be marked down).
    public var absentEvents: [EventName] = []
    /// On a Flink target.
    public var flink = FlinkExpectations()

    public init() {}
}
