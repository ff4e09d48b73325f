#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Dashboard
import Drills
import Engine
import Synchronization
import Terminal

/// `firedrill` / `firedrill dashboard`: the payments job with the live ncurses dashboard.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the live dashboard on the payments job (the default command).",
        discussion: KeyTable.summary
    )

    @OptionGroup var job: JobOptions

    @Option(help: "Standby copies of each node's checkpointed state kept on other nodes.")
    var replicas: Int = 1

    @OptionGroup var screen: ScreenOptions

    @Option(help: "Play a drill live (a built-in name or a .toml file): its job, its steps with captions, its verdict. p pauses the schedule.")
    var drill: String?

    @Option(help: "Record the session's events and snapshots as JSON Lines to this file.")
    var record: String?

    @Flag(help: "Run on the simulated runtime: the same control plane on a scheduler seeded by --seed, virtual time at the wall clock's pace, a memory disk (rate capped at 50k/s, up to 1000 accounts); nothing is written to disk.")
    var simulated = false

    @Flag(name: .customLong("read-only"), help: "Every fault key and destructive command refused (the footer says so); a drill still plays. For audiences and shared screens.")
    var readOnly = false

    @Flag(help: "Presenter mode: large captions for drill steps, '.' and space pause and resume, '[' and ']' slow down and speed up the simulated runtime.")
    var presenter = false

    @Option(name: .customLong("save-drill"), help: "On quit, write the session's faults and commands as a drill file here (with draft expectations from what was measured).")
    var saveDrill: String?

    @Option(help: "Record the session as an asciicast v2 file (asciinema play FILE), with chapter marks at faults, drill steps, proofs and verdicts.")
    var cast: String?

    @Option(help: "With --simulated: virtual seconds per real second, 0.1 to 10 ('[' and ']' change it live).")
    var speed: Double?

    func run() throws {
        if let s = speed {
            guard simulated else { throw ValidationError("--speed needs --simulated: the threaded engine runs in real time") }
            guard PacedSimulation.speeds.contains(s) else { throw ValidationError("--speed \(s) is outside 0.1–10 (virtual seconds per real second)") }
        }
        let refreshMillis = try screen.refreshMillis()
        var config = try job.config()
        var replicas = self.replicas
        var drillToPlay: Drill?
        if let name = drill {
            do { drillToPlay = try DrillLibrary.load(name) } catch { throw ValidationError(error.description) }
            if drillToPlay?.flink != nil {
                throw ValidationError("drill \(name) runs on Flink: firedrill attach flink --drill \(name) (on the lab: firedrill flink up first)")
            }
            // The drill's own job replaces the job flags.
            config = drillToPlay?.job.config ?? config
            replicas = drillToPlay?.job.replicas ?? replicas
        }
        let (themes, startMessage) = try Self.themes(first: screen.theme)
        guard TerminalCheck.isInteractive else {
            var err = StandardError()
            print("firedrill: the dashboard needs a terminal it can draw on (\(TerminalCheck.refusal ?? "")); without one use 'firedrill run --headless --duration 10s' (or 'firedrill drill NAME')", to: &err)
            throw ExitCode(2)
        }
        // A live drill starts from nothing: a temporary directory, or a --data that is new or empty.
        let ownDirectory = drillToPlay != nil && job.data == JobOptions.defaultData
        let data = ownDirectory ? "/tmp/firedrill-live-\(drillToPlay?.name ?? "")-\(getpid())" : job.data
        if !simulated, drillToPlay != nil, !ownDirectory, !DrillCommand.isNewOrEmpty(data) {
            throw ValidationError("--data \(data): a drill starts from nothing; give a new or empty directory")
        }
        if simulated { config = DrillTarget.simulatedConfig(config) }
        let threaded = simulated ? nil : try Self.openEngine(config: config, data: data, replicas: replicas)
        let engine: any EngineRuntime & Sendable
        if let threaded { engine = threaded } else {
            do { engine = try PacedSimulation(config: config, seed: job.seed, replicas: replicas, speed: speed ?? 1) } catch { throw RuntimeFailure("\(error)") }
        }
        let jobName = simulated ? "payments (simulated, seed \(job.seed))" : "payments"
        var recording: DrillRecord?
        if let record {
            let header = RecordHeader(config: config, replicas: replicas, runtime: simulated ? "simulated" : "threaded", title: jobName, drill: drillToPlay?.name)
            do { recording = try DrillRecord(path: record, header: header) } catch { throw ValidationError(error.description) }
        }
        var recorder: CastRecorder?
        if let cast {
            let title = "firedrill \(simulated ? "(simulated, seed \(job.seed))" : "dashboard")\(drillToPlay.map { " · drill \($0.name)" } ?? "")"
            do { recorder = try CastRecorder(path: cast, title: title) } catch { throw ValidationError(error.description) }
        }
        let auditedAtStart = engine.snapshot().audit.committedTransfers
        threaded?.start()
        (engine as? PacedSimulation)?.start()
        // A player only when there is a drill to play or a session to record.
        let player = drillToPlay == nil && recording == nil ? nil : DrillPlayer(engine: engine, drill: drillToPlay, record: recording)
        player?.start()
        let jobFacts = ViewModel.Job(
            name: jobName, nodes: config.nodes, dataShards: config.dataShards, parityShards: config.parityShards,
            replicas: replicas, queueCapacity: config.channelCapacity * config.nodes, expectedMoney: config.totalMoney, accounts: config.accounts)
        let source: LiveSource = player.map(DrillSource.init) ?? EngineSource(engine)
        var options = DashboardApp.Options(
            refreshMillis: refreshMillis, themes: themes, noColor: screen.colorless, job: jobFacts, startMessage: startMessage)
        options.readOnly = readOnly
        options.presenter = presenter
        options.config = config
        options.replicas = replicas
        options.mouse = !screen.noMouse
        if readOnly && startMessage == nil { options.startMessage = ("read-only session: fault keys and destructive commands are off", false) }
        let app = DashboardApp(source: source, options: options, cast: recorder)
        // What the shutdown found, written by the thread that runs it.
        let outcome = Mutex<(verdict: AuditVerdict?, recordError: FileError?)>((nil, nil))
        let shutDown: @Sendable () -> Void = {
            var recordError: FileError?
            if let player { do throws(FileError) { try player.stop() } catch { recordError = error } }
            let verdict = threaded?.stop(finalCheckpoint: true, timeoutSeconds: 10, auditTimeoutSeconds: 60) ?? engine.finish()
            // A drill's final audit against an independent recount, as headless (before the
            // sink's directory goes).
            player?.judgeTruth(finalVerdict: verdict)
            if ownDirectory && threaded != nil { FileDisk(root: data).removeTreeQuietly() }
            outcome.withLock { $0 = (verdict, recordError) }
        }
        do {
            _ = try app.run(onQuit: shutDown)
        } catch {
            shutDown()
            throw RuntimeFailure("cannot open the dashboard: \(error.description)")
        }
        var saveError: String?
        if let path = saveDrill {
            let base = path.split(separator: "/").last.map(String.init) ?? path
            let name = String(base.hasSuffix(".toml") ? base.dropLast(5) : Substring(base))
            let safe = SessionDrill.isValidName(name) ? name : "saved-session"
            if app.session.isEmpty {
                saveError = "--save-drill \(path): nothing to save, no fault or command in this session"
            } else {
                let text = SessionDrill.text(name: safe, config: config, replicas: replicas, steps: app.session, snapshot: engine.snapshot(), runtime: simulated ? "simulated" : "threaded")
                do throws(FileError) { try AtomicFile.write(path, text) } catch { saveError = error.description }
                if saveError == nil { print("saved the session as drill \(safe): \(path) (\(app.session.count) steps); run it: firedrill drill \(path)") }
            }
        }
        var castError: String?
        do throws(CastRecorder.CastError) { try recorder?.finish() } catch { castError = error.description }
        let (verdict, recordError) = outcome.withLock { $0 }
        // The drill's verdict as it ended, and the recount's once the session stopped.
        let result = player?.result
        let final = verdict ?? engine.snapshot().audit
        let snapshot = engine.snapshot()
        var summary = Summary(snapshot: snapshot, verdict: final, seconds: snapshot.uptime)
        summary.title = simulated ? "firedrill dashboard (simulated, seed \(job.seed))" : "firedrill dashboard"
        summary.transfersPerSecond = snapshot.uptime > 0 ? Double(snapshot.produced) / snapshot.uptime : 0
        summary.auditedTransfersPerSecond = snapshot.uptime > 0 ? Double(final.committedTransfers - auditedAtStart) / snapshot.uptime : 0
        summary.verdictAgeP99 = snapshot.verdictAgeP99
        summary.heldForAuditSeconds = snapshot.heldForAuditSeconds
        summary.proofScope = "over the session, the final audit included"
        print(summary.text())
        if let r = result { print(DrillReport.text(r)) } else if let d = drillToPlay {
            print("drill \(d.name): stopped before its end (\(DurationText.format(d.duration))); no verdict")
        }
        if let e = recordError { throw RuntimeFailure(e.description) }
        if let e = castError { throw RuntimeFailure(e) }
        if let e = saveError { throw RuntimeFailure(e) }
        // A drill's verdict is the session's, as headless (`sink-shuffle` passes with the rows
        // it damaged still wrong: the drill asks for the auditor's mismatch, not an exact end).
        if drillToPlay != nil {
            guard let r = result, r.passed else { throw ExitCode(1) }  // failed, or quit before its verdict
            return
        }
        if !(final.exact && final.moneyConserved) { throw ExitCode(1) }
    }

    /// `NO_COLOR` set to anything non-empty (no-color.org).
    static var noColorEnvironment: Bool {
        guard let v = getenv("NO_COLOR") else { return false }
        return v.pointee != 0
    }

    /// The chosen theme first, then the others shipped; a broken chosen theme falls back
    /// to the default with its error shown.
    static func themes(first name: String) throws -> ([Theme], (text: String, isError: Bool)?) {
        let library = ThemeLibrary.standard()
        var message: (String, Bool)?
        var themes: [Theme] = []
        do {
            let loaded = try library.load(name)
            themes.append(loaded.theme)
            if let w = loaded.warnings.first { message = ("theme warning: \(w)\(loaded.warnings.count > 1 ? " (+\(loaded.warnings.count - 1) more)" : "")", false) }
        } catch {
            if error.line == 0 && !name.contains("/") && !name.hasSuffix(".toml") {
                // An unknown name is a usage error: list what there is.
                throw ValidationError("--theme: \(error.message)")
            }
            var err = StandardError()
            print("firedrill: \(error.description); using the default theme", to: &err)
            message = ("\(error.description); using the default theme", true)
            themes.append(.builtIn)
        }
        for other in library.names() where other != themes[0].name {
            if let t = try? library.load(other).theme { themes.append(t) }
        }
        return (themes, message)
    }

    static func openEngine(config: JobConfig, data: String, replicas: Int) throws -> ThreadedEngine {
        do { return try ThreadedEngine(config: config, dataDirectory: data, replicas: replicas) } catch {
            if case let .config(e) = error { throw ValidationError(e.description) }
            throw RuntimeFailure("\(error)")
        }
    }
}

/// `firedrill themes`: the themes there are.
struct ThemesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "themes", abstract: "List the colour themes (use one with --theme NAME).")

    func run() throws {
        let library = ThemeLibrary.standard()
        let names = library.names()
        if names.isEmpty {
            print("default  (built in; no themes/ directory found)")
            return
        }
        var failed = false
        for name in names {
            do {
                let loaded = try library.load(name)
                let path = library.path(of: name) ?? ""
                print("\(name.padding(18))\(path)\(loaded.warnings.isEmpty ? "" : "  (\(loaded.warnings.count) warning\(loaded.warnings.count == 1 ? "" : "s"))")")
            } catch {
                failed = true
                print("\(name.padding(18))ERROR \(error.description)")
            }
        }
        if failed { throw ExitCode(1) }
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
