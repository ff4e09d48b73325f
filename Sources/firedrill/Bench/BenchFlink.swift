import ArgumentParser
import Flink
import Foundation
import Synchronization

/// `firedrill bench flink`: TaskManager kills on the lab, each recovery phase timed.
struct BenchFlink: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flink",
        abstract: "On the Flink lab: over N SIGKILLs of the busiest TaskManager, p50/p99 of kill → loss seen → job RUNNING → all subtasks RUNNING → first new checkpoint, and the auditor's commit lag.",
        discussion: "Needs a running lab (firedrill flink up); a replacement TaskManager is started after each kill and the lab is steady again before the next. REST is polled every 50 ms while a recovery runs."
    )

    @Flag(help: "Print one JSON array of {benchmark, value, unit} objects.")
    var json = false

    @Option(help: "TaskManager kills (1-100).")
    var kills = 10

    @Option(name: .customLong("lab-dir"), help: "The lab's directory.")
    var labDir = FlinkCommand.defaultDirectory

    @Flag(help: "Print every trial.")
    var verbose = false

    @Flag(name: .customLong("guard"), help: "Rot the newest checkpoint before each kill, with firedrill's guard on: time its repair before restore, count exact trials, its CPU share.")
    var guardCheckpoints = false

    func run() throws {
        guard (1...100).contains(kills) else { throw ValidationError("--kills must be between 1 and 100, got \(kills)") }
        let dir = FlinkLab(directory: labDir).directory
        let lab: LabState
        do {
            guard let s = try LabState.load(dir), ProcessControl.alive(s.jobManager.pid) else {
                throw ValidationError("no lab runs in \(dir): start one with firedrill flink up --dir \(labDir)")
            }
            lab = s
        } catch let e as FlinkError { throw ValidationError(e.description) }
        guard let job = lab.jobId else { throw ValidationError("the lab in \(dir) has no job") }
        let bench: FlinkKillBench
        let r: FlinkKillBench.Result
        var guardian: CheckpointGuardian?
        let inTime = Shared<[Bool]>([])
        let began = Date()
        do {
            let client = try FlinkClient(url: lab.url)
            bench = FlinkKillBench(client: client, lab: lab, job: job)
            if verbose { bench.progress = { var e = StandardError(); print($0, to: &e) } }
            if guardCheckpoints {
                let g = CheckpointGuardian(checkpointRoot: lab.checkpoints, parityRoot: lab.checkpoints + ".guard", client: try FlinkClient(url: lab.url), job: job)
                let v = verbose
                g.onEvent = { [inTime] _, e in
                    if case let .beforeRestore(_, _, intact, t) = e { inTime.value.withLock { $0.append(intact && t == true) } }
                    if v { var err = StandardError(); print("  guard: " + e.text, to: &err) }
                }
                g.start()
                guardian = g
                bench.rot = true
                let cg = CheckpointGuard(jobDirectory: lab.checkpoints + "/" + job, parityDirectory: lab.checkpoints + ".guard/" + job)
                bench.isGuarded = { cg.guarded().contains($0) }
            }
            r = try bench.run(kills: kills)
            guardian?.stop()
        } catch { throw RuntimeFailure("bench flink: \(error.description)") }
        let t = r.trials
        func phase(_ name: String, _ what: String, _ f: (FlinkRecoveryClock.Trial) -> Double?) -> [BenchResult] {
            let xs = t.compactMap(f)
            let missed = t.count - xs.count
            let detail = "\(xs.count) of \(t.count) kills\(missed > 0 ? " (\(missed) never reached it in 90 s)" : ""), \(what)"
            return [BenchResult(name: "flink-\(name)-p50", value: Stopwatch.median(xs) * 1000, unit: "ms", detail: detail),
                    BenchResult(name: "flink-\(name)-p99", value: p99(xs) * 1000, unit: "ms", detail: "max \(BenchReport.format((xs.max() ?? 0) * 1000, digits: 0)) ms")]
        }
        var results = phase("loss-seen", "kill to the TaskManager gone from /taskmanagers or the job RESTARTING (Flink's timestamp)", \.toLoss)
        results += phase("running", "kill to the job RUNNING again (Flink's timestamp)", \.toRunning)
        results += phase("all-tasks", "kill to every subtask RUNNING (polled every 50 ms)", \.toAllTasks)
        results += phase("checkpoint", "kill to the first checkpoint completed after the restart (its last acknowledgement)", \.toCheckpoint)
        results.append(BenchResult(name: "flink-commit-lag-p50", value: Stopwatch.median(r.commitLags), unit: "s",
                                   detail: "\(r.commitLags.count) part files: from a file's last write to the auditor proving its rows (rollover 1 s, checkpoints 1 s, kills included)"))
        results.append(BenchResult(name: "flink-commit-lag-p99", value: p99(r.commitLags), unit: "s", detail: "max \(BenchReport.format(r.commitLags.max() ?? 0, digits: 2)) s"))
        if let g = guardian {
            let xs = g.beforeRestoreMillis
            let ok = inTime.value.withLock { $0 }
            results.append(BenchResult(name: "flink-guard-before-restore-p50", value: Stopwatch.median(xs), unit: "ms",
                                       detail: "\(xs.count) restarts: RESTARTING seen (REST every 100 ms) to the rotted checkpoint verified and rebuilt; \(ok.filter { $0 }.count) of \(ok.count) done before the job ran again"))
            results.append(BenchResult(name: "flink-guard-before-restore-p99", value: p99(xs), unit: "ms", detail: "max \(BenchReport.format(xs.max() ?? 0, digits: 1)) ms; the restart delay is 1000 ms"))
            results.append(BenchResult(name: "flink-guard-exact-trials", value: Double(r.exactTrials), unit: "of \(kills)",
                                       detail: "a bit flipped in the newest checkpoint (\(Set(r.rotted).count) rotted) before each kill; the audit exact after each trial"))
            results.append(BenchResult(name: "flink-guard-cpu", value: g.cpuSeconds / max(0.001, g.age) * 100, unit: "% of a core",
                                       detail: "the guardian thread: \(BenchReport.format(g.cpuSeconds, digits: 2)) s of CPU in \(Int(g.age)) s (guarding each checkpoint, scrubbing at 16 MB/s, REST every 100 ms)"))
        }
        let a = r.audit
        results.append(BenchResult(name: "flink-exact-after-kills", value: a.exact ? 1 : 0, unit: "bool",
                                   detail: "\(a.transfers) transfers audited: \(a.lost) lost, \(a.duplicated) duplicated, \(a.wrong) wrong; \(r.requests) REST requests in \(Int(Date().timeIntervalSince(began))) s"))
        BenchReport.print(results, json: json)
        if !a.exact { throw ExitCode(1) }
    }

    func p99(_ xs: [Double]) -> Double { Stopwatch.p99(xs) }
}

/// A value behind a lock that closures can share.
final class Shared<T: Sendable>: Sendable {
    let value: Mutex<T>
    init(_ v: T) { value = Mutex(v) }
}
