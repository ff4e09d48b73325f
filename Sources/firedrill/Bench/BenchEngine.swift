import ArgumentParser
import Engine
import Integrity
#if canImport(Glibc)
import Glibc
#endif

/// `firedrill bench engine`: the payments job at full speed, checkpoint cost, restore speed.
struct BenchEngine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Engine throughput: audited, and read with and without checkpoints (M transfers/s); verdict age p99 (ms); checkpoint p99 with 1M accounts (ms); restore of 100 MiB with 2 shards lost (GB/s)."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "Seconds each throughput run measures (after a 1 s warm-up).")
    var seconds: Double = 4

    @Flag(help: "Print every checkpoint's timing.")
    var verbose = false

    @Option(help: "Scratch directory for the benchmark's data directories (removed afterwards).")
    var scratch: String = "/tmp"

    @Option(help: "Measure only these parts, comma separated.")
    var only: BenchParts<Part> = .all

    enum Part: String, CaseIterable { case throughput, audit, checkpoint, restore }

    func run() throws {
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be between 0 and 600") }
        var results: [BenchResult] = []
        if only.contains(.throughput) {
            // Alternate the two so drift of a shared machine hits both alike.
            var on: [Double] = [], off: [Double] = [], audited: [Double] = [], ageP99: [Double] = [], ageMax: [Double] = []
            for _ in 0..<options.runs {
                let run = try throughput(checkpoints: true)
                on.append(run.read)
                audited.append(run.audited)
                ageP99.append(run.verdictAgeP99)
                ageMax.append(run.verdictAgeMax)
                off.append(try throughput(checkpoints: false).read)
            }
            let onMedian = Stopwatch.median(on), offMedian = Stopwatch.median(off), auditedMedian = Stopwatch.median(audited)
            results += [
                BenchResult(name: "engine-audited", value: auditedMedian / 1e6, unit: "Mtransfers/s",
                            detail: "committed by the sink and audited during the window; \(BenchReport.format(auditedMedian / max(onMedian, 1), digits: 2))x engine-checkpointed; verdict age at most \(BenchReport.format((ageMax.max() ?? 0) * 1000, digits: 0)) ms in any run"),
                BenchResult(name: "verdict-age-p99", value: Stopwatch.median(ageP99) * 1000, unit: "ms",
                            detail: "time since the barrier of the audited checkpoint, sampled every 50 ms, p99 per run, median of runs; rate max, 1 s checkpoints"),
                BenchResult(name: "engine-checkpointed", value: onMedian / 1e6, unit: "Mtransfers/s", detail: "read during the window; 6 nodes, checkpoint every 1 s, RS(4,2), SQLite commits, audit lag bounded"),
                BenchResult(name: "engine-no-checkpoint", value: offMedian / 1e6, unit: "Mtransfers/s", detail: "read during the window, nothing committed; checkpointing costs \(BenchReport.format(max(0, 1 - onMedian / max(offMedian, 1)) * 100, digits: 1))%"),
            ]
        }
        if only.contains(.audit) {
            let rate = try auditSpeed()
            results.append(BenchResult(name: "auditor-regenerate", value: rate / 1e6, unit: "Mtransfers/s", detail: "one thread, 10,000 accounts: transfers regenerated from the source function and applied to the expected balances"))
        }
        if only.contains(.checkpoint) {
            let (p99, median, count) = try checkpointP99()
            results.append(BenchResult(name: "checkpoint-1M-accounts-p99", value: p99 * 1000, unit: "ms", detail: "\(count) checkpoints, barrier injected to manifest durable; median \(BenchReport.format(median * 1000, digits: 1)) ms"))
        }
        if only.contains(.restore) {
            let restore = try restoreSpeed()
            results.append(BenchResult(name: "restore-100MiB-2-lost", value: restore.warm, unit: "GB/s", detail: "read, verify, reconstruct 2 data shards, decode; first (cold) restore \(BenchReport.format(restore.cold, digits: 2)) GB/s"))
        }
        BenchReport.print(results, json: options.json)
    }

    private func scratchDir(_ name: String) -> String {
        let dir = "\(scratch)/firedrill-bench-\(name)-\(getpid())"
        FileDisk(root: dir).removeTreeQuietly()
        return dir
    }

    /// Transfers per second read, and committed and audited, during a window after a
    /// warm-up; the verdict's age over the run (p99 from the engine, max from samples).
    private func throughput(checkpoints: Bool) throws -> (read: Double, audited: Double, verdictAgeP99: Double, verdictAgeMax: Double) {
        var c = JobConfig()
        c.checkpointInterval = checkpoints ? 1.0 : nil
        let dir = scratchDir("tp")
        defer { FileDisk(root: dir).removeTreeQuietly() }
        let engine = try open(c, dir)
        engine.start()
        sleepSeconds(1)
        let a = engine.snapshot(), ta = engine.uptime
        var ageMax = a.verdictAge
        while engine.uptime - ta < seconds {
            sleepSeconds(0.05)
            ageMax = max(ageMax, engine.snapshot().verdictAge)
        }
        let b = engine.snapshot(), tb = engine.uptime
        let verdict = engine.stop(finalCheckpoint: true)
        guard verdict.exact, verdict.moneyConserved else { throw BenchFailure("the audit was not exact: \(verdict)") }
        let window = tb - ta
        return (Double(b.produced - a.produced) / window, Double(b.audit.committedTransfers - a.audit.committedTransfers) / window,
                b.verdictAgeP99, ageMax)
    }

    /// How fast one auditor thread regenerates what the sink must hold (its main cost).
    private func auditSpeed() throws -> Double {
        let c = JobConfig()
        let dir = scratchDir("audit")
        let disk = FileDisk(root: dir)
        defer { disk.removeTreeQuietly() }
        try disk.makeDirectory("")
        let path = dir + "/sink.db"
        let auditor: Auditor
        do {
            _ = try BalanceSink(path: path)
            auditor = try Auditor(config: c, databasePath: path)
        } catch { throw BenchFailure("\(error)") }
        let perRun: Int64 = 50_000_000
        var ceiling = [Int64](repeating: 0, count: c.partitions)
        let t = Stopwatch.measure(runs: options.runs) {
            for p in ceiling.indices { ceiling[p] += perRun / Int64(c.partitions) }
            auditor.lookahead(to: ceiling, limit: Int(perRun))
        }
        return Double(perRun) / t
    }

    /// p99 of checkpoint durations with 1M accounts, checkpoints back to back while the job runs.
    private func checkpointP99() throws -> (p99: Double, median: Double, count: Int) {
        var c = JobConfig()
        c.accounts = 1_000_000
        c.checkpointInterval = 0.25
        let dir = scratchDir("ckpt")
        defer { FileDisk(root: dir).removeTreeQuietly() }
        let engine = try open(c, dir)
        engine.start()
        sleepSeconds(max(3, seconds * 2))
        let complete = engine.snapshot().checkpoints.filter { $0.status == .complete }
        let durations = complete.compactMap(\.duration)
        if verbose {
            for c in complete {
                print("checkpoint \(c.id): \(BenchReport.format((c.duration ?? 0) * 1000, digits: 1)) ms, alignment \(BenchReport.format((c.alignment ?? 0) * 1000, digits: 1)) ms, \(c.bytes) bytes")
            }
        }
        engine.stop(finalCheckpoint: false)
        guard !durations.isEmpty else { throw BenchFailure("no checkpoint completed") }
        return (Stopwatch.p99(durations), Stopwatch.median(durations), durations.count)
    }

    /// Restores a 100 MiB checkpoint whose first two data shards are gone.
    private func restoreSpeed() throws -> (warm: Double, cold: Double) {
        let dir = scratchDir("restore")
        let disk = FileDisk(root: dir)
        defer { disk.removeTreeQuietly() }
        try disk.makeDirectory("")
        let store = try ShardStore(disk: disk, nodes: 6, dataShards: 4, parityShards: 2)
        let perNode = (100 << 20) / 16 / 6
        var rng = SplitMix(seed: 3)
        let state = CheckpointState(checkpoint: 1, nodes: (0..<6).map { n in
            NodeSnapshot(node: n, checkpoint: 1, offsets: [Int64(n)], balances: (0..<perNode).map { _ in Int64(bitPattern: rng.next() >> 8) },
                         updates: (0..<perNode).map { _ in Int64(rng.next() >> 40) })
        })
        let manifest = try store.write(checkpoint: 1, blob: state.encoded(), offsets: [0], createdMillis: 0, parallel: true)
        for s in 0..<2 { try disk.remove(ShardStore.shardPath(checkpoint: 1, shard: s, disk: manifest.shards[s].disk)) }
        var check: CheckpointState?
        let coldStart = Stopwatch.now()
        check = try store.load(1).state
        let cold = Stopwatch.now() - coldStart
        guard check == state else { throw BenchFailure("the restored state differs") }
        let t = try Stopwatch.measure(runs: options.runs) { check = try store.load(1).state }
        guard check == state else { throw BenchFailure("the restored state differs") }
        return (Double(manifest.blobSize) / t / 1e9, Double(manifest.blobSize) / cold / 1e9)
    }

    private func open(_ c: JobConfig, _ dir: String) throws -> ThreadedEngine {
        do { return try ThreadedEngine(config: c, dataDirectory: dir) } catch { throw BenchFailure("\(error)") }
    }
}

