import ArgumentParser
import Engine
import Flink
import Foundation

extension FlinkCommand {
    /// `firedrill flink rollback`: what Flink will not do by itself — go back to an older
    /// checkpoint when the newest is beyond repair.
    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a Flink job and submit it again from an older retained checkpoint (the newest the guard verifies intact, or --to chk-N).",
            discussion: """
                The job is canceled (after a savepoint when it runs: canceling keeps the retained checkpoints, a stop with a \
                savepoint would discard them) and submitted again with execution.state-recovery.path at the checkpoint: the \
                lab's payments job by itself, any other job by --submit-command 'CMD … {checkpoint}'. Output committed after \
                that checkpoint is written again by the restored job: a sink without idempotent writes duplicates it, and the \
                audit says so.
                """
        )
        @Option(help: "Flink's REST URL (default: the lab's).")
        var url: String?
        @Option(help: "The job (default: the lab's job).")
        var job: String?
        @Option(help: "The checkpoint to go back to: chk-N (or N).")
        var to: String?
        @Flag(name: .customLong("newest-intact"), help: "The newest retained checkpoint the guard verifies intact (the default).")
        var newestIntact = false
        @Option(name: .customLong("checkpoint-dir"), help: "The job's checkpoint directory (default: the lab's, else found from the job's checkpoints).")
        var checkpointDir: String?
        @Option(name: .customLong("submit-command"), help: "For a job that is not the lab's: the command that submits it, {checkpoint} replaced by the checkpoint's path, e.g. 'flink run -s {checkpoint} job.jar'.")
        var submitCommand: String?
        @Option(name: .customLong("command-timeout"), help: "How long --submit-command may run.")
        var commandTimeout = "60s"
        @Option(name: .customLong("dir"), help: "The lab's directory.")
        var dir = FlinkCommand.defaultDirectory

        func run() throws {
            let target: FlinkRollback.Target
            do { target = try FlinkRollback.Target(to: to, newestIntact: newestIntact) } catch { throw ValidationError(error.description) }
            guard let timeout = DurationText.parse(commandTimeout), timeout > 0 else {
                throw ValidationError("--command-timeout must be a duration like 60s; got '\(commandTimeout)'")
            }
            var template: CommandTemplate?
            if let text = submitCommand {
                do { template = try CommandTemplate(text, placeholder: "{checkpoint}") } catch { throw ValidationError(error.description) }
                guard template?.program != nil else { throw ValidationError("--submit-command: '\(template?.words.first ?? "")' is not found on PATH") }
            }
            let lab: LabState?
            do { lab = try LabState.load(FlinkLab(directory: dir).directory) } catch { throw ValidationError(error.description) }
            let client: FlinkClient
            do { client = try FlinkClient(url: url ?? lab?.url ?? "http://127.0.0.1:8081") } catch { throw ValidationError(error.description) }
            let useLab = lab.flatMap { $0.url == client.base ? $0 : nil } ?? ((try? LabDiscovery.lab(client: client)) ?? nil)
            guard let jid = job ?? useLab?.jobId else { throw ValidationError("--job ID: no lab job to roll back at \(client.base)") }
            let submitter: FlinkRollback.Submitter
            if let template {
                submitter = .command(template, timeout: timeout)
            } else if let useLab, useLab.jobId == jid {
                submitter = .lab(useLab)
            } else {
                throw ValidationError("job \(jid) is not the lab's: give --submit-command 'CMD … {checkpoint}' to submit it again")
            }
            let found = LabDiscovery.checkpointRoot(client: client, job: jid)
            let rootText = checkpointDir ?? useLab?.checkpoints ?? found
            guard let rootText else { throw ValidationError("--checkpoint-dir: the job's checkpoint directory is not known (no local checkpoint to find it from)") }
            let root: String
            do { root = try AuditSpec.localPath(rootText, flag: "--checkpoint-dir") } catch { throw ValidationError(error.description) }
            let rollback = FlinkRollback(client: client, job: jid, checkpointRoot: root)
            // Checked before anything is stopped (and chosen again once the job has stopped).
            do { _ = try rollback.choose(target) } catch { throw ValidationError(error.description) }
            let start = Date()
            // The lab's output files of the jobs before, to rewind after the restore.
            let oldPrefixes = Set((useLab.map { OutputRewind(output: $0.output).files() } ?? []).map(OutputRewind.prefix))
            let say = { (line: String) in print(String(format: "[%5.1fs] ", Date().timeIntervalSince(start)) + line); fflush(nil) }
            do throws(FlinkError) {
                let o = try rollback.run(to: target, submitter: submitter, progress: say)
                say("job \(o.oldJob) (\(o.oldState)) \(o.stopped); job \(o.newJob) RUNNING with every subtask \(String(format: "%.1f", o.secondsToRunning)) s after the rollback began, "
                    + "restored from checkpoint \(o.restored.map(String.init) ?? "? (Flink does not say)")\(o.restored == o.checkpoint ? "" : " — not chk-\(o.checkpoint) as asked")")
                if case let .lab(l) = submitter {
                    try audit(l, newJob: o.newJob, client: client, oldPrefixes: oldPrefixes, since: start.timeIntervalSince1970, say: say)
                }
            } catch {
                var err = StandardError()
                print("firedrill flink rollback: \(error.description)", to: &err)
                throw ExitCode(1)
            }
        }

        /// After the new job's first checkpoint, the lab's output as the auditor judges it.
        func audit(_ lab: LabState, newJob: String, client: FlinkClient, oldPrefixes: Set<String>, since: Double, say: (String) -> Void) throws(FlinkError) {
            let end = Date().addingTimeInterval(60)
            let rewind = OutputRewind(output: lab.output)
            while ((try? client.checkpoints(job: newJob))?.counts.completed ?? 0) < 2 && Date() < end { usleep(200_000) }
            // The old job's rows past the checkpoint are written again by the new one: aside.
            let r = try rewind.run(oldPrefixes: oldPrefixes, since: since)
            if let first = r.firstNewId {
                say("output rewound to the checkpoint: the restored job began at transfer \(first / 1); \(r.rowsMoved) rows the old job committed after it moved from \(r.filesChanged) files to \(rewind.aside)")
            } else {
                say("output not rewound: the restored job has committed nothing yet")
            }
            let a = LedgerAuditor(directory: lab.output, ledger: PaymentsLedger(accounts: lab.accounts))
            a.refresh(final: false)
            let v = a.verdict
            say("audit: \(v.exact ? "EXACT" : "NOT EXACT") over \(v.transfers) transfers: \(v.lost) lost, \(v.duplicated) duplicated, \(v.wrong) wrong\(v.firstProblem.map { "; first: \($0)" } ?? "")")
        }
    }
}
