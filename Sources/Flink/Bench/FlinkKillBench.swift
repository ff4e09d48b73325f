#if canImport(Glibc)
import Glibc
#endif
import Engine
import Foundation

/// `bench flink`: SIGKILLs the lab's busiest TaskManager again and again and times each
/// recovery phase from REST polled every 50 ms (the job with its state timestamps and
/// subtask counts, the TaskManagers; checkpoints every 100 ms with their acknowledgement
/// times), then starts a replacement and waits for the lab to be steady before the next.
/// Meanwhile an auditor on the job's output measures the commit lag: from a part file's
/// last write to the auditor having proven its rows.
public final class FlinkKillBench {
    public let client: FlinkClient
    public let lab: LabState
    public let job: String
    /// Seconds a trial may take before it counts as not recovered.
    public var timeout = 90.0
    /// Flip a bit in the newest retained checkpoint right before each kill (the guard's trial).
    public var rot = false
    /// With the guard: whether it has recorded checkpoint N (the rot waits for it).
    public var isGuarded: (@Sendable (UInt64) -> Bool)?
    public var progress: (String) -> Void = { _ in }

    public init(client: FlinkClient, lab: LabState, job: String) {
        self.client = client
        self.lab = lab
        self.job = job
    }

    /// What the run measured.
    public struct Result: Sendable {
        public var trials: [FlinkRecoveryClock.Trial] = []
        /// Seconds from a part file's last write to its rows proven, one per file.
        public var commitLags: [Double] = []
        public var audit = LedgerAuditor.Verdict()
        /// REST requests sent.
        public var requests = 0
        /// The checkpoints rotted, and after how many trials the audit was still exact.
        public var rotted: [UInt64] = []
        public var exactTrials = 0
    }

    let start = Date()
    var now: Double { Date().timeIntervalSince(start) }

    /// Runs `kills` trials.
    public func run(kills: Int) throws(FlinkError) -> Result {
        var result = Result()
        let auditor = LedgerAuditor(directory: lab.output, ledger: PaymentsLedger(accounts: lab.accounts))
        var lagWatch = LagWatch(since: start.timeIntervalSince1970)
        func audit() { auditor.refresh(); lagWatch.take(auditor, output: lab.output, into: &result.commitLags) }
        audit()
        for k in 0..<kills {
            try waitSteady(audit)
            let victim = try busiest()
            let pid = try TaskManagerProcess.find(id: victim, hint: try LabState.load(lab.directory)?.taskManagers.first { $0.id == victim }?.pid).pid
            var clock = FlinkRecoveryClock()
            clock.observe(try look())
            if rot {
                if let isGuarded { CheckpointRot.waitUntilNewestGuarded(jobDirectory: lab.checkpoints + "/" + job, isGuarded) }
                let r = try CheckpointRot.flip(jobDirectory: lab.checkpoints + "/" + job, .latest, file: nil, seed: UInt64(k) &* 7_919 &+ 13)
                result.rotted.append(r.checkpoint)
            }
            try ProcessControl.signal(pid, SIGKILL, what: "TaskManager \(victim)")
            clock.fault(at: now, taskManager: victim)
            var i = 0
            while now - clock.trials[0].faultAt < timeout, !(clock.trials.last?.complete ?? false) {
                clock.observe(try look(checkpoints: i % 2 == 0))
                if i % 5 == 0 { audit() }
                i += 1
                usleep(50_000)
            }
            let t = clock.trials[0]
            result.trials.append(t)
            func ms(_ v: Double?) -> String { v.map { String(format: "%.0f ms", $0 * 1000) } ?? "not reached" }
            progress("kill \(k + 1)/\(kills) \(victim): loss seen \(ms(t.toLoss)), RUNNING \(ms(t.toRunning)), all tasks \(ms(t.toAllTasks)), checkpoint \(ms(t.toCheckpoint))")
            _ = try FlinkLab.replaceTaskManager(victim, directory: lab.directory)
            // The trial's output: exact so far (judged once the job has committed past it).
            try waitSteady(audit)
            audit()
            if auditor.verdict.exact { result.exactTrials += 1 }
        }
        try waitSteady(audit)
        audit()
        result.audit = auditor.verdict
        result.requests = client.requestCount
        return result
    }

    /// One look at the job on this bench's clock.
    func look(checkpoints: Bool = true) throws(FlinkError) -> FlinkRecoveryClock.Look {
        let j = try client.job(job)
        let tms = try client.taskManagers()
        let epoch = start.timeIntervalSince1970
        func clock(_ ms: Int64?) -> Double? { ms.flatMap { $0 > 0 ? Double($0) / 1000 - epoch : nil } }
        var completions: [AttachedCluster.CheckpointCompletion] = []
        var newest: UInt64?
        if checkpoints {
            let c = try client.checkpoints(job: job)
            newest = c.latest?.completed?.id
            completions = c.history.filter { $0.status == "COMPLETED" }.compactMap { h in clock(h.latestAckTimestamp).map { .init(id: h.id, at: $0) } }.sorted { $0.id < $1.id }
            lastCompletions = completions
        } else {
            completions = lastCompletions
            newest = completions.last?.id
        }
        let (running, total) = j.tasksRunning
        return FlinkRecoveryClock.Look(time: now, jobState: j.state, tasksRunning: running, tasksTotal: total, taskManagers: Set(tms.map(\.id)),
                                       newestCheckpoint: newest, restartingAt: clock(j.timestamps["RESTARTING"]), runningAt: clock(j.timestamps["RUNNING"]),
                                       completions: completions)
    }
    var lastCompletions: [AttachedCluster.CheckpointCompletion] = []

    func waitSteady(_ audit: () -> Void) throws(FlinkError) {
        try FlinkSteady.wait(client: client, job: job, taskManagers: lab.taskManagers.map(\.id), tick: audit)
    }

    /// The TaskManager hosting the most subtasks.
    func busiest() throws(FlinkError) -> String {
        let j = try client.job(job)
        var count: [String: Int] = [:]
        for v in j.vertices {
            for st in try client.vertex(job: job, vertex: v.id).subtasks where st.status == "RUNNING" {
                if let id = st.taskManagerId { count[id, default: 0] += 1 }
            }
        }
        guard let top = count.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else { throw .taskManager("no TaskManager runs a subtask of job \(job)") }
        return top.key
    }
}

/// Part files seen and the moment the auditor proved each (its `next` passed the file's
/// highest id): the commit lag is that moment minus the file's last write.
struct LagWatch {
    /// Files older than this (epoch seconds) are the job's past, not measured.
    let since: Double
    var waiting: [String: Double] = [:]
    var done: Set<String> = []

    mutating func take(_ a: LedgerAuditor, output: String, into lags: inout [Double]) {
        let now = Date().timeIntervalSince1970
        for (name, maxId) in a.fileMaxId where !done.contains(name) {
            if waiting[name] == nil {
                var st = stat()
                guard stat(output + "/" + name, &st) == 0 else { continue }
                let mtime = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
                if mtime < since { done.insert(name); continue }
                waiting[name] = mtime
            }
            if maxId < a.next, let m = waiting.removeValue(forKey: name) {
                lags.append(now - m)
                done.insert(name)
            }
        }
    }
}
