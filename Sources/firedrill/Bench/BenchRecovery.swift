import ArgumentParser
import Dispatch
import Drills
import Engine
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `firedrill bench recovery`: detection and recovery times, and the chaos soak's speed.
struct BenchRecovery: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery",
        abstract: "Failure detection p99, kill-to-processing-again p99 with 100 MB of state (standby copy; shards only), chaos soak seeds/s."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "Faults injected to measure detection (half as many kills for each recovery figure, at least 3).")
    var trials: Int = 16

    @Flag(help: "Print every trial.")
    var verbose = false

    @Option(help: "Scratch directory for the benchmark's data directories (removed afterwards).")
    var scratch: String = "/tmp"

    @Option(help: "Measure only these parts, comma separated.")
    var only: BenchParts<Part> = .all

    enum Part: String, CaseIterable { case detect, standby, shards, soak, sink, falseDetections = "false-detections" }

    @Option(help: "Minutes the false-detections run lasts (1-60).")
    var falseMinutes: Int = 10

    @Flag(help: "Measure beside a busy neighbour this bench starts and stops: a second firedrill process with 100 MB of state checkpointing every second, and two CPU hogs. false-detections then runs the default job (max rate) beside it; detect runs beside it too.")
    var neighbour = false

    /// This process is the neighbour of the bench with this PID: it runs the 100 MB job,
    /// checkpointing every second, until signalled or its parent is gone.
    @Option(help: .hidden)
    var asNeighbour: Int32?

    func run() throws {
        guard (1...100).contains(trials) else { throw ValidationError("--trials must be between 1 and 100") }
        guard (1...60).contains(falseMinutes) else { throw ValidationError("--false-minutes must be between 1 and 60") }
        if let parent = asNeighbour {
            SignalStop.install()
            _ = try falseDetections(beside: nil, neighbourOf: parent)
            return
        }
        var besides: Neighbour?
        defer { besides?.stop() }
        if neighbour {
            let n = try Neighbour(scratch: scratch)
            besides = n
            try n.waitUntilCheckpointing()
            if !options.json { print("(beside a neighbour: PIDs \(n.pids.map(String.init).joined(separator: ", ")): a firedrill process with 100 MB of state checkpointing every second, two CPU hogs)") }
        }
        let beside = neighbour ? "-neighbour" : ""
        let where_ = neighbour ? ", beside the neighbour (100 MB job checkpointing every second, two CPU hogs)" : ""
        var results: [BenchResult] = []
        if only.contains(.detect) {
            let d = try detection(beside: besides)
            let all = d.kills + d.hangs
            let missed = d.missed > 0 ? "; \(d.missed) trials not measured (a recovery not of the fault came first)" : ""
            results += [
                BenchResult(name: "detect-p99\(beside)", value: p99(all) * 1000, unit: "ms", detail: "\(all.count) kills and hangs\(where_), heartbeat 50 ms, phi threshold 8; median \(ms(Stopwatch.median(all)))\(missed)"),
                BenchResult(name: "detect-kill-p99\(beside)", value: p99(d.kills) * 1000, unit: "ms", detail: "\(d.kills.count) kills; median \(ms(Stopwatch.median(d.kills))), worst \(ms(d.kills.max() ?? 0))"),
                BenchResult(name: "detect-hang-p99\(beside)", value: p99(d.hangs) * 1000, unit: "ms", detail: "\(d.hangs.count) hangs; median \(ms(Stopwatch.median(d.hangs))), worst \(ms(d.hangs.max() ?? 0))"),
                BenchResult(name: "throughput-after-recovery-min\(beside)", value: (d.after.min() ?? 0) * 100, unit: "%", detail: "transfers/s in the 1 s after each recovery, against the 1 s before the fault"),
            ]
        }
        if only.contains(.standby) {
            let standby = try recovery(replicas: 1)
            results.append(BenchResult(name: "recover-standby-100MB-p99", value: p99(standby) * 1000, unit: "ms", detail: "\(standby.count) kills, kill to every node processing again (detection, supervisor, rollback), 100 MB state, replicas 1; median \(ms(Stopwatch.median(standby)))"))
        }
        if only.contains(.shards) {
            let shards = try recovery(replicas: 0)
            results.append(BenchResult(name: "recover-shards-100MB-p99", value: p99(shards) * 1000, unit: "ms", detail: "\(shards.count) kills, the same with replicas 0: the lost state comes from RS shards; median \(ms(Stopwatch.median(shards)))"))
        }
        if only.contains(.soak) {
            results.append(BenchResult(name: "soak", value: soakRate(), unit: "seeds/s", detail: "200 seeds, simulated runtime, 2 threads"))
        }
        if only.contains(.sink) {
            let (rebuild, rows, open, live) = try sinkRebuild()
            results.append(BenchResult(name: "sink-rebuild-1M-accounts", value: Stopwatch.median(rebuild) * 1000, unit: "ms", detail: "median of \(rebuild.count): a damaged sink.db rebuilt from the newest checkpoint (\(rows) balance rows, one transaction, fsync, rename); opening with the full audit after it \(ms(Stopwatch.median(open))); every audit exact"))
            results.append(BenchResult(name: "sink-rebuild-live-1M-accounts", value: Stopwatch.median(live.seconds) * 1000, unit: "ms", detail: "median of \(live.seconds.count): 'corrupt sink' while the job runs, the sink rebuilt from the checkpoint being committed (a copy of the damaged file kept, built beside, copied in with SQLite's backup API); 'corrupt sink' to rebuilt \(ms(Stopwatch.median(live.found))); the audit after each exact"))
        }
        if only.contains(.falseDetections) {
            let f = try falseDetections(beside: besides, neighbourOf: nil)
            let job = neighbour ? "the default job (10 k accounts, max rate, checkpoints every 1 s)\(where_)" : "6.5 M accounts (104 MB of state) at 1 M transfers/s, checkpoints every 2 s"
            results.append(BenchResult(name: "false-detections-\(falseMinutes)min\(beside)", value: Double(f.detections), unit: "nodes marked down",
                                       detail: "\(falseMinutes) min, \(job), no fault injected; \(f.stalls) stalls shown (heartbeats on, no progress; not down), \(f.hostStalls) host stalls seen (verdicts held, no node marked down for them), \(f.checkpoints) checkpoints, audit \(f.exact ? "exact" : "NOT exact")"))
        }
        BenchReport.print(results, json: options.json)
    }

    /// The job with 100 MB of state: 6.5 M accounts (16 bytes each) at 1 M transfers/s,
    /// checkpoints every 2 s.
    static var bigJob: JobConfig {
        var c = JobConfig()
        c.accounts = 6_500_000
        c.rate = 1_000_000
        c.checkpointInterval = 2
        return c
    }

    /// A job with no fault at all: every node marked down (or restarted for a stall) is a
    /// false detection. Alone it is the 100 MB job; beside a neighbour, the default job.
    /// As the neighbour (`neighbourOf`), the 100 MB job checkpointing every second, until
    /// signalled or its parent is gone.
    private func falseDetections(beside: Neighbour?, neighbourOf parent: Int32?) throws -> (detections: Int, stalls: Int, hostStalls: Int, checkpoints: Int, exact: Bool) {
        var c = beside == nil ? Self.bigJob : JobConfig()
        if parent != nil { c.checkpointInterval = 1 }
        let d = dir("false")
        defer { FileDisk(root: d).removeTreeQuietly() }
        let engine = try open(c, d, replicas: 1)
        engine.start()
        // The log keeps its newest 500 events: count as they come.
        var downs = 0, stalls = 0, hostStalls = 0
        var seen = -1.0
        var atSeen = Set<String>()  // events at exactly `seen` already counted
        let end = engine.uptime + Double(falseMinutes) * 60
        while engine.uptime < end {
            sleepSeconds(1)
            if let parent {
                if SignalStop.requested || getppid() != parent { break }
                continue
            }
            if let beside, !beside.running {
                engine.stop(finalCheckpoint: false)
                throw BenchFailure(NeighbourSignals.requested ? "interrupted" : "the neighbour ended before the run did")
            }
            for e in engine.snapshot().events where e.time >= seen && !(e.time == seen && atSeen.contains(e.description)) {
                if e.time > seen { seen = e.time; atSeen = [] }
                atSeen.insert(e.description)
                switch e.detail {
                case .nodeDown, .nodeStalled(_, _, .restarted): downs += 1; if verbose { print("  false detection: \(e)") }
                case .nodeStalled(_, _, .began): stalls += 1; if verbose { print("  \(e)") }
                case .enginePaused, .hostStall: hostStalls += 1; if verbose { print("  \(e)") }
                default: break
                }
            }
        }
        let checkpoints = engine.snapshot().checkpointsCompleted
        if verbose { print("  host health: \(Self.describe(engine.localHealth))") }
        let v = engine.stop(finalCheckpoint: parent == nil)
        return (downs, stalls, hostStalls, checkpoints, v.exact && v.moneyConserved)
    }

    /// A job with 1 M accounts runs and stops; then, three times, a page of its sink is
    /// broken and the engine opened: the rebuild's own time, and the open with its audit.
    private func sinkRebuild() throws -> (rebuild: [Double], rows: Int, open: [Double], live: (seconds: [Double], found: [Double])) {
        var c = JobConfig()
        c.accounts = 1_000_000
        c.checkpointInterval = 1
        let d = dir("sink")
        defer { FileDisk(root: d).removeTreeQuietly() }
        let engine = try open(c, d, replicas: 1)
        engine.start()
        sleepSeconds(4)
        guard engine.stop(finalCheckpoint: true).exact else { throw BenchFailure("the job before the rebuild was not exact") }
        var rebuild: [Double] = [], open: [Double] = [], rows = 0
        for _ in 0..<3 {
            try breakPage(d + "/" + DataDirectory.sinkFile)
            let t0 = Stopwatch.now()
            let reopened = try self.open(c, d, replicas: 1)
            open.append(Stopwatch.now() - t0)
            let s = reopened.snapshot()
            guard s.audit.exact, let e = s.events.first(where: { if case .sinkRebuilt = $0.detail { true } else { false } }),
                  case let .sinkRebuilt(_, _, _, r, seconds) = e.detail else { throw BenchFailure("the sink was not rebuilt exactly") }
            rebuild.append(seconds)
            rows = r
        }
        // Live: the sink rots while the job runs, three times.
        let running = try self.open(c, d, replicas: 1)
        running.start()
        var live: [Double] = [], found: [Double] = []
        for k in 0..<3 {
            sleepSeconds(3)
            let t0 = Stopwatch.now()
            do { try running.apply(.corruptSink) } catch { throw BenchFailure("corrupt sink: \(error)") }
            let end = t0 + 30
            var seen: Double?
            while Stopwatch.now() < end, seen == nil {
                let rebuilt = running.snapshot().events.filter { if case .sinkRebuilt = $0.detail { true } else { false } }
                if rebuilt.count > k, case let .sinkRebuilt(_, _, _, _, seconds)? = rebuilt.last?.detail { seen = seconds }
                if seen == nil { sleepSeconds(0.01) }
            }
            guard let seen else { throw BenchFailure("corrupt sink: not rebuilt within 30 s") }
            found.append(Stopwatch.now() - t0)
            live.append(seen)
            sleepSeconds(2.5)
            guard running.snapshot().audit.exact else { throw BenchFailure("the audit after a live rebuild was not exact") }
        }
        guard running.stop(finalCheckpoint: true).exact else { throw BenchFailure("the job after the live rebuilds was not exact") }
        return (rebuild, rows, open, (live, found))
    }

    /// Flips the type byte of the sink's second page (no b-tree page has that type).
    private func breakPage(_ path: String) throws {
        let fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw BenchFailure("\(path): cannot open") }
        defer { close(fd) }
        var b: UInt8 = 0
        guard pread(fd, &b, 1, 4096) == 1 else { throw BenchFailure("\(path): too short") }
        b ^= 0xFF
        guard pwrite(fd, &b, 1, 4096) == 1, fsync(fd) == 0 else { throw BenchFailure("\(path): cannot write") }
    }

    private func ms(_ seconds: Double) -> String { BenchReport.format(seconds * 1000, digits: 1) + " ms" }

    private func p99(_ xs: [Double]) -> Double { Stopwatch.p99(xs) }

    private func dir(_ name: String) -> String {
        let d = "\(scratch)/firedrill-bench-\(name)-\(getpid())"
        FileDisk(root: d).removeTreeQuietly()
        return d
    }

    /// Kill or hang a node, wait for the recovery, read its detection time and the
    /// throughput in the second after it, against the second before the fault.
    private func detection(beside: Neighbour?) throws -> (kills: [Double], hangs: [Double], after: [Double], missed: Int) {
        var c = JobConfig()
        c.rate = 2_000_000
        let d = dir("detect")
        defer { FileDisk(root: d).removeTreeQuietly() }
        let engine = try open(c, d, replicas: 1)
        engine.start()
        defer { engine.stop(finalCheckpoint: false) }
        try wait(10, for: "two checkpoints") { engine.snapshot().checkpointsCompleted >= 2 }
        var kills: [Double] = [], hangs: [Double] = [], after: [Double] = []
        var missed = 0
        for t in 0..<trials {
            if let beside, !beside.running { throw BenchFailure(NeighbourSignals.requested ? "interrupted" : "the neighbour ended before the run did") }
            let p0 = engine.snapshot().produced
            sleepSeconds(1)
            let rateBefore = Double(engine.snapshot().produced - p0)
            let faultAt = engine.uptime
            let kill = t % 2 == 0
            try engine.apply(kill ? .kill(t % c.nodes) : .hang(t % c.nodes))
            let r = try recoveryAfter(faultAt, engine)
            if let d = r.detect {
                if kill { kills.append(d) } else { hangs.append(d) }
                if verbose { print("\(kill ? "kill" : "hang") node \(t % c.nodes): detected after \(ms(d))") }
            } else {
                missed += 1
                if verbose { print("\(kill ? "kill" : "hang") node \(t % c.nodes): not measured (recovery: \(r.reason))") }
            }
            let p1 = engine.snapshot().produced
            sleepSeconds(1)
            after.append(Double(engine.snapshot().produced - p1) / max(rateBefore, 1))
            try engine.apply(.heal(nil))  // a new failure next time, not a flapping node
        }
        if verbose { print("  host health: \(Self.describe(engine.localHealth))") }
        return (kills, hangs, after, missed)
    }

    /// What the detector's host-health books say.
    static func describe(_ h: LocalHealth) -> String {
        "\(h.lateTicks) late passes of the control plane, \(h.refuted) suspicions refuted (longest silence \(Int((h.longestRefuted * 1000).rounded())) ms), score peaked at \(h.peakScore) of \(h.maxScore)"
    }

    /// Kill a node of a job holding 100 MB of state; time from the kill to every node running again.
    private func recovery(replicas: Int) throws -> [Double] {
        let c = Self.bigJob
        let d = dir("recover-\(replicas)")
        defer { FileDisk(root: d).removeTreeQuietly() }
        let engine = try open(c, d, replicas: replicas)
        engine.start()
        defer { engine.stop(finalCheckpoint: false) }
        try wait(60, for: "a first checkpoint") { engine.snapshot().checkpointsCompleted >= 1 }
        var out: [Double] = []
        var excluded = 0
        for t in 0..<max(3, trials / 2) {
            let victim = (t * 2 + 1) % c.nodes
            // With replicas, kill only once the victim's newest state has its standby copy.
            if replicas > 0 { try wait(30, for: "a standby copy of node \(victim)'s newest state") { engine.standbyReady(for: victim) } }
            let killedAt = engine.uptime
            try engine.apply(.kill(victim))
            let r = try recoveryAfter(killedAt, engine)
            let expect: String = replicas > 0 ? "standby" : "shards"
            let overlapped = engine.snapshot().recoveries.contains { $0.at < killedAt && $0.at + $0.restore >= killedAt }
            guard !overlapped, r.sources.contains(where: { $0.hasPrefix("node \(victim): ") && $0.contains(expect) }) else {
                // Not the case this figure is about: a recovery already under way took
                // the kill in (it restarts every node), or a checkpoint completed between
                // the kill and the recovery before its copies had landed.
                excluded += 1
                if verbose { print("replicas \(replicas) kill: excluded, \(overlapped ? "a recovery was under way" : "the recovery used \(r.sources.joined(separator: "; "))")") }
                try engine.apply(.heal(nil))
                sleepSeconds(1)
                continue
            }
            // Kill to running again, on the engine's clock: detection, the supervisor's
            // decision and the rollback.
            let total = r.at + r.restore - killedAt
            out.append(total)
            if verbose {
                for e in engine.snapshot().events where e.time > killedAt && e.node == nil && e.kind == .detection { print("  event: \(e)") }
            }
            if verbose { print("replicas \(replicas) kill: \(Int(total * 1000)) ms (detect \(Int((r.detect ?? 0) * 1000)) ms, rollback \(Int(r.restore * 1000)) ms), \(r.sources.joined(separator: "; "))") }
            // Each kill is a new failure, not a flapping node: the restart history is
            // cleared so the supervisor's backoff and quarantine do not come into it.
            try engine.apply(.heal(nil))
            sleepSeconds(1)
        }
        if out.isEmpty { throw BenchFailure("no recovery used \(replicas > 0 ? "a standby copy" : "the shards") (\(excluded) excluded)") }
        if excluded > 0 && !options.json { print("(\(excluded) of \(out.count + excluded) kills with replicas \(replicas) excluded: a recovery was already under way, or the victim's state did not come from \(replicas > 0 ? "a standby copy" : "the shards"))") }
        return out
    }

    /// The first recovery that started at or after `time` (one already under way when
    /// the fault was injected is not its recovery).
    private func recoveryAfter(_ time: Double, _ engine: ThreadedEngine) throws -> ClusterSnapshot.Recovery {
        var found: ClusterSnapshot.Recovery?
        try wait(30, for: "a recovery after the fault") {
            found = engine.snapshot().recoveries.first { $0.at >= time }
            return found != nil
        }
        guard let found else { throw BenchFailure("no recovery after the fault") }
        if verbose {
            for r in engine.snapshot().recoveries where r.at < time && r.at + r.restore >= time {
                print("  (a recovery was under way when the fault came: \(r.reason))")
            }
        }
        return found
    }

    private func soakRate() -> Double {
        let n = 200
        let start = Stopwatch.now()
        let failed = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 2) { w in
            for s in stride(from: w, to: n, by: 2) where !ChaosSoak.run(seed: UInt64(1_000_000 + s)).passed {
                failed.add(1, ordering: .relaxed)
            }
        }
        let elapsed = Stopwatch.now() - start
        return failed.load(ordering: .relaxed) == 0 ? Double(n) / elapsed : 0
    }

    private func wait(_ seconds: Double, for what: String, _ condition: () -> Bool) throws {
        let end = Stopwatch.now() + seconds
        while Stopwatch.now() < end {
            if condition() { return }
            if NeighbourSignals.requested { throw BenchFailure("interrupted") }
            sleepSeconds(0.005)
        }
        throw BenchFailure("timed out after \(Int(seconds)) s waiting for \(what)")
    }

    private func open(_ c: JobConfig, _ d: String, replicas: Int) throws -> ThreadedEngine {
        do { return try ThreadedEngine(config: c, dataDirectory: d, replicas: replicas) } catch { throw BenchFailure("\(error)") }
    }
}
