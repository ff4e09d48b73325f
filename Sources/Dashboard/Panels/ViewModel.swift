import Engine

/// What one frame shows: the engine's snapshot of this frame, the dashboard's own state,
/// the theme, and the job's fixed facts. Panels draw from this and nothing else.
public struct ViewModel: Sendable {
    /// Facts about the job that do not change while it runs.
    public struct Job: Sendable, Equatable {
        public var name: String
        public var nodes: Int
        public var dataShards: Int
        public var parityShards: Int
        public var replicas: Int
        /// Frames a node's inputs can hold before its senders block.
        public var queueCapacity: Int
        public var expectedMoney: Int64
        public var accounts: Int

        public init(name: String, nodes: Int, dataShards: Int, parityShards: Int, replicas: Int, queueCapacity: Int, expectedMoney: Int64, accounts: Int) {
            self.name = name
            self.nodes = nodes
            self.dataShards = dataShards
            self.parityShards = parityShards
            self.replicas = replicas
            self.queueCapacity = queueCapacity
            self.expectedMoney = expectedMoney
            self.accounts = accounts
        }
    }

    /// A drill playing live: the next step, the last caption, the verdict at the end.
    public struct DrillStatus: Sendable, Equatable {
        public var name: String
        /// Seconds into the drill, and its length.
        public var elapsed: Double
        public var duration: Double
        /// The caption of the step that ran last.
        public var caption: String?
        /// Seconds into the drill when that step ran.
        public var captionAt: Double? = nil
        /// The next step: (at seconds, command text).
        public var next: (at: Double, command: String)?
        /// Pass/fail once the drill ended: (passed, summary line).
        public var verdict: (passed: Bool, summary: String)?

        public init(name: String, elapsed: Double, duration: Double, caption: String?, next: (at: Double, command: String)?, verdict: (passed: Bool, summary: String)?) {
            self.name = name
            self.elapsed = elapsed
            self.duration = duration
            self.caption = caption
            self.next = next
            self.verdict = verdict
        }

        public static func == (a: DrillStatus, b: DrillStatus) -> Bool {
            a.name == b.name && a.elapsed == b.elapsed && a.duration == b.duration && a.caption == b.caption
                && a.captionAt == b.captionAt && a.next?.at == b.next?.at && a.next?.command == b.next?.command
                && a.verdict?.passed == b.verdict?.passed && a.verdict?.summary == b.verdict?.summary
        }
    }

    public var snapshot: ClusterSnapshot
    public var state: DashboardState
    public var theme: Theme
    public var job: Job
    public var drill: DrillStatus?
    /// Whether the terminal shows colour (without it, states read from glyphs and attributes).
    public var color: Bool
    /// The simulated runtime's speed (virtual seconds per real one); nil on the threaded runtime.
    public var speed: Double? = nil
    /// Where a replay stands (`firedrill replay`); nil when the engine is live.
    public var replay: ReplayStatus? = nil

    /// A replay's position in its record.
    public struct ReplayStatus: Sendable, Equatable {
        /// The record's file name, for the header.
        public var file: String
        /// Seconds into the record shown now, and its length.
        public var position: Double
        public var end: Double
        public init(file: String, position: Double, end: Double) {
            self.file = file
            self.position = position
            self.end = end
        }
    }

    public init(snapshot: ClusterSnapshot, state: DashboardState, theme: Theme, job: Job, drill: DrillStatus? = nil, color: Bool = true) {
        self.snapshot = snapshot
        self.state = state
        self.theme = theme
        self.job = job
        self.drill = drill
        self.color = color
    }

    /// The cluster's overall state for the header.
    public var clusterState: (label: String, role: Role) {
        if let a = snapshot.attached {
            guard a.reachable else { return ("UNREACHABLE", .bad) }
            let state = a.jobState ?? "UNKNOWN"
            // Flink's RUNNING with subtasks waiting (for slots) is said as such, never as running.
            if state == "RUNNING", a.working == false { return (a.jobStatus ?? "RUNNING · not every subtask running", .warning) }
            if state == "RUNNING" { return snapshot.nodes.contains { $0.health != .healthy } ? ("DEGRADED", .warning) : ("RUNNING", .ok) }
            return (state, ["FAILED", "FAILING", "CANCELED"].contains(state) ? .bad : state == "FINISHED" ? .muted : .warning)
        }
        if !snapshot.running { return ("STOPPED", .muted) }
        if snapshot.recovering || snapshot.nodes.contains(where: { $0.health == .recovering }) { return ("RECOVERING", .warning) }
        let unhealthy = snapshot.nodes.contains { $0.health != .healthy }
        let badShards = snapshot.checkpoints.contains { $0.status == .complete && $0.healthyShards < $0.shards }
        if unhealthy || badShards { return ("DEGRADED", .warning) }
        return ("RUNNING", .ok)
    }

    /// The newest complete checkpoint.
    public var latestComplete: UInt64? { snapshot.checkpoints.last { $0.status == .complete }?.id }
}

/// A node's health as a glyph (so states read without colour), a word and a role.
public enum HealthLook {
    public static func of(_ h: ClusterSnapshot.Health) -> (glyph: String, word: String, role: Role) {
        switch h {
        case .healthy: ("●", "healthy", .nodeHealthy)
        case .suspect: ("◐", "suspect", .nodeSuspect)
        case .down: ("✖", "down", .nodeDown)
        case .recovering: ("↻", "recovering", .nodeRecovering)
        case .hung: ("‖", "hung", .nodeHung)
        case .slow: ("◔", "slow", .nodeSlow)
        case .partitioned: ("≠", "partitioned", .nodePartitioned)
        case .quarantined: ("⊘", "quarantined", .nodeQuarantined)
        case .dead: ("†", "dead", .nodeDead)
        case .stalled: ("⧗", "stalled", .nodeSlow)
        }
    }
}
