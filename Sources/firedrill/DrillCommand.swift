import ArgumentParser
import Drills
import Engine
#if canImport(Glibc)
import Glibc
#endif

/// `firedrill drill NAME|PATH`: a scripted fault schedule, run headless, with a verdict.
struct DrillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Run a drill headless (a built-in name or a .toml file) and print its timeline and verdict; exit 0 only when every expectation holds.",
        discussion: "firedrill drill --list shows the built-in drills; --show NAME prints one as a file to copy. firedrill --drill NAME plays one live in the dashboard."
    )

    @Argument(help: "A built-in drill name or a path to a drill file (.toml).")
    var drill: String?

    @Flag(help: "List the built-in drills, one line each.")
    var list = false

    @Option(help: "Print a drill's file (from your drill folder, or a built-in one).")
    var show: String?

    @Flag(help: "Run every drill: those in your drill folder (~/.config/firedrill/drills), then the built-ins.")
    var all = false

    @Flag(help: "Run on the simulated runtime (deterministic, faster than real time).")
    var simulated = false

    @Option(help: "Seed: of the source on the threaded runtime, of the scheduler on the simulated one (default: the drill's).")
    var seed: UInt64?

    @Option(help: "Write the JSON report here.")
    var report: String?

    @Option(help: "Write JUnit XML here (one testcase per expectation).")
    var junit: String?

    @Option(help: "Write a Markdown report here (hypothesis, job, timeline, receipts, expectations; with --all, every drill in one file).")
    var markdown: String?

    @Option(help: "Record events and snapshots over time as JSON Lines here.")
    var record: String?

    @Option(help: "Data directory for the threaded run (must be new or empty; default: a temporary one, removed afterwards).")
    var data: String?

    @Option(name: .customLong("lab-dir"), help: "Flink drills: the lab to run on (started for the drill and stopped after it when none runs there).")
    var labDir = FlinkCommand.defaultDirectory

    @Flag(help: "With --all: the Flink drills too (they need Java 17 and a lab, started when none runs).")
    var flink = false

    func validate() throws {
        let modes = [list, show != nil, all, drill != nil].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give one of: a drill NAME or PATH, --all, --list, --show NAME") }
        if all && (record != nil || data != nil) { throw ValidationError("--record and --data take a single drill, not --all") }
    }

    func run() throws {
        if list {
            var broken = false
            for entry in DrillLibrary.entries() {
                switch entry.drill {
                case let .success(d): print("\(entry.name.padding(24))\(d.description)  [\(entry.origin)]")
                case let .failure(e):
                    broken = true
                    print("\(entry.name.padding(24))ERROR \(e.description)")
                }
            }
            if let dir = DrillLibrary.userDirectory { print("\nyour drills: \(dir)/NAME.toml (a name there hides a built-in one)") }
            if broken { throw ExitCode(1) }
            return
        }
        if let name = show {
            if let dir = DrillLibrary.userDirectory, access(dir + "/" + name + ".toml", R_OK) == 0 {
                guard let text = TextFile.read(dir + "/" + name + ".toml") else { throw ValidationError("\(dir)/\(name).toml: cannot read it") }
                print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
                return
            }
            guard let entry = BuiltInDrills.all.first(where: { $0.name == name }) else {
                throw ValidationError("no built-in drill called '\(name)'; built in: \(BuiltInDrills.all.map(\.name).joined(separator: ", "))")
            }
            print(entry.text)
            return
        }
        var drills: [Drill] = []
        do throws(FileError) {
            if all {
                // Every drill known by name: the user's folder, then the built-ins.
                for entry in DrillLibrary.entries() { drills.append(try entry.drill.get()) }
                let onFlink = drills.filter { $0.flink != nil }.count
                if !flink && onFlink > 0 {
                    drills.removeAll { $0.flink != nil }
                    Console.line("(\(onFlink) Flink drill\(onFlink == 1 ? "" : "s") left out: --flink runs them on a Flink lab)")
                }
            } else if let drill {
                drills.append(try DrillLibrary.load(drill))
            }
        } catch {
            throw ValidationError(error.description)
        }
        if let data, !Self.isNewOrEmpty(data) {
            throw ValidationError("--data \(data): a drill starts from nothing; give a new or empty directory")
        }
        SignalStop.install()
        var results: [DrillResult] = []
        for var d in drills {
            if let target = d.flink {
                if simulated { throw ValidationError("drill \(d.name) runs on Flink: --simulated applies to the embedded engine's drills only") }
                if record != nil || data != nil { throw ValidationError("drill \(d.name) runs on Flink: --record and --data apply to the embedded engine's drills") }
                Console.line("drill \(d.name) (flink, \(DurationText.format(d.duration))): \(d.description)")
                var runner = DrillRunner(drill: d)
                runner.onProgress = { Console.line($0) }
                runner.isCancelled = { SignalStop.requested }
                let result: DrillResult
                do { result = try FlinkDrill(drill: d, target: target, labDirectory: labDir, progress: { Console.line($0) }).run(runner) } catch {
                    throw RuntimeFailure(error.description)
                }
                Console.line(DrillReport.text(result))
                Console.line("")
                results.append(result)
                if SignalStop.requested { break }
                continue
            }
            if let seed, !simulated { d.job.seed = seed }
            Console.line("drill \(d.name) (\(simulated ? "simulated" : "threaded"), \(DurationText.format(d.duration))): \(d.description)")
            var runner = DrillRunner(drill: d)
            runner.onProgress = { Console.line($0) }
            runner.isCancelled = { SignalStop.requested }
            var recording: DrillRecord?
            if let path = record {
                let config = simulated ? DrillTarget.simulatedConfig(d.job.config) : d.job.config
                let header = RecordHeader(config: config, replicas: d.job.replicas, runtime: simulated ? "simulated" : "threaded",
                                          title: simulated ? "payments (simulated, seed \(seed ?? d.job.seed))" : "payments", drill: d.name)
                do { recording = try DrillRecord(path: path, header: header) } catch { throw ValidationError(error.description) }
            }
            runner.record = recording
            let target: DrillTarget
            let dir = data ?? "/tmp/firedrill-drill-\(d.name)-\(getpid())"
            do {
                if simulated {
                    target = try DrillTarget.simulated(d, seed: seed ?? d.job.seed)
                } else {
                    target = try DrillTarget.threaded(d, dataDirectory: dir)
                }
            } catch {
                throw RuntimeFailure("drill \(d.name): cannot start the engine: \(error)")
            }
            let result = runner.run(on: target)
            if !simulated && data == nil { FileDisk(root: dir).removeTreeQuietly() }
            do { try recording?.close() } catch { throw RuntimeFailure(error.description) }
            Console.line(DrillReport.text(result))
            Console.line("")
            results.append(result)
            if SignalStop.requested { break }
        }
        do {
            if let report {
                let text = results.count == 1 ? DrillReport.json(results[0]) : JSON.array(results.map(DrillReport.json))
                try AtomicFile.write(report, text + "\n")
            }
            if let junit { try AtomicFile.write(junit, DrillReport.junit(results)) }
            if let markdown { try AtomicFile.write(markdown, DrillReport.markdown(results)) }
        } catch { throw RuntimeFailure(error.description) }
        if results.count > 1 {
            let passed = results.filter(\.passed).count
            print("drills: \(passed) passed, \(results.count - passed) failed")
        }
        if !results.allSatisfy(\.passed) || SignalStop.requested { throw ExitCode(1) }
    }

    static func isNewOrEmpty(_ path: String) -> Bool {
        guard let dir = opendir(path) else { return access(path, F_OK) != 0 }
        defer { closedir(dir) }
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { return false }
        }
        return true
    }
}
