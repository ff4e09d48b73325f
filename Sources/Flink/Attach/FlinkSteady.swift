#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Waits until a Flink job is steady: every expected TaskManager registered, the job RUNNING
/// with all its subtasks, and a checkpoint completed after that (a drill or a benchmark
/// trial starting earlier would measure the last fault's tail).
public enum FlinkSteady {
    /// Polls every 250 ms; `tick` runs between polls. Throws when `seconds` pass first,
    /// saying what was still missing.
    public static func wait(client: FlinkClient, job: String, taskManagers: [String], seconds: Double = 120,
                            tick: () -> Void = {}) throws(FlinkError) {
        let begin = Date()
        var since: Date?
        var checkpointAt: UInt64?
        var missing = "no answer yet"
        while Date().timeIntervalSince(begin) < seconds {
            let j = try client.job(job)
            let registered = Set(try client.taskManagers().map(\.id))
            let newest = try client.checkpoints(job: job).latest?.completed?.id
            let (running, total) = j.tasksRunning
            let absent = taskManagers.filter { !registered.contains($0) }
            if absent.isEmpty, j.state == "RUNNING", total > 0, running == total {
                if since == nil { since = Date(); checkpointAt = newest }
                if let n = newest, n > (checkpointAt ?? 0) { return }
                missing = "a checkpoint completed after all subtasks run"
            } else {
                since = nil
                missing = !absent.isEmpty ? "TaskManager \(absent.joined(separator: ", ")) to register" : j.state != "RUNNING" ? "the job RUNNING (it is \(j.state))" : "all subtasks RUNNING (\(running) of \(total))"
            }
            tick()
            usleep(250_000)
        }
        throw .lab("job \(job) was not steady within \(Int(seconds)) s: still waiting for \(missing)")
    }
}
