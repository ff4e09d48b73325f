import Engine

/// The deterministic chaos soak: the job under a random fault schedule drawn from a seed —
/// every fault kind, several at once, during checkpoint writes and recoveries too — within
/// what the design survives (at most `m` shards of a checkpoint damaged at once). Each
/// seed's schedule is a drill, played by the one schedule player on either runtime: on the
/// simulated one a failing seed replays exactly; on the threaded one its schedule does. A
/// seed passes when, after healing, the audit is exact, money conserved and everything read
/// committed, the final audit agrees with a recount of the sink — and its steps went right
/// too (`judgeSteps`): no fallback the code should have avoided, no node left quarantined, no
/// commit failed, no resent frame bad again, in virtual time no detection without a fault,
/// and none of the simulation's own checks of each recovery plan broken. The simulation is
/// meaner than a machine on a share of seeds: late and damaged copies, slow writes, every
/// commit sent twice, frames lost on the wire.
public enum ChaosSoak {
    /// The outcome of one seed.
    public struct Outcome: Sendable {
        public var seed: UInt64
        public var passed: Bool
        public var reason: String
        public var schedule: [Drill.Step]
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

    /// Virtual seconds a standby copy may take to land, on odd seeds.
    static let standbyDelay = 0.5
    /// Virtual seconds a checkpoint's write may take, on seeds 2 and 3 of every 4.
    static let writeDelay = 0.3
    /// The share of standby copies that land damaged, on the seeds with two replicas
    /// (every seventh).
    static let standbyDamage = 0.3
    /// Frames lost on the wire per virtual second, on every fifth seed.
    static let frameLoss = 10.0
    /// Seconds the soak lets the job run after healing, before the final checkpoint.
    static let settle = 0.6
    /// Seconds the final checkpoint and audit may take on the simulated runtime.
    static let finishBound = 5.0

    /// The fault schedule of `seed`: its faults, then `heal all`, as a drill.
    public static func drill(seed: UInt64, config: JobConfig = config()) -> Drill {
        var rng = SplitMix(seed: seed ^ 0xC4A0_5EED)
        let n = config.nodes
        func pick(_ k: Int) -> Int { Int(rng.next() % UInt64(k)) }
        func time() -> Double { 0.25 + Double(rng.next() % 800) / 1000 }
        var steps: [Drill.Step] = []
        func add(_ at: Double, _ c: Command) { steps.append(Drill.Step(at: at, command: c)) }
        var shardBudget = config.parityShards
        let count = 2 + pick(4)
        for _ in 0..<count {
            let at = time()
            switch pick(13) {
            case 0, 1: add(at, .kill(pick(n)))
            case 2: add(at, .hang(pick(n)))
            case 3: add(at, .slow(pick(n), 0.001 * Double(1 + pick(5))))
            case 4: add(at, .corruptFrame(pick(n)))
            case 5:
                let node = pick(n)
                add(at, .partition(node))
                add(at + 0.05 + Double(pick(300)) / 1000, .heal(node))
            case 6 where shardBudget > 0:
                shardBudget -= 1
                add(at, .corruptShard(.latest, pick(config.dataShards + config.parityShards)))
            case 7 where shardBudget > 0:
                shardBudget -= 1
                add(at, .deleteShard(.latest, pick(config.dataShards + config.parityShards)))
            case 8 where shardBudget > 0:
                shardBudget -= 1
                add(at, .wipeDisk(pick(n)))
            case 9: add(at, .restart(pick(n)))
            case 10: add(at, .recoverNow)
            case 11: add(at, .tearWrite(1 + pick(config.dataShards + config.parityShards + 1)))
            default:
                // Two nodes at once (a cascade).
                let a = pick(n)
                add(at, .kill(a))
                add(at + Double(pick(50)) / 1000, .kill((a + 1 + pick(n - 1)) % n))
            }
        }
        steps.sort { $0.at < $1.at }
        let healAt = max(1.3, (steps.last?.at ?? 0) + 0.2)
        steps.append(Drill.Step(at: healAt, command: .heal(nil)))
        var job = Drill.Job()
        job.nodes = config.nodes
        job.accounts = config.accounts
        job.rate = config.rate
        job.dataShards = config.dataShards
        job.parityShards = config.parityShards
        job.checkpointInterval = config.checkpointInterval
        job.seed = seed
        job.replicas = seed % 7 == 6 ? 2 : 1
        var expect = Expectations()
        expect.exactlyOnce = true
        expect.moneyConserved = true
        return Drill(name: "soak-\(seed)", description: "the chaos soak's schedule of seed \(seed)", duration: healAt + settle,
                     job: job, steps: steps, expect: expect, source: "seed \(seed)")
    }

    /// Runs one seed on the simulated runtime. With `records` (a directory), the run is
    /// recorded there as `--record` does and the record held to `replay --check`: a figure
    /// that went back, a receipt step before its fault, a detection in no receipt fail the
    /// seed (the record is removed unless it does).
    public static func run(seed: UInt64, records: String? = nil) -> Outcome {
        let d = drill(seed: seed)
        let sim: SimulatedEngine
        do { sim = try SimulatedEngine(config: config(), seed: seed, replicas: d.job.replicas) } catch {
            return Outcome(seed: seed, passed: false, reason: "cannot start: \(error)", schedule: d.steps, verdict: .initial(expectedMoney: 0), recoveries: 0, trace: [])
        }
        // Meaner than the machine: on every other seed a standby copy (and a node's own
        // local copy) lands up to 5 checkpoint intervals late (longer than a detection
        // takes), so a node lost after a checkpoint may have none of it yet, and copies land
        // out of order (the threaded runtime's replication window).
        if seed % 2 == 1 { sim.standbyDelay = standbyDelay }
        // And on half the seeds a checkpoint's write takes up to 3 intervals, as beside a
        // busy neighbour's fsyncs: a recovery during one gives it up, and it lands after
        // the rollback, to be removed, never committed.
        if seed % 4 >= 2 { sim.writeDelay = writeDelay }
        // And on every third seed each commit is sent twice, as a retry after a lost
        // acknowledgement: the sink must refuse the repeat.
        if seed % 3 == 0 { sim.duplicateCommits = true }
        // And on every fifth seed the wire loses frames (10 a second, on links drawn from
        // the seed): each gap must be found and the frame sent again.
        if seed % 5 == 4 { sim.frameLossPerSecond = frameLoss }
        // And on the seeds with two replicas, a share of standby copies land damaged: a
        // restore must refuse each and take the other holder's.
        if d.job.replicas > 1 { sim.standbyDamage = standbyDamage }
        var outcome = run(d, seed: seed, on: sim, record: records.map { "\($0)/soak-seed-\(seed).jsonl" }, trace: { sim.trace })
        // What the simulation saw the engine do at its recoveries, apart from its own account.
        if outcome.passed, let v = sim.violations.first {
            outcome.passed = false
            outcome.reason = v
        }
        return outcome
    }

    /// Plays seed `seed`'s schedule on the threaded runtime: real threads, the real clock
    /// and real files under `directory` (created, and removed afterwards unless the seed
    /// fails). The same control plane decides as in the simulation; the timing is the real
    /// machine's, so a seed does not replay exactly here — its schedule does.
    public static func runThreaded(seed: UInt64, directory: String) -> Outcome {
        let d = drill(seed: seed)
        let engine: ThreadedEngine
        do { engine = try ThreadedEngine(config: config(), dataDirectory: directory, replicas: d.job.replicas, scrubIntervalMillis: 20) } catch {
            return Outcome(seed: seed, passed: false, reason: "cannot start: \(error)", schedule: d.steps, verdict: .initial(expectedMoney: 0), recoveries: 0, trace: [])
        }
        engine.start()
        let outcome = run(d, seed: seed, on: engine, record: "\(directory)/record.jsonl", trace: { engine.snapshot().events.map(\.description) })
        if outcome.passed { FileDisk(root: directory).removeTreeQuietly() }
        return outcome
    }

    /// Plays a seed's drill on `engine` through the drill runner and judges it; with
    /// `record`, records the run at that path and holds the record to `replay --check`.
    static func run(_ d: Drill, seed: UInt64, on engine: any EngineRuntime, record path: String? = nil, trace: () -> [String]) -> Outcome {
        let target = DrillTarget(engine)
        target.finishWithin = engine is ThreadedEngine ? 10 : finishBound
        var runner = DrillRunner(drill: d)
        var recordError = ""
        if let path {
            let header = RecordHeader(config: engine.config, replicas: d.job.replicas, runtime: engine.runtimeName, title: d.name, drill: d.name)
            do throws(FileError) { runner.record = try DrillRecord(path: path, header: header) } catch { recordError = error.description }
        }
        // A refused step (a shard fault before the first checkpoint: the schedule draws its
        // times blind) is part of the soak, not a failure.
        let result = runner.run(on: target)
        let end = engine.snapshot()
        let v = target.finalVerdict ?? end.audit
        var reason = judge(v, read: end.readTransfers)
        // The auditor itself is checked: its final verdict against an independent recount.
        if reason.isEmpty, let truth = result.verdicts.first(where: { $0.name == "tells_truth" }), !truth.passed {
            reason = "the final audit and an independent recount of the sink disagree: \(truth.measured)"
        }
        // What the screen would have shown, every frame: figures never go back, receipts are causal.
        if reason.isEmpty, let path { reason = recordError.isEmpty ? checkRecord(runner.record, path: path) : "cannot record: \(recordError)" }
        // Virtual time has no host noise: there every detection must follow from a fault.
        if reason.isEmpty { reason = judgeSteps(d, end: end, parity: d.job.parityShards, everyDetectionCaused: engine is SimulatedEngine) }
        return Outcome(seed: seed, passed: reason.isEmpty, reason: reason, schedule: d.steps, verdict: v, recoveries: end.recoveries.count,
                       trace: trace())
    }

    /// Closes the record and holds it to `replay --check` ("" when it passes; then the
    /// record is removed).
    static func checkRecord(_ record: DrillRecord?, path: String) -> String {
        guard let record else { return "" }
        do throws(FileError) { try record.close() } catch { return "cannot record: \(error.description)" }
        return check(recordAt: path)
    }

    /// Holds the record at `path` to `replay --check` ("" when it passes; then it is removed).
    static func check(recordAt path: String) -> String {
        do throws(FileError) {
            let c = RecordCheck.check(try RecordReader.read(path))
            if let v = c.violation {
                return "replay --check \(path): at \(stamp(c.time ?? 0)) \(v.text) (frames \(v.frames.before) and \(v.frames.after))"
            }
        } catch {
            return "replay --check \(path): \(error.description)"
        }
        _ = unlink(path)
        return ""
    }

    /// Why the steps of a run that audits exact still fail the soak ("" when they do not): a
    /// right final balance can hide a recovery that went wrong on the way.
    /// - A fallback to an older checkpoint while the schedule damaged at most `parity` shards
    ///   (every damaging step hits at most one shard of a checkpoint): the code should have
    ///   rebuilt them.
    /// - A frame resent after a loss or a bad check that fails its check again: the soak's
    ///   faults damage frames on the wire only, so the sender resent the wrong one.
    /// - A commit that failed (the soak never damages the sink), such as a repeated epoch
    ///   (`duplicateCommits`) the sink did not refuse.
    /// - An audit during the run that found the sink wrong (the soak never damages it), even
    ///   when a later commit rewrote the rows and the final audit is exact.
    /// - A node quarantined or dead at the end, after the schedule healed every node.
    /// - With `everyDetectionCaused`: a node marked down that no fault of the schedule on that
    ///   node, at or before it, explains.
    static func judgeSteps(_ d: Drill, end: ClusterSnapshot, parity: Int, everyDetectionCaused: Bool) -> String {
        let damage = d.steps.filter { step in
            switch step.command {
            case .corruptShard, .deleteShard, .wipeDisk, .tearWrite: true
            case .kill, .hang, .slow, .corruptFrame, .partition, .heal, .checkpointNow, .recoverNow, .restart, .savepoint,
                 .corruptCheckpoint, .corruptSink, .corruptRows: false
            }
        }.count
        for e in end.events {
            switch e.detail {
            case let .fallback(from, to) where damage <= parity:
                return "at \(stamp(e.time)) the recovery fell back from checkpoint \(from) to \(to) while the schedule damaged \(damage) shard\(damage == 1 ? "" : "s"), at most the \(parity) the code rebuilds"
            case let .inputStalled(from, .resentBad(frame)):
                // The wire damages what it carries, never the sender's copy.
                return "at \(stamp(e.time)) node \(e.node.map(String.init) ?? "?")'s input from node \(from) stalled: frame \(frame) was resent and failed its check again, though nothing damages a sender's copy"
            case let .auditMismatch(epoch, lost, duplicated, accounts, _):
                // The soak never damages the sink: every committed epoch must audit exact.
                return "at \(stamp(e.time)) the audit of epoch \(epoch) found \(lost) lost, \(duplicated) duplicated, \(accounts) accounts wrong, and nothing in the schedule damaged the sink"
            case let .checkpointFailed(id, .commit(why)):
                // The soak never damages the sink: a commit has no reason to fail.
                return "at \(stamp(e.time)) checkpoint \(id) failed to commit (\(why)), and nothing in the schedule damaged the sink"
            case let .nodeDown(n, _, _) where everyDetectionCaused:
                let caused = d.steps.contains { step in
                    guard step.at <= e.time + 1e-9 else { return false }
                    switch step.command {
                    case let .kill(i), let .hang(i), let .slow(i, _), let .partition(i), let .restart(i): return i == n
                    case .corruptFrame, .heal, .checkpointNow, .recoverNow, .savepoint, .corruptShard, .deleteShard, .wipeDisk, .tearWrite,
                         .corruptCheckpoint, .corruptSink, .corruptRows: return false
                    }
                }
                if !caused { return "at \(stamp(e.time)) node \(n) was marked down, and no fault of the schedule on node \(n) came before it" }
            default: continue
            }
        }
        if let n = end.nodes.first(where: { $0.health == .quarantined || $0.health == .dead }) {
            return "node \(n.id) is \(n.health.rawValue) at the end, after the schedule healed every node"
        }
        return ""
    }

    /// A step as a failing seed's report gives it: `0.250s kill 3`.
    public static func line(_ step: Drill.Step) -> String { "\(stamp(step.at)) \(step.command)" }

    /// A time in a seed's report, to the millisecond: `0.25s`.
    static func stamp(_ t: Double) -> String { "\((t * 1000).rounded() / 1000)s" }

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
#if canImport(Glibc)
import Glibc
#endif
