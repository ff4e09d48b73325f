import ArgumentParser
import Dashboard
import Drills
import Engine
#if canImport(Glibc)
import Glibc
#endif

/// `firedrill bench replay`: how fast a long record opens and seeks.
struct BenchReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay of a long record: write one (a simulated drill with a fault a minute, recorded as --record does), then time opening it (read, check and index every line; ms) and seeking in it (move to a random moment, rebuild the cluster there and draw a 120x40 frame; ms)."
    )

    @Option(help: "Minutes the recorded drill runs (1-60).")
    var minutes: Int = 10

    @Option(help: "Random seeks timed (the median and p99 are reported).")
    var seeks: Int = 500

    @OptionGroup var options: BenchOptions

    @Option(help: "Scratch directory for the record (removed afterwards).")
    var scratch: String = "/tmp"

    /// A drill of `minutes` with a different fault every minute (healed where it lasts).
    static func drill(minutes: Int) throws -> Drill {
        let faults = ["kill 2", "corrupt shard latest 1", "hang 4", "wipe 3", "corrupt frame 1", "kill 5", "partition 0", "slow 3 5ms"]
        var text = "name = \"long-record\"\ndescription = \"a fault a minute\"\nduration = \"\(minutes)m\"\n\n[job]\nseed = 3\n"
        for m in 0..<minutes {
            let f = faults[m % faults.count]
            text += "\n[[step]]\nat = \"\(m * 60 + 30)s\"\ncommand = \"\(f)\"\n"
            if f.hasPrefix("hang") || f.hasPrefix("partition") || f.hasPrefix("slow") { text += "\n[[step]]\nat = \"\(m * 60 + 40)s\"\ncommand = \"heal all\"\n" }
        }
        return try DrillParser(file: "long-record.toml").parse(text)
    }

    func run() throws {
        guard (1...60).contains(minutes) else { throw ValidationError("--minutes must be between 1 and 60") }
        guard (10...100_000).contains(seeks) else { throw ValidationError("--seeks must be between 10 and 100000") }
        let path = scratch + "/firedrill-bench-replay-\(getpid()).jsonl"
        defer { unlink(path) }
        let drill = try Self.drill(minutes: minutes)
        let header = RecordHeader(config: DrillTarget.simulatedConfig(drill.job.config), replicas: drill.job.replicas, runtime: "simulated",
                                  title: "payments (simulated, seed 3)", drill: drill.name)
        let record = try DrillRecord(path: path, header: header)
        var runner = DrillRunner(drill: drill)
        runner.record = record
        let writeStart = Stopwatch.now()
        let result = runner.run(on: try DrillTarget.simulated(drill, seed: 3))
        try record.close()
        let writeSeconds = Stopwatch.now() - writeStart
        var st = stat()
        _ = stat(path, &st)
        var recording = try RecordReader.read(path)
        let open = try Stopwatch.measure(runs: options.runs) { recording = try RecordReader.read(path) }
        // Seeks: a random moment (seeded), the cluster rebuilt there, a frame drawn.
        let source = ReplaySource(recording)
        source.setPaused(true)
        let job = ViewModel.Job(name: header.title, nodes: header.nodes, dataShards: header.dataShards, parityShards: header.parityShards,
                                replicas: header.replicas, queueCapacity: header.queueCapacity, expectedMoney: header.expectedMoney, accounts: header.accounts)
        var state = DashboardState()
        state.replay = true
        state.readOnly = true
        var rng = SplitMix(seed: 42)
        var times: [Double] = []
        for _ in 0..<seeks {
            let t = recording.start + Double(rng.next() % 1_000_000) / 1_000_000 * (recording.end - recording.start)
            let t0 = Stopwatch.now()
            source.seek(to: t)
            var canvas = Canvas(width: 120, height: 40)
            DashboardView.render(ViewModel(snapshot: source.snapshot(), state: state, theme: .builtIn, job: job), into: &canvas)
            times.append(Stopwatch.now() - t0)
        }
        times.sort()
        let mb = Double(st.st_size) / 1e6
        BenchReport.print([
            BenchResult(name: "replay-open-\(minutes)min", value: open * 1000, unit: "ms",
                        detail: "median of \(options.runs): read, check and index \(BenchReport.format(mb, digits: 1)) MB, \(recording.frames.count) frames, \(recording.events.count) events, \(recording.receipts.count) receipt lines (written in \(BenchReport.format(writeSeconds, digits: 1)) s; drill \(result.passed ? "passed" : "FAILED"))"),
            BenchResult(name: "replay-seek", value: Stopwatch.median(times) * 1000, unit: "ms",
                        detail: "median of \(seeks) seeks to random moments: the cluster rebuilt there and a 120x40 frame drawn; p99 \(BenchReport.format(Stopwatch.p99(times) * 1000, digits: 3)) ms, worst \(BenchReport.format((times.last ?? 0) * 1000, digits: 3)) ms"),
        ], json: options.json)
    }
}
