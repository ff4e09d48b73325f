import ArgumentParser
import Dispatch
import Drills
import Engine
import Synchronization

/// `firedrill simulate`: the deterministic chaos soak.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the job on the simulated runtime under a random fault schedule per seed; exit 0 only when every seed's audit is exact.",
        discussion: "A failing seed prints its fault schedule; '--seeds 1 --first S' replays it exactly, and --trace prints every step of it. With --threaded the same schedules play on the threaded runtime (real threads, clock and files; a few seconds a seed, one at a time)."
    )

    @Flag(help: "Play the schedules on the threaded runtime with real files instead (seed by seed, about 3 s each).")
    var threaded = false

    @Option(help: "With --threaded: the directory under which each seed gets its data directory (a failing seed's is kept).")
    var data: String = "/tmp/firedrill-soak"

    @Option(help: "How many seeds to run.")
    var seeds: Int = 100

    @Option(help: "The first seed.")
    var first: UInt64 = 1

    @Flag(help: "Print {\"seeds\", \"failed\", \"seedsPerSecond\"} as JSON.")
    var json = false

    @Flag(help: "Print the full event trace of each failing seed (and of a single seed).")
    var trace = false

    func run() throws {
        guard seeds >= 1, seeds <= 10_000_000 else { throw ValidationError("--seeds must be between 1 and 10000000, got \(seeds)") }
        guard first <= UInt64.max - UInt64(seeds) else { throw ValidationError("--first \(first) is too large for \(seeds) seeds") }
        let start = Stopwatch.now()
        let failures = Mutex<[ChaosSoak.Outcome]>([])
        let done = Atomic<Int>(0)
        let first = self.first
        let total = seeds
        let single = Mutex<ChaosSoak.Outcome?>(nil)
        // One progress line a second on stderr, when it is a terminal and the soak is long.
        let progress = isatty(2) == 1 && (seeds > 100 || threaded)
        let threaded = self.threaded
        let root = data.hasSuffix("/") ? String(data.dropLast()) : data
        // Each simulated seed is recorded here and its record checked (removed when it passes).
        let records = threaded ? nil : try Self.recordsDirectory()
        defer { if let records { _ = rmdir(records) } }
        if threaded {
            do throws(ConfigError) { try DataDirectory.checkPath(root) } catch { throw ValidationError("--data: \(error.description)") }
        }
        // Threaded seeds run one at a time (each engine has threads of its own); simulated
        // ones two at a time, one per core.
        DispatchQueue.concurrentPerform(iterations: threaded ? 1 : 2) { worker in
            var s = worker
            var nextReport = start + 1
            let stride = threaded ? 1 : 2
            while s < total {
                let seed = first + UInt64(s)
                let outcome = threaded ? ChaosSoak.runThreaded(seed: seed, directory: "\(root)/seed-\(seed)-\(getpid())") : ChaosSoak.run(seed: seed, records: records)
                if !outcome.passed { failures.withLock { $0.append(outcome) } }
                if total == 1 { single.withLock { $0 = outcome } }
                let finished = done.add(1, ordering: .relaxed).newValue
                s += stride
                if progress && worker == 0 && Stopwatch.now() >= nextReport {
                    nextReport += 1
                    let failed = failures.withLock { $0.count }
                    let rate = Double(finished) / max(Stopwatch.now() - start, 1e-9)
                    var err = StandardError()
                    print("\u{1B}[2K\r\(finished)/\(total) seeds, \(failed) failed, \(BenchReport.format(rate, digits: 1)) seeds/s", terminator: "", to: &err)
                }
            }
        }
        if progress { var err = StandardError(); print("\u{1B}[2K\r", terminator: "", to: &err) }
        let elapsed = Stopwatch.now() - start
        let failed = failures.withLock { $0 }.sorted { $0.seed < $1.seed }
        let rate = Double(seeds) / max(elapsed, 1e-9)
        if json {
            print("{\"seeds\": \(seeds), \"failed\": [\(failed.map { String($0.seed) }.joined(separator: ", "))], \"seedsPerSecond\": \(BenchReport.format(rate, digits: 1))}")
        } else {
            for f in failed {
                print("FAILED seed \(f.seed): \(f.reason)")
                print("  faults: \(f.schedule.map(ChaosSoak.line).joined(separator: "; "))")
                print("  replay: firedrill simulate --seeds 1 --first \(f.seed)\(threaded ? " --threaded" : "") --trace")
                if threaded { print("  data kept: \(root)/seed-\(f.seed)-\(getpid())") }
                if trace { for line in f.trace { print("  | \(line)") } }
            }
            if let one = single.withLock({ $0 }), one.passed {
                print("seed \(one.seed): exact, \(one.verdict.committedTransfers) transfers committed, \(one.recoveries) recoveries")
                print("  faults: \(one.schedule.map(ChaosSoak.line).joined(separator: "; "))")
                if trace { for line in one.trace { print("  | \(line)") } }
            }
            print("simulate\(threaded ? " --threaded" : ""): \(seeds - failed.count) passed, \(failed.count) failed (\(BenchReport.format(rate, digits: 1)) seeds/s)")
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }

    /// A fresh directory for the seeds' records under `$TMPDIR` (or /tmp).
    static func recordsDirectory() throws -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/firedrill-soak-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { b in b.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) } }
        guard let made else { throw RuntimeFailure("cannot make a directory for the seeds' records under \(base) (TMPDIR): \(String(cString: strerror(errno)))") }
        return made
    }
}
#if canImport(Glibc)
import Glibc
#endif
