/// Whether a Flink job really runs, read from its details and the TaskManagers: Flink says
/// RUNNING as soon as the job is scheduled, while its subtasks may still wait for slots that
/// never come. Only when every subtask is RUNNING do its rates mean anything.
public enum JobLiveness: Sendable, Equatable {
    /// The job is RUNNING and so is every one of its subtasks.
    case running(subtasks: Int)
    /// The job is RUNNING but not every subtask is: how many are, of all, and why not.
    case starved(running: Int, total: Int, why: String)
    /// Any other job state (RESTARTING, FAILED, CANCELED, …), as Flink names it.
    case notRunning(state: String)

    public init(job: FlinkModel.Job, taskManagers: [FlinkModel.TaskManagers.TaskManager]) {
        guard job.state == "RUNNING" else {
            self = .notRunning(state: job.state)
            return
        }
        let (running, total) = job.tasksRunning
        guard running < total else {
            self = .running(subtasks: total)
            return
        }
        var waiting: [String: Int] = [:]
        for v in job.vertices {
            for (state, n) in v.tasks ?? [:] where state != "RUNNING" && n > 0 { waiting[state, default: 0] += n }
        }
        let free = taskManagers.reduce(0) { $0 + $1.freeSlots }
        let why: String
        if taskManagers.isEmpty {
            why = "no TaskManager registered"
        } else if free == 0 && (waiting["CREATED"] ?? 0) + (waiting["SCHEDULED"] ?? 0) > 0 {
            why = "no free slots"
        } else {
            why = waiting.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
        self = .starved(running: running, total: total, why: why)
    }

    /// Whether the job's figures (rates, audit progress) describe a job at work.
    public var isWorking: Bool {
        switch self {
        case .running: true
        case .starved, .notRunning: false
        }
    }

    /// `RUNNING`, `RUNNING · 0 of 6 subtasks running: no free slots`, `FAILED`.
    public var text: String {
        switch self {
        case .running: "RUNNING"
        case let .starved(running, total, why): "RUNNING · \(running) of \(total) subtasks running" + (why.isEmpty ? "" : ": \(why)")
        case let .notRunning(state): state
        }
    }
}
