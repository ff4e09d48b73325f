import Engine
import Foundation
import Synchronization

/// An attached Flink job behind the one runtime interface drills play on: commands go to
/// `FlinkActions` (signals, REST), snapshots come from the `FlinkObserver`, time is the wall
/// clock. Each fault starts a `FlinkRecoveryClock` trial; `finish` lets the job settle, takes
/// a last look and checks the live auditor against an independent recount.
public final class FlinkRuntime: EngineRuntime, @unchecked Sendable {
    public let observer: FlinkObserver
    public let actions: FlinkActions
    public let config: JobConfig
    public let runtimeName: String
    /// How long `finish` waits for the job to complete checkpoints after the last fault.
    public var settleSeconds = 45.0
    let clock = Mutex(FlinkRecoveryClock())
    let outcome = Mutex(FlinkRunOutcome())
    /// The observer's clock when the runtime opened.
    let base: Double

    /// A runtime on an observer whose first poll has answered.
    public init(observer: FlinkObserver, actions: FlinkActions) {
        self.observer = observer
        self.actions = actions
        var c = JobConfig()
        c.nodes = max(1, observer.taskManagerIds.count)
        c.accounts = observer.auditor?.ledger.accounts ?? c.accounts
        c.rate = observer.lab.map { Double($0.rate) }
        config = c
        base = observer.now
        let s = observer.snapshot()
        runtimeName = "flink \(s.attached?.version ?? "?") at \(observer.client.base)"
        outcome.withLock {
            // Both come with the observer's slower tier: before it answers, neither is known.
            if let r = s.attached?.restarts {
                $0.restartsAtStart = r
                $0.restoredAtStart = s.restoredFrom
            }
        }
        _ = look(s)
    }

    public var uptime: Double { observer.now }

    public func apply(_ command: Command) throws(CommandError) {
        let ids = observer.taskManagerIds
        var command = try actions.resolve(command)
        // The dashboard's `D` (rot the shard on the selected disk) means the newest checkpoint here.
        if case let .corruptShard(ref, _) = command { command = .corruptCheckpoint(ref, file: nil) }
        try actions.apply(command)
        switch command {
        case let .kill(n), let .hang(n):
            let t = uptime
            clock.withLock { $0.fault(at: t, taskManager: n < ids.count ? ids[n] : nil) }
        case .corruptCheckpoint:
            outcome.withLock { $0.corrupted = actions.corrupted }
        default: break
        }
    }

    public func snapshot() -> ClusterSnapshot { look(observer.snapshot()) }

    /// Feeds the recovery clock and the outcome from one snapshot.
    @discardableResult
    func look(_ s: ClusterSnapshot) -> ClusterSnapshot {
        let a = s.attached
        clock.withLock { $0.observe(FlinkRecoveryClock.Look(s)) }
        let restore: UInt64? = outcome.withLock { o in
            // The restart count and the restored checkpoint come with the observer's slower
            // tier: the first ones seen are where the run starts from (a restore Flink did
            // before it is the job's past, never the run's).
            var new: UInt64?
            if o.restartsAtStart == nil, let r = a?.restarts {
                o.restartsAtStart = r
                o.restoredAtStart = s.restoredFrom
            } else if o.restartsAtStart != nil, let r = s.restoredFrom, r != o.restoredAtStart, !o.restored.contains(r) {
                o.restored.append(r)
                new = r
            }
            if let st = a?.jobState, !o.states.contains(st) { o.states.append(st) }
            return new
        }
        // Read while Flink still retains it: a checkpoint after the rot carries it when it
        // refers to the same shared file.
        if let restore, let rot = actions.rot(carriedBy: restore) {
            outcome.withLock { $0.restoredRot.append(.init(checkpoint: restore, rot: rot)) }
        }
        return s
    }

    public func advance(to time: Double) {
        while uptime < time { Thread.sleep(forTimeInterval: max(0.001, min(0.05, time - uptime))) }
        _ = snapshot()
    }

    /// The recovery of each fault so far, in seconds since the runtime opened (the drill's clock).
    public var trials: [FlinkRecoveryClock.Trial] { clock.withLock { $0.trials }.map { $0.rebased(by: base) } }

    /// What the run came to (complete after `finish`).
    public var result: FlinkRunOutcome {
        var o = outcome.withLock { $0 }
        o.trials = trials
        return o
    }

    /// Lets the job settle (two checkpoints completed after the last look, or a state it will
    /// not leave), stops the observer, takes a last look, recounts the committed output
    /// independently, and returns the auditor's verdict.
    public func finish() -> AuditVerdict {
        let start = uptime
        let from = observer.snapshot().newestCheckpoint ?? 0
        while uptime - start < settleSeconds {
            let s = snapshot()
            let state = s.attached?.jobState ?? ""
            if ["FAILED", "FINISHED", "CANCELED", "SUSPENDED"].contains(state) { break }
            if state == "RUNNING", let n = s.newestCheckpoint, n >= from + 2 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let s = look(observer.lastLook())
        let settled = uptime - start
        outcome.withLock { $0.settled = settled }
        end(s)
        return s.audit
    }

    /// Flink settles in its own time (`settleSeconds`): the bound is that.
    public func finish(within seconds: Double) -> AuditVerdict { finish() }

    /// The outcome so far, the job still running (a drill played live ends while the job
    /// runs on): the job's state now, and the live audit beside a recount of the same files.
    public func outcomeNow() -> FlinkRunOutcome {
        end(snapshot())
        return result
    }

    /// The job's state, restarts and exceptions as of `s`, and the recount.
    func end(_ s: ClusterSnapshot) {
        outcome.withLock { o in
            o.finalState = s.attached?.jobState
            o.restartsAtEnd = s.attached?.restarts
            o.exceptions = s.events.filter { $0.kind == .error && $0.message.hasPrefix("exception:") }.map(\.message)
        }
        recount()
    }

    /// The live auditor's verdict and an independent recount of the files it read, taken
    /// together under its lock.
    func recount() {
        guard let a = observer.auditor else { return }
        observer.auditLock.lock()
        let live = a.verdict
        let recount = LedgerRecount.count(directory: a.directory, files: a.filesRead, through: a.next, ledger: a.ledger)
        observer.auditLock.unlock()
        outcome.withLock { o in
            o.live = live
            o.recount = recount
        }
    }
}

/// A restored checkpoint that held a rotten file.
public struct RestoredRot: Sendable, Equatable {
    /// The checkpoint Flink restored.
    public var checkpoint: UInt64
    /// The checkpoint firedrill corrupted.
    public var corrupted: UInt64
    /// The rotten file, as the checkpoint names it.
    public var file: String

    public init(checkpoint: UInt64, rot: CheckpointRot) {
        self.checkpoint = checkpoint
        corrupted = rot.checkpoint
        file = rot.file
    }

    /// "10, which refers to shared/… corrupted in 9", or "9".
    public var description: String {
        checkpoint == corrupted ? "\(checkpoint)" : "\(checkpoint), which refers to \(file) corrupted in \(corrupted)"
    }
}

/// What a drill on Flink came to, beyond the engine's verdict: the job's states and restarts,
/// the checkpoints it restored, the phases of each recovery, and the live auditor's verdict
/// beside an independent recount of the same files.
public struct FlinkRunOutcome: Sendable, Equatable {
    public var restartsAtStart: Int?
    public var restartsAtEnd: Int?
    public var restoredAtStart: UInt64?
    /// Checkpoints Flink restored during the run, in order.
    public var restored: [UInt64] = []
    /// Checkpoints firedrill corrupted.
    public var corrupted: [UInt64] = []
    /// Restored checkpoints that held a file firedrill corrupted: the one it corrupted, or a
    /// later incremental one that refers to the same rotten `shared/` file.
    public var restoredRot: [RestoredRot] = []
    /// Every job state seen, in the order first seen.
    public var states: [String] = []
    public var finalState: String?
    /// Exceptions Flink reported during the run (their first lines).
    public var exceptions: [String] = []
    public var trials: [FlinkRecoveryClock.Trial] = []
    /// Seconds `finish` waited for the job to settle.
    public var settled: Double = 0
    public var live: LedgerAuditor.Verdict?
    public var recount: LedgerRecount?
    /// With the checkpoint guard: what it said, and the checkpoints it rebuilt a file of.
    public var guardEvents: [String] = []
    public var guardRepaired: [UInt64] = []

    public init() {}

    /// Restarts during the run.
    public var restarts: Int? {
        guard let a = restartsAtStart, let b = restartsAtEnd else { return nil }
        return max(0, b - a)
    }
}
