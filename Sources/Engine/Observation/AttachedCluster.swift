/// What a snapshot of a cluster firedrill does not run itself (an attached Flink cluster)
/// says beyond the embedded engine's vocabulary. Panels show these facts instead of the
/// engine's columns that do not apply (phi, queues, standby copies, disk shards).
public struct AttachedCluster: Sendable, Equatable, Codable {
    /// `flink`.
    public var kind: String
    public var url: String
    public var version: String?
    public var jobId: String?
    public var jobName: String?
    /// Flink's job state (RUNNING, RESTARTING, FAILED, …).
    public var jobState: String?
    /// Seconds the job has run (Flink's clock).
    public var jobUptime: Double?
    public var restarts: Int?
    /// The job's subtasks in state RUNNING, and all its subtasks.
    public var tasksRunning: Int?
    public var tasksTotal: Int?
    /// When the job last entered RESTARTING and RUNNING, by its own clock, in seconds on
    /// the snapshot's clock (nil: never).
    public var restartingAt: Double?
    public var runningAt: Double?
    /// When recent checkpoints completed (their last acknowledgement), on the snapshot's clock.
    public var completions: [CheckpointCompletion] = []

    /// A completed checkpoint and when.
    public struct CheckpointCompletion: Sendable, Equatable, Codable {
        public var id: UInt64
        public var at: Double
        public init(id: UInt64, at: Double) {
            self.id = id
            self.at = at
        }
    }
    /// The job's state as it really is: Flink's state, or `RUNNING · 0 of 6 subtasks running:
    /// no free slots` when Flink says RUNNING while not every subtask runs (nil: unknown).
    public var jobStatus: String?
    /// Whether the job is RUNNING with every subtask RUNNING (its rates mean something).
    public var working: Bool?
    /// Records read by the sources, committed and audited per second over a window of at
    /// least 5 s (nil: unknown — not every subtask runs, a restore is too recent, or no answer).
    public var readRate: Double?
    public var committedRate: Double?
    public var auditedRate: Double?
    /// Seconds since the cluster last answered, while it does not (nil: it answers).
    public var silentFor: Double?
    /// Seconds between two looks at the job (`--poll`).
    public var pollSeconds: Double?
    /// Per TaskManager (in node order): its host and the jobs whose subtasks it runs, for the
    /// confirmation a fault on it asks (the blast radius).
    public var taskManagerFacts: [TaskManagerFacts]?
    /// Why the job's judge gave no verdict to trust (an audit command that failed or timed
    /// out, an output directory gone): shown as AUDIT FAILED. nil: none.
    public var auditFailure: String?
    /// Whether faults are refused (`--read-only`).
    public var readOnly: Bool?

    /// Where a TaskManager runs and which jobs it hits when it goes.
    public struct TaskManagerFacts: Sendable, Equatable, Codable {
        public var id: String
        public var host: String?
        /// `name (job id)` of every job with a subtask on it.
        public var jobs: [String]
        /// Seconds since the jobs were looked up.
        public var age: Double
        public init(id: String, host: String?, jobs: [String], age: Double) {
            self.id = id
            self.host = host
            self.jobs = jobs
            self.age = age
        }
    }
    /// Whether the last poll got an answer; `problem` says what went wrong when not.
    public var reachable: Bool
    public var problem: String?
    /// REST requests per second the observer sends.
    public var requestsPerSecond: Double
    /// Whether the job's output is known (the auditor's verdict means something).
    public var audited: Bool
    /// The auditor's counts beyond the engine's verdict shape.
    public var wrongRows: Int64
    public var missingTransfers: Int64
    public var firstProblem: String?

    public init(kind: String, url: String) {
        self.kind = kind
        self.url = url
        reachable = false
        requestsPerSecond = 0
        audited = false
        wrongRows = 0
        missingTransfers = 0
    }
}

extension ClusterSnapshot {
    /// An empty snapshot for a source that fills it in itself (an attached cluster).
    public init(uptime: Double, nodes: [Node]) {
        self.init(uptime: uptime, running: true, nodes: nodes, checkpoints: [], produced: 0, applied: 0, producedPerSecond: 0,
                  committedPerSecond: 0, latencyP50: 0, latencyP99: 0, runLatencyP50: 0, runLatencyP99: 0,
                  audit: .initial(expectedMoney: 0), restoredFrom: nil, checkpointsCompleted: 0, recoveries: [], recovering: false)
    }
}

extension ClusterSnapshot.Node {
    /// A node row with nothing measured yet.
    public init(id: Int, name: String?) {
        self.init(id: id, state: .running, queueDepth: 0, updatesPerSecond: 0, producedPerSecond: 0, produced: 0, applied: 0,
                  corruptFrames: 0, stateBytes: 0, restarts: 0, health: .healthy, phi: 0, heartbeatAge: 0, incarnation: 0,
                  retransmits: 0, standbyCopies: 0)
        self.name = name
    }
}

extension ClusterSnapshot.Checkpoint {
    public init(id: UInt64, status: ClusterSnapshot.CheckpointStatus, duration: Double?, bytes: Int, note: String) {
        self.init(id: id, status: status, duration: duration, alignment: nil, bytes: bytes, shards: 0, healthyShards: 0, note: note)
    }
}

extension ClusterSnapshot.Recovery {
    public init(reason: String, detect: Double?, restore: Double, checkpoint: UInt64?, at: Double) {
        self.init(reason: reason, detect: detect, restore: restore, replay: nil, checkpoint: checkpoint, sources: [], at: at)
    }
}
