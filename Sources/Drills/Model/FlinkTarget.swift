/// Where a drill runs when it is not the embedded engine: a Flink cluster (`[target] kind =
/// "flink"`). Without a URL, the lab (`firedrill flink up`) runs it: the running one, or one
/// started for the drill and stopped after it.
public struct FlinkTarget: Sendable, Equatable {
    /// Flink's REST URL (nil: the lab).
    public var url: String?
    /// The lab's TaskManagers and slots, when the drill starts one.
    public var taskManagers = 2
    public var slots = 2
    /// The job id (nil: the lab's, else the only running one).
    public var job: String?
    /// The job's checkpoint directory (the lab's is known).
    public var checkpointDir: String?
    /// The payments job's output directory, for the auditor (the lab's is known).
    public var output: String?
    /// For a remote cluster: the command that kills a TaskManager, `{id}` its id.
    public var killCommand: String?
    /// Whether firedrill's checkpoint guard runs during the drill (`guard = true`).
    public var guardCheckpoints = false

    public init() {}

    /// The TaskManager names steps may use: the lab's ids (`tm-0`…).
    public var names: [String] { (0..<taskManagers).map { "tm-\($0)" } }
}

/// What the Flink checkpoint a job restored must be.
public enum RestoredCheckpoint: String, Sendable, Equatable, CaseIterable {
    /// The newest completed checkpoint at the fault.
    case newest
    /// The one the drill corrupted.
    case corrupted
    /// An older one than the newest at the fault.
    case older
}

/// What must hold at the end of a drill on Flink, beyond `exactly_once` and `money_conserved`
/// (judged by the auditor of the job's committed output).
public struct FlinkExpectations: Sendable, Equatable {
    /// Fault to the job RUNNING again, seconds, for every fault.
    public var runningWithin: Double?
    /// Fault to every task RUNNING, seconds.
    public var allTasksWithin: Double?
    /// Fault to the first checkpoint completed after the recovery, seconds.
    public var checkpointWithin: Double?
    /// Fault to the loss seen (a TaskManager gone, or the job out of RUNNING), seconds.
    public var lossSeenWithin: Double?
    /// Restarts during the drill, at most.
    public var maxRestarts: Int?
    public var restoredCheckpoint: RestoredCheckpoint?
    /// firedrill's live verdict agrees with an independent recount of the committed files,
    /// and a job that did not come back is reported with Flink's exception.
    public var tellsTruth = false
    /// The guard rebuilt a file of the corrupted checkpoint (`guard_repaired = true`).
    public var guardRepaired = false

    public init() {}
}
