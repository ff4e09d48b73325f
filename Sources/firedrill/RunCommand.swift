import ArgumentParser
import Dashboard
import Engine
#if canImport(Glibc)
import Glibc
#endif

/// `firedrill run --headless`: the payments job without the dashboard, with a summary.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the payments job headless and print a summary; exit 0 only when the audit is exact."
    )

    @Flag(help: "Run without the dashboard (the dashboard is `firedrill` itself).")
    var headless = false

    @Option(help: "How long to run (e.g. 10s, 2m).")
    var duration: String = "10s"

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    @OptionGroup var job: JobOptions

    @Option(help: "Standby copies of each node's checkpointed state kept on other nodes.")
    var replicas: Int = 1

    func run() throws {
        guard headless else {
            throw ValidationError("run is the headless mode: add --headless (the dashboard is `firedrill` with the same job flags)")
        }
        guard let seconds = DurationText.parse(duration), seconds > 0, seconds <= 86_400 else {
            throw ValidationError("--duration must be a duration like 10s or 2m (at most 24h), got '\(duration)'")
        }
        let config = try job.config()
        let engine: ThreadedEngine
        do { engine = try ThreadedEngine(config: config, dataDirectory: job.data, replicas: replicas) } catch {
            if case let .config(e) = error { throw ValidationError(e.description) }
            throw RuntimeFailure("\(error)")
        }
        SignalStop.install()
        let auditedAtStart = engine.snapshot().audit.committedTransfers
        engine.start()
        let progress = isatty(2) == 1
        var next = 1.0
        while engine.uptime < seconds && !SignalStop.requested {
            sleepSeconds(0.05)
            if progress && engine.uptime >= next {
                next += 1
                let s = engine.snapshot()
                var err = StandardError()
                print("\u{1B}[2K\r\(Summary.progressLine(s))", terminator: "", to: &err)
            }
        }
        if progress { var err = StandardError(); print("", to: &err) }
        let ranFor = engine.uptime
        let atEnd = engine.snapshot()
        let verdict = engine.stop(finalCheckpoint: true)
        let snapshot = engine.snapshot()
        var summary = Summary(snapshot: snapshot, verdict: verdict, seconds: ranFor)
        summary.verdictAgeP99 = atEnd.verdictAgeP99
        summary.heldForAuditSeconds = atEnd.heldForAuditSeconds
        summary.auditedTransfersPerSecond = ranFor > 0 ? Double(atEnd.audit.committedTransfers - auditedAtStart) / ranFor : 0
        if let audited = verdict.checkpoint, audited < engine.lastCommittedEpoch {
            var err = StandardError()
            print("firedrill: the auditor had checked epoch \(audited) of \(engine.lastCommittedEpoch) when it stopped; the verdict covers that epoch", to: &err)
        }
        summary.transfersPerSecond = ranFor > 0 ? Double(atEnd.produced) / ranFor : 0
        print(json ? summary.json() : summary.text())
        if !(verdict.exact && verdict.moneyConserved) { throw ExitCode(1) }
    }
}

/// The end-of-run report.
struct Summary {
    var snapshot: ClusterSnapshot
    var verdict: AuditVerdict
    var seconds: Double

    /// Transfers read per second while the job ran.
    var transfersPerSecond: Double = 0
    /// Transfers committed and audited per second while the job ran (the final audit after
    /// the duration not included).
    var auditedTransfersPerSecond: Double = 0
    /// The 99th percentile of the verdict's age while the job ran, seconds.
    var verdictAgeP99: Double = 0
    /// What the audited rate and the verdict age cover.
    var proofScope = "while running"
    /// Seconds the sources waited for the auditor while the job ran.
    var heldForAuditSeconds: Double = 0
    var title = "firedrill run"

    static func progressLine(_ s: ClusterSnapshot) -> String {
        "t=\(Int(s.uptime))s  read \(s.produced)  \(Int(s.producedPerSecond)) tr/s  committed \(s.sinkCommittedTransfers) @ckpt \(s.committedCheckpoint ?? 0)  audited @ckpt \(s.audit.checkpoint ?? 0) \(s.audit.exact ? "exact" : "MISMATCH") \(Int(s.verdictAge * 1000)) ms ago  checkpoints \(s.checkpointsCompleted)"
    }

    func text() -> String {
        let exact = verdict.exact && verdict.moneyConserved
        var lines: [String] = []
        lines.append("\(title): \(exact ? "EXACT" : "NOT EXACT") — \(QuitSummary.count(verdict.committedTransfers)) transfers committed, \(verdict.lost) lost, \(verdict.duplicated) duplicated")
        lines.append("  money: \(verdict.committedMoney) of \(verdict.expectedMoney) \(verdict.moneyConserved ? "(conserved)" : "(NOT conserved)")")
        lines.append("  throughput: \(Int(transfersPerSecond)) transfers/s read over \(DurationText.format(seconds)), \(QuitSummary.count(snapshot.produced)) read; \(Int(auditedTransfersPerSecond)) transfers/s committed and audited \(proofScope)")
        lines.append("  proof: sink committed checkpoint \(snapshot.committedCheckpoint.map(String.init) ?? "none"), audited checkpoint \(verdict.checkpoint.map(String.init) ?? "none"); verdict age p99 \(Int(verdictAgeP99 * 1000)) ms \(proofScope); the sources waited \(DurationText.format(heldForAuditSeconds)) for the audit")
        lines.append("  " + QuitSummary.restoreLine(snapshot))
        if !snapshot.recoveries.isEmpty {
            lines.append("  recoveries: \(snapshot.recoveries.count) (last: \(snapshot.recoveries.last?.reason ?? ""))")
        }
        lines.append("  latency (batch read to applied): p50 \(fmtMs(snapshot.runLatencyP50)) p99 \(fmtMs(snapshot.runLatencyP99))")
        for e in snapshot.events where e.kind == .error || e.kind == .restore || e.kind == .repair || e.kind == .audit || e.kind == .detection {
            lines.append("  event: \(e)")
        }
        return lines.joined(separator: "\n")
    }

    func fmtMs(_ nanos: UInt64) -> String { "\(Double(nanos / 10_000) / 100)ms" }

    func json() -> String {
        let fields: [(String, String)] = [
            ("exact", String(verdict.exact && verdict.moneyConserved)),
            ("lost", String(verdict.lost)),
            ("duplicated", String(verdict.duplicated)),
            ("mismatchedAccounts", String(verdict.mismatchedAccounts)),
            ("moneyConserved", String(verdict.moneyConserved)),
            ("committedTransfers", String(verdict.committedTransfers)),
            ("producedTransfers", String(snapshot.produced)),
            ("checkpointsCompleted", String(snapshot.checkpointsCompleted)),
            ("restoredFrom", snapshot.restoredFrom.map(String.init) ?? "null"),
            ("transfersPerSecond", String(Int(transfersPerSecond))),
            ("auditedTransfersPerSecond", String(Int(auditedTransfersPerSecond))),
            ("committedCheckpoint", snapshot.committedCheckpoint.map(String.init) ?? "null"),
            ("auditedCheckpoint", verdict.checkpoint.map(String.init) ?? "null"),
            ("verdictAgeP99Ms", String(Int((verdictAgeP99 * 1000).rounded()))),
            ("heldForAuditSeconds", String(Double(Int(heldForAuditSeconds * 1000)) / 1000)),
            ("latencyP50Ms", String(Double(snapshot.runLatencyP50 / 1000) / 1000)),
            ("latencyP99Ms", String(Double(snapshot.runLatencyP99 / 1000) / 1000)),
            ("seconds", String(Double(Int(seconds * 1000)) / 1000)),
        ]
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }
}

/// A command that ran but failed (exit 1), with a message.
struct RuntimeFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

func sleepSeconds(_ s: Double) {
    var ts = timespec(tv_sec: Int(s), tv_nsec: Int((s - Double(Int(s))) * 1e9))
    nanosleep(&ts, nil)
}
