/// The deterministic chaos soak: the job on the simulated runtime under a random fault
/// schedule drawn from a seed — every fault kind, several at once, during checkpoint writes
/// and recoveries too — within what the design survives (at most `m` shards of a
/// checkpoint damaged at once). A seed passes when, after healing, the audit is exact and
/// everything read is committed. A failing seed replays exactly.
public enum ChaosSoak {
    /// One scheduled fault.
    public struct Step: Sendable, Equatable, CustomStringConvertible {
        public var at: Double
        public var command: Command?
        /// A torn write this many writes from now (a crash during a checkpoint write).
        public var tearWrite: Int?
        public var description: String {
            let t = BenchFormat.fixed(at, 3)
            if let c = command { return "\(t)s \(c)" }
            return "\(t)s tear write \(tearWrite ?? 0)"
        }
    }

    /// The outcome of one seed.
    public struct Outcome: Sendable {
        public var seed: UInt64
        public var passed: Bool
        public var reason: String
        public var schedule: [Step]
        public var verdict: AuditVerdict
        public var recoveries: Int
        /// The run's trace (for a failing seed's report).
        public var trace: [String]
    }

    /// The small job the soak runs.
    public static func config() -> JobConfig {
        var c = JobConfig()
        c.nodes = 6
        c.partitions = 6
        c.accounts = 60
        c.rate = 20_000
        c.batchSize = 128
        c.channelCapacity = 4
        c.checkpointInterval = 0.1
        return c
    }

    /// The fault schedule of `seed`.
    public static func schedule(seed: UInt64, config: JobConfig = config()) -> [Step] {
        var rng = SplitMix(seed: seed ^ 0xC4A0_5EED)
        let n = config.nodes
        func pick(_ k: Int) -> Int { Int(rng.next() % UInt64(k)) }
        func time() -> Double { 0.25 + Double(rng.next() % 800) / 1000 }
        var steps: [Step] = []
        var shardBudget = config.parityShards
        let count = 2 + pick(4)
        for _ in 0..<count {
            let at = time()
            switch pick(13) {
            case 0, 1: steps.append(Step(at: at, command: .kill(pick(n))))
            case 2: steps.append(Step(at: at, command: .hang(pick(n))))
            case 3: steps.append(Step(at: at, command: .slow(pick(n), 0.001 * Double(1 + pick(5)))))
            case 4: steps.append(Step(at: at, command: .corruptFrame(pick(n))))
            case 5:
                let node = pick(n)
                steps.append(Step(at: at, command: .partition(node)))
                steps.append(Step(at: at + 0.05 + Double(pick(300)) / 1000, command: .heal(node)))
            case 6 where shardBudget > 0:
                shardBudget -= 1
                steps.append(Step(at: at, command: .corruptShard(.latest, pick(config.dataShards + config.parityShards))))
            case 7 where shardBudget > 0:
                shardBudget -= 1
                steps.append(Step(at: at, command: .deleteShard(.latest, pick(config.dataShards + config.parityShards))))
            case 8 where shardBudget > 0:
                shardBudget -= 1
                steps.append(Step(at: at, command: .wipeDisk(pick(n))))
            case 9: steps.append(Step(at: at, command: .restart(pick(n))))
            case 10: steps.append(Step(at: at, command: .recoverNow))
            case 11: steps.append(Step(at: at, tearWrite: 1 + pick(config.dataShards + config.parityShards + 1)))
            default:
                // Two nodes at once (a cascade).
                let a = pick(n)
                steps.append(Step(at: at, command: .kill(a)))
                steps.append(Step(at: at + Double(pick(50)) / 1000, command: .kill((a + 1 + pick(n - 1)) % n)))
            }
        }
        return steps.sorted { $0.at < $1.at }
    }

    /// Runs one seed.
    public static func run(seed: UInt64) -> Outcome {
        let config = config()
        let steps = schedule(seed: seed, config: config)
        let sim: SimulatedEngine
        do { sim = try SimulatedEngine(config: config, seed: seed) } catch {
            return Outcome(seed: seed, passed: false, reason: "cannot start: \(error)", schedule: steps, verdict: .initial(expectedMoney: 0), recoveries: 0, trace: [])
        }
        var t = 0.0
        for step in steps {
            sim.run(for: step.at - t)
            t = step.at
            if let c = step.command {
                do { try sim.apply(c) } catch { sim.note(.error, "\(c): \(error)") }  // e.g. no checkpoint yet
            } else if let w = step.tearWrite {
                sim.disk.crashAfterWrites(w)
            }
        }
        sim.run(for: max(0, 1.3 - t))
        try? sim.apply(.heal(nil))
        sim.disk.crashAfterWrites(0)
        sim.run(for: 0.6)
        let v = sim.finish(maxSeconds: 5)
        let read = sim.cores.reduce(Int64(0)) { $0 + $1.offsetsSum }
        let reason = judge(v, read: read)
        return Outcome(seed: seed, passed: reason.isEmpty, reason: reason, schedule: steps, verdict: v, recoveries: sim.recoveries.count, trace: sim.trace)
    }

    /// Plays seed `seed`'s schedule on the threaded runtime: real threads, the real clock
    /// and real files under `directory` (created, and removed afterwards unless the seed
    /// fails). The same control plane decides as in the simulation; the timing is the real
    /// machine's, so a seed does not replay exactly here — its schedule does.
    public static func runThreaded(seed: UInt64, directory: String) -> Outcome {
        let config = config()
        let steps = schedule(seed: seed, config: config)
        let engine: ThreadedEngine
        do { engine = try ThreadedEngine(config: config, dataDirectory: directory, replicas: 1, scrubIntervalMillis: 20) } catch {
            return Outcome(seed: seed, passed: false, reason: "cannot start: \(error)", schedule: steps, verdict: .initial(expectedMoney: 0), recoveries: 0, trace: [])
        }
        let disk = engine.store.disk as? FileDisk
        engine.start()
        let t0 = engine.uptime
        for step in steps {
            engine.advance(to: t0 + step.at)
            if let c = step.command {
                do { try engine.apply(c) } catch { engine.emit(.note(.error, "\(c): \(error)")) }
            } else if let w = step.tearWrite {
                disk?.crashAfterWrites(w)
            }
        }
        engine.advance(to: t0 + max(1.3, (steps.last?.at ?? 0) + 0.2))
        try? engine.apply(.heal(nil))
        disk?.crashAfterWrites(0)
        engine.advance(to: engine.uptime + 0.6)
        let v = engine.stop(finalCheckpoint: true, timeoutSeconds: 10, auditTimeoutSeconds: 30)
        let s = engine.snapshot()
        let read = engine.board.state.withLock { $0.nodes.reduce(Int64(0)) { $0 + $1.offsetsSum } }
        let reason = judge(v, read: read)
        if reason.isEmpty { FileDisk(root: directory).removeTreeQuietly() }
        return Outcome(seed: seed, passed: reason.isEmpty, reason: reason, schedule: steps, verdict: v, recoveries: s.recoveries.count,
                       trace: s.events.map(\.description))
    }

    /// Why a finished run fails the soak ("" when it passes): the audit must be exact,
    /// money conserved, and everything read committed.
    static func judge(_ v: AuditVerdict, read: Int64) -> String {
        var reason = ""
        if !v.exact { reason = "audit not exact: \(v.lost) lost, \(v.duplicated) duplicated, \(v.mismatchedAccounts) accounts differ" }
        else if !v.moneyConserved { reason = "money not conserved: \(v.committedMoney) of \(v.expectedMoney)" }
        else if v.committedTransfers != read { reason = "committed \(v.committedTransfers) transfers but \(read) were read" }
        else if read == 0 { reason = "nothing was read" }
        return reason
    }
}
