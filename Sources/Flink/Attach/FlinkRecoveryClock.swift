import Engine

/// Times a Flink job's recovery from each fault, phase by phase, from successive looks at
/// the job (REST answers, or the observer's snapshots): fault → loss seen (a TaskManager
/// gone from `/taskmanagers`, or the job restarting) → job RUNNING again → all subtasks
/// RUNNING → the first checkpoint completed after that. The job's own state timestamps and
/// checkpoint acknowledgement times are used where Flink gives them, so a phase shorter
/// than the time between looks is still timed. Times are seconds on the caller's clock; a
/// phase not reached stays nil.
public struct FlinkRecoveryClock: Sendable, Equatable {
    /// One fault and how far the job got.
    public struct Trial: Sendable, Equatable {
        public var faultAt: Double
        /// The TaskManager the fault hit (nil: none in particular).
        public var taskManager: String?
        /// The newest completed checkpoint when the fault came.
        public var checkpointBefore: UInt64?
        public var lossSeen: Double?
        /// The job entered RESTARTING (or was seen out of RUNNING).
        public var leftRunning: Double?
        public var running: Double?
        public var allTasks: Double?
        public var checkpoint: Double?
        /// The id of that first new checkpoint.
        public var checkpointId: UInt64?
        /// The state the job was last seen in.
        public var lastState: String?

        /// Seconds from the fault to each phase.
        public var toLoss: Double? { lossSeen.map { $0 - faultAt } }
        public var toRunning: Double? { running.map { $0 - faultAt } }
        public var toAllTasks: Double? { allTasks.map { $0 - faultAt } }
        public var toCheckpoint: Double? { checkpoint.map { $0 - faultAt } }
        /// Whether every phase was reached.
        public var complete: Bool { checkpoint != nil }

        public init(faultAt: Double, taskManager: String?, checkpointBefore: UInt64?) {
            self.faultAt = faultAt
            self.taskManager = taskManager
            self.checkpointBefore = checkpointBefore
        }

        /// The same trial on a clock that starts `base` seconds later.
        public func rebased(by base: Double) -> Trial {
            var t = self
            t.faultAt -= base
            for k in [\Trial.lossSeen, \.leftRunning, \.running, \.allTasks, \.checkpoint] { t[keyPath: k] = t[keyPath: k].map { $0 - base } }
            return t
        }
    }

    /// What one look at the job saw.
    public struct Look: Sendable, Equatable {
        public var time: Double
        public var jobState: String?
        public var tasksRunning: Int?
        public var tasksTotal: Int?
        /// The TaskManagers registered.
        public var taskManagers: Set<String>
        public var newestCheckpoint: UInt64?
        /// When the job last entered RESTARTING and RUNNING (Flink's timestamps).
        public var restartingAt: Double?
        public var runningAt: Double?
        /// Recent completed checkpoints and when they completed.
        public var completions: [AttachedCluster.CheckpointCompletion]

        public init(time: Double, jobState: String?, tasksRunning: Int?, tasksTotal: Int?, taskManagers: Set<String>, newestCheckpoint: UInt64?,
                    restartingAt: Double? = nil, runningAt: Double? = nil, completions: [AttachedCluster.CheckpointCompletion] = []) {
            self.time = time
            self.jobState = jobState
            self.tasksRunning = tasksRunning
            self.tasksTotal = tasksTotal
            self.taskManagers = taskManagers
            self.newestCheckpoint = newestCheckpoint
            self.restartingAt = restartingAt
            self.runningAt = runningAt
            self.completions = completions
        }

        /// The look a snapshot of an attached cluster gives.
        public init(_ s: ClusterSnapshot) {
            let a = s.attached
            self.init(time: s.uptime, jobState: a?.jobState, tasksRunning: a?.tasksRunning, tasksTotal: a?.tasksTotal,
                      taskManagers: Set(s.nodes.filter { $0.state != .stopped }.compactMap(\.name)), newestCheckpoint: s.newestCheckpoint,
                      restartingAt: a?.restartingAt, runningAt: a?.runningAt, completions: a?.completions ?? [])
        }
    }

    public private(set) var trials: [Trial] = []
    /// The last look (a fault's "before" comes from it).
    public private(set) var last: Look?

    public init() {}

    /// A fault at `time` on `taskManager`.
    public mutating func fault(at time: Double, taskManager: String?) {
        trials.append(Trial(faultAt: time, taskManager: taskManager, checkpointBefore: last?.newestCheckpoint))
    }

    /// Takes in one look; advances the newest fault's phases.
    public mutating func observe(_ look: Look) {
        defer { last = look }
        guard var t = trials.last, look.time >= t.faultAt else { return }
        defer { trials[trials.count - 1] = t }
        t.lastState = look.jobState
        let running = look.jobState == "RUNNING"
        // Flink's own moment of restarting, when it is after the fault (its clock may be a
        // few milliseconds off ours: a restart within 50 ms before the fault is not one).
        let restarted = look.restartingAt.flatMap { $0 >= t.faultAt - 0.05 ? $0 : nil }
        if t.leftRunning == nil {
            if let r = restarted { t.leftRunning = max(t.faultAt, r) } else if !running { t.leftRunning = look.time }
        }
        let gone = t.taskManager.map { !look.taskManagers.contains($0) } ?? false
        if t.lossSeen == nil, gone || t.leftRunning != nil { t.lossSeen = min(look.time, t.leftRunning ?? look.time) }
        // RUNNING again only counts after the job left it.
        guard let left = t.leftRunning else { return }
        if t.running == nil, running { t.running = look.runningAt.flatMap { $0 >= left ? $0 : nil } ?? look.time }
        guard let back = t.running else { return }
        if t.allTasks == nil, running, let r = look.tasksRunning, let n = look.tasksTotal, n > 0, r == n { t.allTasks = max(back, look.time) }
        if t.checkpoint == nil {
            let before = t.checkpointBefore ?? 0
            if let c = look.completions.first(where: { $0.id > before && $0.at >= back }) {
                t.checkpoint = c.at
                t.checkpointId = c.id
                // A completed checkpoint proves every subtask ran by then (Flink triggers one
                // only then), however late a poll saw them all.
                t.allTasks = min(t.allTasks ?? c.at, c.at)
            } else if look.completions.isEmpty, let c = look.newestCheckpoint, c > before {
                t.checkpoint = look.time
                t.checkpointId = c
            }
        }
    }
}
