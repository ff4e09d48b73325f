import ArgumentParser
import Dashboard
import Drills
import Engine
import Flink
import Foundation
import Terminal

/// `firedrill attach flink [URL]`: the dashboard (or a headless summary) on a running Flink job.
struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Attach to a cluster firedrill does not run: the same dashboard, faults and audit over a real Apache Flink job.",
        subcommands: [Flink.self]
    )

    struct Flink: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "flink",
            abstract: "Open the dashboard on a running Flink job (nodes = TaskManagers), or print a summary with --headless.",
            discussion: """
                Keys: K kill (SIGKILL) the selected TaskManager, P hang it (SIGSTOP), H heal (SIGCONT; in the lab, a \
                replacement for a lost one), c checkpoint, D corrupt the newest checkpoint, : command line (kill tm 1, \
                hang tm-0, kill tm busiest, heal all, restart tm 0, savepoint, corrupt checkpoint latest [FILE]). K, P and D ask \
                first, naming the TaskManager's host and every job with a subtask on it. With a lab running (firedrill flink up) \
                the job, its checkpoints and its output are found by themselves. REST load (shown in the header): the job and \
                the TaskManagers every half --poll; checkpoints, exceptions and metrics every --poll; where subtasks run and \
                each TaskManager's metrics every max(5 s, 5 polls) or when the job changes.
                """
        )

        @Argument(help: "Flink's REST URL.")
        var url: String?
        @Option(help: "The job id (default: the lab's job, else the only running one).")
        var job: String?
        @Option(name: .customLong("checkpoint-dir"), help: "The job's checkpoint directory (execution.checkpointing.dir), for 'corrupt checkpoint'.")
        var checkpointDir: String?
        @Option(help: "The payments job's output directory: the auditor proves it (the lab's is found by itself).")
        var output: String?
        @Option(name: .customLong("lab-dir"), help: "The lab's directory.")
        var labDir = FlinkCommand.defaultDirectory
        @Option(name: .customLong("kill-command"), help: "For remote clusters: the command that kills a TaskManager, {id} replaced by its id as one argument (never through a shell), e.g. 'kubectl delete pod {id} --grace-period=0 --force'.")
        var killCommand: String?
        @Option(help: "Judge any job whose output is files: 'dir=PATH,format=csv|json,id=COL[,key=COL,value=COL,sum=COL]' (COL a name or a 1-based CSV position): gaps, duplicates and out-of-order ids per key, and running sums.")
        var audit: String?
        @Option(name: .customLong("audit-command"), help: "Judge any job with a command that prints one JSON object {audited, lost, duplicated, wrong[, message]}; {output} is replaced by --output. Run in the background with --command-timeout.")
        var auditCommand: String?
        @Option(name: .customLong("hang-command"), help: "For remote clusters: the command that hangs a TaskManager ({id} as one argument), e.g. 'ssh {id} pkill -STOP -f TaskManagerRunner'.")
        var hangCommand: String?
        @Option(name: .customLong("heal-command"), help: "For remote clusters: the command that resumes a hung TaskManager ({id} as one argument).")
        var healCommand: String?
        @Option(name: .customLong("command-timeout"), help: "How long a kill, hang or heal command may run before it is killed (it runs in the background; its output and exit are logged).")
        var commandTimeout = "10s"
        @Flag(name: .customLong("read-only"), help: "Watch only: every fault key and command is refused.")
        var readOnly = false
        @Option(help: "How often to look at checkpoints, metrics and the audit (the job and TaskManagers twice as often), e.g. 1s or 5s.")
        var poll = "1s"
        @Option(name: .customLong("header"), help: "An HTTP header for every REST request (repeatable), e.g. 'Authorization: Bearer TOKEN'.")
        var headers: [String] = []
        @Option(help: "For https: a PEM file of the certificate authorities to trust.")
        var cacert: String?
        @Flag(help: "For https: do not check the cluster's certificate (test clusters only).")
        var insecure = false
        @Option(help: "Play a drill on Flink live (flink-tm-kill, flink-tm-hang, flink-checkpoint-rot, or a file with [target] kind = \"flink\"): its steps with captions, its verdict at the end.")
        var drill: String?
        @Flag(name: .customLong("guard"), help: "Also guard the job's checkpoints (firedrill guard flink): CRC32C and parity in DIR.guard, a scrubber, repair before restore; its events in the log.")
        var guardCheckpoints = false
        @Flag(help: "No dashboard: watch for --duration, then print a summary.")
        var headless = false
        @Option(help: "With --headless: how long to watch (e.g. 30s).")
        var duration = "10s"
        @Option(name: .customLong("do"), help: "With --headless: at a time, a command (repeatable): --do '5s kill tm 0' --do '20s checkpoint'.")
        var steps: [String] = []
        @Flag(help: "With --headless: the summary as JSON.")
        var json = false
        @OptionGroup var screen: ScreenOptions

        func run() throws {
            var toPlay: Drill?
            if let name = drill {
                do { toPlay = try DrillLibrary.load(name) } catch { throw ValidationError(error.description) }
                guard toPlay?.flink != nil else { throw ValidationError("drill \(name) runs on the embedded engine: firedrill --drill \(name)") }
                if headless { throw ValidationError("--drill plays in the dashboard; headless, run it with: firedrill drill \(name)") }
            }
            let settings = try Settings(self)
            let labAbs = FlinkLab(directory: labDir).directory
            let lab: LabState?
            do { lab = try LabState.load(labAbs) } catch { throw ValidationError(error.description) }
            let target = url ?? lab?.url ?? "http://127.0.0.1:8081"
            let client: FlinkClient
            do { client = try FlinkClient(url: target, headers: settings.headers, tls: settings.tls) } catch { throw ValidationError(error.description) }
            // The lab at --lab-dir, else the one the JobManager's config points to (a lab
            // started with any --dir is found).
            var useLab = lab.flatMap { $0.url == client.base ? $0 : nil }
            if useLab == nil { useLab = (try? LabDiscovery.lab(client: client)) ?? nil }
            // Bad answers are errors before anything opens (exit 2); later the dashboard shows
            // an unreachable cluster and keeps trying.
            let resolved: FlinkModel.JobsOverview.Job
            do {
                _ = try client.overview()
                resolved = try client.resolveJob(job ?? useLab?.jobId)
            } catch { throw ValidationError(error.description) }
            var template: CommandTemplate?
            if let k = killCommand { do { template = try CommandTemplate(k) } catch { throw ValidationError(error.description) } }
            let out = output.map { FlinkLab(directory: $0).directory } ?? (useLab?.jobId == resolved.jid ? useLab?.output : nil)
            let observer = FlinkObserver(client: client, job: resolved.jid, lab: useLab, output: out, accounts: useLab?.accounts ?? PaymentsLedger().accounts,
                                         poll: settings.poll, audit: settings.judge)
            // Any job's checkpoint directory, from where its checkpoints are (external_path).
            let found = LabDiscovery.checkpointRoot(client: client, job: resolved.jid)
            let actions = FlinkActions(observer: observer, killTemplate: template, checkpointDir: checkpointDir ?? useLab?.checkpoints ?? found)
            settings.apply(to: actions, headless: headless)
            var guardian: CheckpointGuardian?
            // A drill that asks for the guard starts its own (`[target] guard = true`).
            if guardCheckpoints && toPlay?.flink?.guardCheckpoints != true {
                guard let dir = checkpointDir ?? useLab?.checkpoints ?? found else {
                    throw ValidationError("--guard needs --checkpoint-dir (the job's execution.checkpointing.dir): the job has no local checkpoint yet to find it from")
                }
                let root = dir.hasPrefix("file:") ? String(dir.dropFirst(5)) : dir
                let g = CheckpointGuardian(checkpointRoot: root, parityRoot: root + ".guard", client: client, job: resolved.jid)
                g.onEvent = { [observer] _, e in if !e.isRoutine { observer.record(EngineEvent(time: observer.now, kind: e.engineKind, message: "guard: " + e.text)) } }
                g.start()
                guardian = g
            }
            defer { guardian?.stop() }
            if headless {
                try runHeadless(observer, actions)
                return
            }
            guard TerminalCheck.isInteractive else {
                var err = StandardError()
                print("firedrill: attach needs a terminal (\(TerminalCheck.refusal ?? "")); without one use 'firedrill attach flink --headless --duration 30s [--json]'", to: &err)
                throw ExitCode(2)
            }
            let refreshMillis = try screen.refreshMillis()
            let (themes, startMessage) = try DashboardCommand.themes(first: screen.theme)
            observer.start()
            defer { observer.stop() }
            let tms = max(1, (try? client.taskManagers().count) ?? 1)
            let job = ViewModel.Job(name: "\(resolved.name) on Flink", nodes: tms, dataShards: 0, parityShards: 0, replicas: 0,
                                    queueCapacity: 1, expectedMoney: 0, accounts: useLab?.accounts ?? 0)
            var options = DashboardApp.Options(refreshMillis: refreshMillis, themes: themes, noColor: screen.colorless, job: job, startMessage: startMessage)
            options.mouse = !screen.noMouse
            options.readOnly = readOnly
            if startMessage == nil { options.startMessage = ("attached to \(resolved.name) at \(client.base): K kills the selected TaskManager, P hangs it, H heals, c checkpoints", false) }
            var player: DrillPlayer?
            let source: any LiveSource
            var session: FlinkDrillSession?
            defer { session?.close() }
            if let d = toPlay {
                // The same preparation and judge as headless: a job not RUNNING or starved is
                // refused before the first step, the guard runs when the drill asks for it.
                Console.line("drill \(d.name): waiting for the job to be steady (every subtask running, a checkpoint done)")
                let s: FlinkDrillSession
                do {
                    s = try FlinkDrillSession(drill: d, client: client, job: resolved.jid, taskManagers: useLab?.taskManagers.map(\.id) ?? [],
                                              observer: observer, actions: actions, checkpointDir: checkpointDir ?? useLab?.checkpoints ?? found,
                                              progress: { Console.line($0) })
                } catch { throw RuntimeFailure(error.description) }
                session = s
                let p = DrillPlayer(engine: s.runtime, drill: d, record: nil, judge: { s.judge(&$0, live: true) })
                p.start()
                player = p
                source = DrillSource(p)
                options.startMessage = ("drill \(d.name) on \(resolved.name): \(d.description)", false)
            } else {
                source = FlinkSource(observer: observer, actions: actions)
            }
            let app = DashboardApp(source: source, options: options, cast: nil)
            do { _ = try app.run(onQuit: {}) } catch {
                try? player?.stop()
                throw RuntimeFailure("cannot open the dashboard: \(error.description)")
            }
            try? player?.stop()
            if let r = player?.result {
                print(DrillReport.text(r))
                if !r.passed { throw ExitCode(1) }
            } else if let d = toPlay {
                print("drill \(d.name): stopped before its end (\(DurationText.format(d.duration))); no verdict")
                throw ExitCode(1)
            }
        }

        func runHeadless(_ observer: FlinkObserver, _ actions: FlinkActions) throws {
            guard let total = DurationText.parse(duration), total > 0, total <= 86_400 else {
                throw ValidationError("--duration must be a duration like 30s or 2m; got '\(duration)'")
            }
            // The --do steps are an unnamed drill, played by the one schedule player.
            var plan: [Drill.Step] = []
            for (n, s) in steps.enumerated() {
                let words = s.split(separator: " ", maxSplits: 1)
                guard words.count == 2, let at = DurationText.parse(String(words[0])), at >= 0 else {
                    throw ValidationError("--do '\(s)': expected 'TIME COMMAND' like '5s kill tm 0'")
                }
                guard at <= total else { throw ValidationError("--do '\(s)': \(DurationText.format(at)) is after the end (--duration \(duration))") }
                let names = Array(Set(((try? observer.client.taskManagers().map(\.id)) ?? []) + (observer.lab?.taskManagers.map(\.id) ?? []))).sorted()
                do { plan.append(Drill.Step(at: at, command: try Command.parse(String(words[1]), nodes: max(1, names.count), shards: 1, names: names), line: n + 1)) } catch {
                    throw ValidationError("--do '\(s)': \(error.description); on Flink: \(Command.flinkGrammar.joined(separator: ", "))")
                }
            }
            var expect = Expectations()
            expect.exactlyOnce = false
            expect.moneyConserved = false
            let drill = Drill(name: "attach --do", description: "the --do steps", duration: total, job: Drill.Job(),
                              steps: plan.sorted { $0.at < $1.at }, expect: expect, source: "--do")
            SignalStop.install()
            observer.start()
            observer.waitForFirstPoll(timeout: 15)
            // Step times count from the first answer; the job is left as the steps left it
            // (no heal, no settling: the summary is of the moment the time is up).
            let runtime = FlinkRuntime(observer: observer, actions: actions)
            runtime.settleSeconds = 0
            let target = DrillTarget(runtime)
            target.healsAtEnd = false
            var runner = DrillRunner(drill: drill)
            runner.isCancelled = { SignalStop.requested }
            if !json { runner.onProgress = { print($0) } }
            let result = runner.run(on: target)
            var err = StandardError()
            for e in result.measurements.stepErrors { print("firedrill: --do \(e)", to: &err) }
            let failed = !result.measurements.stepErrors.isEmpty
            let summary = FlinkSummary(observer.snapshot())
            print(json ? summary.json : summary.text)
            if failed { throw ExitCode(1) }
            if !summary.reachable { throw ExitCode(2) }
        }
    }
}
