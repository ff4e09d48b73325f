import Engine

/// What a fault on an attached Flink cluster hits, said before it runs: the TaskManager, its
/// host and every job with a subtask on it (the blast radius), or the checkpoint a bit is
/// flipped in. A real cluster is not a lab: `K`, `P` and `D` ask first, like `W`.
public enum FlinkConfirm {
    /// The question for `command`, or nil when it needs none (checkpoint, heal, savepoint).
    public static func prompt(_ command: Command, _ a: AttachedCluster) -> String? {
        switch command {
        case let .kill(n): taskManager(n, a, act: "Kill (SIGKILL or --kill-command)")
        case let .hang(n): taskManager(n, a, act: "Hang (SIGSTOP or --hang-command)")
        case let .corruptCheckpoint(ref, file):
            "Flip a bit in \(file.map { "file \($0) of " } ?? "a file of ")checkpoint \(ref) of \(a.jobName ?? "the job") (\(a.jobId.map { String($0.prefix(8)) } ?? "?"))? Flink restores from it after the next failure."
        case let .restart(n): taskManager(n, a, act: "Start a replacement for")
        default: nil
        }
    }

    static func taskManager(_ n: Int, _ a: AttachedCluster, act: String) -> String {
        let facts = a.taskManagerFacts.flatMap { n >= 0 && n < $0.count ? $0[n] : nil }
        let id = facts?.id ?? "TaskManager \(n)"
        let host = facts?.host.map { " on \($0)" } ?? " (host unknown)"
        let jobs: String
        if let f = facts {
            let age = f.age >= 1 ? " (looked up \(Int(f.age)) s ago)" : ""
            jobs = f.jobs.isEmpty ? " It runs no job's subtasks\(age)." : " It runs subtasks of \(f.jobs.count == 1 ? "1 job" : "\(f.jobs.count) jobs"): \(f.jobs.joined(separator: ", "))\(age)."
        } else {
            jobs = " Which jobs it runs is not known (no answer from the cluster yet)."
        }
        return "\(act) TaskManager \(id)\(host)?\(jobs)"
    }
}
