import ArgumentParser
import Dashboard
import Engine
#if canImport(Glibc)
import Glibc
#endif

/// `firedrill bench dashboard`: what a frame costs, what the dashboard costs the engine.
struct BenchDashboard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Dashboard frame cost at 120x40 with receipts and fault bands on (ms: snapshot, compose, diff), its CPU at the default refresh (% of a core), how soon a receipt shows a kill and its proof (ms), engine throughput with it open (% of headless), and quit time after a minute at the default settings (ms)."
    )

    enum Part: String, CaseIterable { case frame, receipts, throughput, quit }

    @Option(help: "Measure only these parts, comma separated.")
    var only: BenchParts<Part> = .all

    @Option(help: "Seconds the default job runs, with frames drawn, before each quit is timed.")
    var quitAfter: Double = 60

    @Option(help: "How many quits to time (the median is reported).")
    var quitTrials: Int = 3

    @OptionGroup var options: BenchOptions

    @Option(help: "Seconds each throughput run measures (after a 1 s warm-up).")
    var seconds: Double = 3

    @Option(help: "Scratch directory for the benchmark's data directories (removed afterwards).")
    var scratch: String = "/tmp"

    func run() throws {
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be between 0 and 600") }
        guard quitAfter > 0, quitAfter <= 3600 else { throw ValidationError("--quit-after must be between 0 and 3600 seconds") }
        guard (1...21).contains(quitTrials) else { throw ValidationError("--quit-trials must be between 1 and 21") }
        var results: [BenchResult] = []
        if only.contains(.frame) {
            let (frame, frameP99, cpu) = try frameCost()
            results += [
                BenchResult(name: "frame-120x40", value: frame * 1000, unit: "ms", detail: "median of 2000 frames: snapshot, compose every panel, diff against the last frame; p99 \(BenchReport.format(frameP99 * 1000, digits: 3)) ms"),
                BenchResult(name: "dashboard-cpu", value: cpu, unit: "% of a core", detail: "the UI thread at the default 100 ms refresh, terminal output excluded"),
            ]
        }
        if only.contains(.receipts) {
            var first: [Double] = [], proof: [Double] = [], total: [Double] = []
            for _ in 0..<options.runs {
                let r = try receiptTiming()
                first.append(r.first)
                proof.append(r.proofLag)
                total.append(r.total)
            }
            results += [
                BenchResult(name: "receipt-first-line", value: Stopwatch.median(first) * 1000, unit: "ms",
                            detail: "K on a node at rate max to its receipt in a snapshot (the screen shows it at the next refresh, 100 ms); worst \(BenchReport.format((first.max() ?? 0) * 1000, digits: 3)) ms"),
                BenchResult(name: "receipt-proof-lag", value: Stopwatch.median(proof) * 1000, unit: "ms",
                            detail: "the audit that proves the kill's repair to the receipt's ✓ step, snapshots polled every 1 ms; worst \(BenchReport.format((proof.max() ?? 0) * 1000, digits: 3)) ms"),
                BenchResult(name: "kill-to-proof", value: Stopwatch.median(total) * 1000, unit: "ms",
                            detail: "K to the receipt's audited ✓: detection, restore, replay, the next checkpoint and its audit"),
            ]
        }
        if only.contains(.throughput) {
            // Alternate with and without the dashboard so drift hits both alike.
            var with: [Double] = [], without: [Double] = []
            for _ in 0..<options.runs {
                without.append(try throughput(dashboard: false))
                with.append(try throughput(dashboard: true))
            }
            let ratio = Stopwatch.median(with) / max(1, Stopwatch.median(without)) * 100
            results.append(BenchResult(name: "engine-with-dashboard", value: ratio, unit: "% of headless", detail: "unthrottled job, \(BenchReport.format(Stopwatch.median(with) / 1e6, digits: 1)) vs \(BenchReport.format(Stopwatch.median(without) / 1e6, digits: 1)) M transfers/s"))
        }
        if only.contains(.quit) {
            var times: [Double] = []
            for _ in 0..<quitTrials { times.append(try quitTime()) }
            results.append(BenchResult(name: "quit-after-\(Int(quitAfter))s", value: Stopwatch.median(times) * 1000, unit: "ms",
                                       detail: "default job (rate max), frames drawn every 100 ms; stop: sources paused, final checkpoint, commit, audit of the rest; slowest of \(quitTrials) \(BenchReport.format((times.max() ?? 0) * 1000, digits: 0)) ms"))
        }
        BenchReport.print(results, json: options.json)
    }

    /// Kills a node on the default job (rate max) and polls snapshots every millisecond:
    /// seconds from the kill to its receipt, from the proving audit to the receipt's proof
    /// step, and from the kill to that proof.
    private func receiptTiming() throws -> (first: Double, proofLag: Double, total: Double) {
        let c = JobConfig()
        let dir = scratchDir("receipts")
        defer { FileDisk(root: dir).removeTreeQuietly() }
        let engine = try open(c, dir)
        engine.start()
        defer { engine.stop(finalCheckpoint: false, timeoutSeconds: 1, auditTimeoutSeconds: 1) }
        sleepSeconds(2)
        let t0 = Stopwatch.now()
        do { try engine.apply(.kill(2)) } catch { throw BenchFailure("kill: \(error)") }
        var first: Double?, proofSeen: Double?, proofShown: Double?
        while Stopwatch.now() - t0 < 20 {
            let s = engine.snapshot()
            let now = Stopwatch.now() - t0
            if let r = s.receipts.last, r.fault == .kill(2) {
                if first == nil { first = now }
                if let p = r.awaitedProof, let audited = s.auditedCheckpoint, audited >= p, proofSeen == nil { proofSeen = now }
                if r.status == .proved {
                    proofShown = now
                    if proofSeen == nil { proofSeen = now }  // the audit and its step landed in one snapshot
                    break
                }
                if r.status == .disproved { throw BenchFailure("the audit after the kill was not exact: \(r.line)") }
            }
            sleepSeconds(0.001)
        }
        guard let first, let seen = proofSeen, let shown = proofShown else { throw BenchFailure("no proved receipt for the kill within 20 s") }
        return (first, shown - seen, shown)
    }

    /// Runs the default job with frames drawn as the dashboard draws them, then times what
    /// `q` waits for: the engine's stop with a final checkpoint and an exact audit.
    private func quitTime() throws -> Double {
        let c = JobConfig()
        let dir = scratchDir("quit")
        defer { FileDisk(root: dir).removeTreeQuietly() }
        let engine = try open(c, dir)
        engine.start()
        let maker = FrameMaker(engine: engine, job: Self.job(c))
        while engine.uptime < quitAfter {
            maker.frame()
            sleepSeconds(0.1)
        }
        let t = Stopwatch.now()
        let verdict = engine.stop(finalCheckpoint: true)
        let took = Stopwatch.now() - t
        guard verdict.exact, verdict.moneyConserved else { throw BenchFailure("the audit was not exact: \(verdict)") }
        return took
    }

    private func scratchDir(_ name: String) -> String {
        let dir = "\(scratch)/firedrill-bench-\(name)-\(getpid())"
        FileDisk(root: dir).removeTreeQuietly()
        return dir
    }

    private func open(_ c: JobConfig, _ dir: String) throws -> ThreadedEngine {
        do { return try ThreadedEngine(config: c, dataDirectory: dir) } catch { throw BenchFailure("\(error)") }
    }

    static func job(_ c: JobConfig) -> ViewModel.Job {
        ViewModel.Job(name: "payments", nodes: c.nodes, dataShards: c.dataShards, parityShards: c.parityShards, replicas: 1,
                      queueCapacity: c.channelCapacity * c.nodes, expectedMoney: c.totalMoney, accounts: c.accounts)
    }

    /// One frame as the dashboard makes it: a snapshot, every panel composed, the diff.
    final class FrameMaker {
        let engine: ThreadedEngine
        let job: ViewModel.Job
        var previous = Canvas(width: 120, height: 40)
        var state = DashboardState()
        var cellsChanged = 0

        init(engine: ThreadedEngine, job: ViewModel.Job) {
            self.engine = engine
            self.job = job
        }

        func frame() {
            var canvas = Canvas(width: 120, height: 40)
            let vm = ViewModel(snapshot: engine.snapshot(), state: state, theme: .builtIn, job: job)
            DashboardView.render(vm, into: &canvas)
            cellsChanged &+= canvas.changes(since: previous).count
            previous = canvas
        }
    }

    /// Median and p99 frame time on a live job with history, checkpoints and events, and
    /// the UI thread's CPU share at 10 frames a second.
    private func frameCost() throws -> (Double, Double, Double) {
        var c = JobConfig()
        c.rate = 2_000_000
        let dir = scratchDir("frame")
        defer { FileDisk(root: dir).removeTreeQuietly() }
        let engine = try open(c, dir)
        engine.start()
        sleepSeconds(4)
        // Events, a recovery, receipts in several states and their bands in the frame.
        try? engine.apply(.kill(2))
        sleepSeconds(1)
        try? engine.apply(.corruptFrame(0))
        try? engine.apply(.corruptShard(.latest, 1))
        try? engine.apply(.slow(4, 0.001))
        sleepSeconds(1)
        let maker = FrameMaker(engine: engine, job: Self.job(c))
        var times: [Double] = []
        for i in 0..<2000 {
            maker.state.selectedNode = (i / 100) % c.nodes
            let t = Stopwatch.now()
            maker.frame()
            times.append(Stopwatch.now() - t)
        }
        times.sort()
        let median = times[times.count / 2], p99 = times[times.count * 99 / 100]
        // CPU of this thread over 30 frames at the default refresh.
        let cpu0 = Self.threadCPU(), wall0 = Stopwatch.now()
        for _ in 0..<30 {
            maker.frame()
            sleepSeconds(0.1)
        }
        let cpu = (Self.threadCPU() - cpu0) / (Stopwatch.now() - wall0) * 100
        engine.stop(finalCheckpoint: false, timeoutSeconds: 1, auditTimeoutSeconds: 1)
        return (median, p99, cpu)
    }

    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Unthrottled transfers per second, with or without a dashboard thread drawing frames
    /// every 100 ms beside the engine.
    private func throughput(dashboard: Bool) throws -> Double {
        let c = JobConfig()
        let dir = scratchDir("tp")
        defer { FileDisk(root: dir).removeTreeQuietly() }
        let engine = try open(c, dir)
        engine.start()
        let maker = FrameMaker(engine: engine, job: Self.job(c))
        sleepSeconds(1)
        // Three bit flips on a link in both runs: receipts and bands to draw, the same work for the engine.
        for n in 0..<3 { try? engine.apply(.corruptFrame(n)) }
        let a = engine.snapshot(), ta = engine.uptime
        let end = Stopwatch.now() + seconds
        while Stopwatch.now() < end {
            if dashboard { maker.frame() }
            sleepSeconds(0.1)
        }
        let b = engine.snapshot(), tb = engine.uptime
        engine.stop(finalCheckpoint: false, timeoutSeconds: 1, auditTimeoutSeconds: 1)
        return Double(b.produced - a.produced) / (tb - ta)
    }
}
