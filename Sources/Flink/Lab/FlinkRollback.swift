#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What Flink never does by itself: go back to an older checkpoint. A job whose newest
/// checkpoint is beyond repair retries it until its restart strategy gives up, while older
/// intact ones stay retained. A rollback stops the job (with --newest-intact a savepoint first
/// when it runs, as a copy to come back to; then a cancel, which keeps the retained
/// checkpoints — a stop with a savepoint would finish the job and discard them) and submits it again with
/// `execution.state-recovery.path` at the chosen checkpoint.
public struct FlinkRollback: Sendable {
    /// Which checkpoint to go back to.
    public enum Target: Sendable, Equatable, CustomStringConvertible {
        /// `chk-N`.
        case checkpoint(UInt64)
        /// The newest retained checkpoint the guard verifies intact.
        case newestIntact
        public var description: String {
            switch self {
            case let .checkpoint(n): "chk-\(n)"
            case .newestIntact: "the newest intact checkpoint"
            }
        }

        /// `--to chk-N` (or `N`), or `--newest-intact`; one of them.
        public init(to: String?, newestIntact: Bool) throws(FlinkError) {
            switch (to, newestIntact) {
            case (nil, true), (nil, false): self = .newestIntact
            case let (t?, false):
                let digits = t.hasPrefix("chk-") ? String(t.dropFirst(4)) : t
                guard let n = UInt64(digits) else { throw .malformed(url: "--to", expected: "a checkpoint like chk-12 (or 12)", why: "'\(t)'") }
                self = .checkpoint(n)
            case (_?, true): throw .malformed(url: "--to", expected: "either --to chk-N or --newest-intact", why: "both given")
            }
        }
    }

    /// How the job was submitted again.
    public enum Submitter: Sendable {
        /// The lab's payments job.
        case lab(LabState)
        /// A user's command, `{checkpoint}` replaced by the checkpoint's path.
        case command(CommandTemplate, timeout: Double)
    }

    /// What a rollback did.
    public struct Outcome: Sendable, Equatable {
        public var oldJob: String
        public var oldState: String
        /// `savepoint at PATH, then canceled`, `canceled`, `already FAILED`.
        public var stopped: String
        public var checkpoint: UInt64
        public var path: String
        public var newJob: String
        /// Seconds from the start of the rollback to the new job RUNNING with every subtask.
        public var secondsToRunning: Double
        /// The checkpoint Flink says it restored (its own statistics).
        public var restored: UInt64?
    }

    public let client: FlinkClient
    public let job: String
    /// The checkpoint directory (`execution.checkpointing.dir`, without `file://`).
    public let checkpointRoot: String

    public init(client: FlinkClient, job: String, checkpointRoot: String) {
        self.client = client
        self.job = job
        self.checkpointRoot = checkpointRoot
    }

    var guardian: CheckpointGuard {
        CheckpointGuard(jobDirectory: checkpointRoot + "/" + job, parityDirectory: checkpointRoot + ".guard/" + job)
    }

    /// The checkpoint to go back to, with why the newer ones are not it.
    public func choose(_ target: Target) throws(FlinkError) -> (id: UInt64, notes: [String]) {
        let g = guardian
        let retained = g.retained()
        switch target {
        case let .checkpoint(n):
            guard retained.contains(n) else {
                throw .checkpoint("\(g.jobDirectory)/chk-\(n): not a retained checkpoint (retained: \(retained.map { "chk-\($0)" }.joined(separator: ", ")))")
            }
            return (n, [])
        case .newestIntact:
            let guarded = Set(g.guarded())
            var notes: [String] = []
            for id in retained.reversed() {
                guard guarded.contains(id) else { notes.append("chk-\(id) is not guarded (attach flink --guard or guard flink): not verified"); continue }
                let c = try g.check(id, repair: false)
                if c.intact { return (id, notes) }
                notes.append("chk-\(id) is damaged: \(c.findings.count) file\(c.findings.count == 1 ? "" : "s") fail their CRC")
            }
            throw .checkpoint("no retained checkpoint of job \(job) is verified intact by the guard\(notes.isEmpty ? "" : ": " + notes.joined(separator: "; "))")
        }
    }

    /// Stops the job, chooses the checkpoint (after the stop: a running job keeps
    /// checkpointing and Flink discards the oldest retained), submits the job again from it,
    /// and waits (up to `wait` s) for the new job to run with every subtask.
    public func run(to target: Target, submitter: Submitter, wait: Double = 120, progress: (String) -> Void) throws(FlinkError) -> Outcome {
        let begin = Date()
        let before = try client.job(job)
        // A savepoint is a checkpoint too: while it is taken, Flink may discard the named one.
        let stopped = try stop(before, savepoint: target == .newestIntact, progress: progress)
        let (id, notes) = try choose(target)
        for n in notes { progress(n) }
        let path = checkpointRoot + "/" + job + "/chk-\(id)"
        progress("submitting again from \(path)")
        let submitted = Date().timeIntervalSince1970 * 1000
        let newJob: String
        switch submitter {
        case let .lab(lab):
            guard let home = FlinkLab(directory: lab.directory).flinkHome() else { throw .lab("\(lab.directory): no Flink installed in the lab's venv") }
            var l = FlinkLab(directory: lab.directory, restPort: lab.restPort, rate: lab.rate)
            l.taskManagers = lab.taskManagers.count
            newJob = try l.submit(home: home, restore: path)
            var updated = lab
            updated.jobId = newJob
            try updated.save()
        case let .command(t, timeout):
            let o = TemplateRunner.run(t.arguments(id: path), timeout: timeout)
            guard o.succeeded else { throw .lab("--submit-command failed: \(o)") }
            if let id = Self.jobId(in: o.output) { newJob = id } else { newJob = try newest(after: Int64(submitted)) }
        }
        progress("job \(newJob) submitted; waiting for every subtask to run")
        var running: Double?
        while running == nil {
            if let j = try? client.job(newJob) {
                if JobLiveness(job: j, taskManagers: (try? client.taskManagers()) ?? []).isWorking { running = Date().timeIntervalSince(begin) }
                if ["FAILED", "CANCELED", "FINISHED"].contains(j.state) { throw .lab("the resubmitted job \(newJob) ended \(j.state) (see its exceptions: \(client.base)/jobs/\(newJob)/exceptions)") }
            }
            if running == nil {
                guard Date().timeIntervalSince(begin) < wait else { throw .lab("the resubmitted job \(newJob) did not run every subtask within \(Int(wait)) s") }
                usleep(100_000)
            }
        }
        let restored = (try? client.checkpoints(job: newJob))?.latest?.restored?.id
        return Outcome(oldJob: job, oldState: before.state, stopped: stopped, checkpoint: id, path: path, newJob: newJob,
                       secondsToRunning: running ?? 0, restored: restored)
    }

    /// A savepoint first when the job runs and `savepoint` (a copy to come back to), then a cancel.
    func stop(_ j: FlinkModel.Job, savepoint: Bool, progress: (String) -> Void) throws(FlinkError) -> String {
        if ["FAILED", "CANCELED", "FINISHED"].contains(j.state) { return "already \(j.state)" }
        var said = ""
        if j.state == "RUNNING" && savepoint {
            progress("job \(job) RUNNING: a savepoint first")
            if let t = try? client.send("POST", "/jobs/\(job)/savepoints", body: "{\"cancel-job\": false}", as: FlinkModel.TriggerId.self, expected: "a trigger id") {
                for _ in 0..<60 {
                    if let op = try? client.get("/jobs/\(job)/savepoints/\(t.requestId)", as: FlinkModel.AsyncOperation.self, expected: "a savepoint's status"),
                       op.status.id == "COMPLETED" {
                        said = op.operation?.location.map { "savepoint at \($0), then " } ?? "no savepoint (\(op.operation?.failureCause?.stackTrace?.split(separator: "\n").first ?? "failed")), then "
                        break
                    }
                    usleep(250_000)
                }
            }
        }
        progress("canceling job \(job) (\(j.state)); its retained checkpoints stay")
        _ = try client.send("PATCH", "/jobs/\(job)?mode=cancel")
        for _ in 0..<300 {
            if let s = try? client.job(job).state, ["CANCELED", "FAILED", "FINISHED"].contains(s) { return said + "canceled" }
            usleep(100_000)
        }
        throw .lab("job \(job) did not stop within 30 s of its cancel")
    }

    /// A 32-hex-digit job id in a command's output (`Job has been submitted with JobID …`).
    static func jobId(in text: String) -> String? {
        text.split(whereSeparator: { !$0.isHexDigit }).map(String.init).last { $0.count == 32 }
    }

    /// The newest job that started after `ms` (when the submit command does not say its id).
    func newest(after ms: Int64) throws(FlinkError) -> String {
        for _ in 0..<100 {
            if let j = try client.jobs().filter({ $0.startTime >= ms - 1000 }).max(by: { $0.startTime < $1.startTime }) { return j.jid }
            usleep(100_000)
        }
        throw .lab("--submit-command ran, but no new job appeared on \(client.base) within 10 s")
    }
}
