/// The one control plane: failure detection, the host-stall guard, supervision, recovery
/// decisions and their phases, checkpoint triggering, timeouts and abandonment, and the
/// operator's commands — a deterministic state machine both runtimes drive.
///
/// It reads time (the runtime's nanoseconds) and inputs (heartbeats, stalled inputs,
/// offsets read, the coordinator's progress, commands, recovery results) and returns
/// actions (`ControlAction`) for the runtime to carry out; it touches no thread, clock,
/// file or link itself. The threaded runtime carries the actions out on real threads and
/// files, the simulated one on a seeded scheduler, a virtual clock and a memory disk —
/// so the chaos soak exercises the same decisions the dashboard runs (TigerBeetle's one
/// `Replica` in production and in its simulator; swift-nio's state machines tested on
/// `EmbeddedEventLoop`).
public struct ControlPlane: Sendable {
    /// How often a runtime drives `tick`, nanoseconds (both runtimes use it).
    public static let tickNanos: UInt64 = 2_000_000
    /// How often a live node beats, nanoseconds.
    public static let heartbeatNanos: UInt64 = 50_000_000
    /// Least seconds between two rollbacks for inputs that lost frames.
    static let stallRecoverySpacing = 1.0
    /// A late node's work must have turned this recently to answer the probe (two heartbeat
    /// periods: a killed node's work stopped at least the detector's ~186 ms ago).
    static let probeWindow = 0.1
    /// A replay not caught up after this many seconds is no longer tracked.
    static let replayLimit = 120.0

    /// A node as the control plane knows it from the faults it carried out.
    public enum Condition: Sendable, Equatable {
        case alive
        /// Killed (or quarantined): memory and queues gone until a recovery restores it.
        case dead
        /// Hung: alive but doing nothing until healed or restarted.
        case hung
    }

    /// Where the checkpoint in flight is, as the coordinator says.
    public enum CheckpointProgress: Sendable, Equatable {
        case idle
        /// Barriers injected at this time (runtime nanoseconds), not yet all aligned.
        case aligning(since: UInt64)
        /// Every snapshot is in; it is being written and committed.
        case persisting
    }

    /// What the runtime saw, at one tick.
    public struct Observation: Sendable {
        /// Per node, when it last beat (runtime nanoseconds; a partitioned node's beats are lost).
        public var heartbeats: [UInt64]
        /// Per node, when its work loop last turned (runtime nanoseconds; empty: not
        /// watched). Heartbeats say a node lives; this says it gets anything done.
        public var progress: [UInt64]
        /// Per node, an input lost frames it cannot get again.
        public var stalled: [Bool]
        /// Transfers read by every source (the sum of their offsets).
        public var offsetsRead: Int64
        public var checkpoint: CheckpointProgress
        /// The audit lag bound holds the sources.
        public var heldForAudit: Bool
        /// The job is stopping: no checkpoint begins unless asked.
        public var stopping: Bool

        public init(heartbeats: [UInt64], progress: [UInt64] = [], stalled: [Bool], offsetsRead: Int64, checkpoint: CheckpointProgress, heldForAudit: Bool, stopping: Bool) {
            self.heartbeats = heartbeats
            self.progress = progress
            self.stalled = stalled
            self.offsetsRead = offsetsRead
            self.checkpoint = checkpoint
            self.heldForAudit = heldForAudit
            self.stopping = stopping
        }
    }

    public let nodes: Int
    /// Seconds between checkpoints (nil: only when asked).
    public let checkpointInterval: Double?
    /// Seconds a checkpoint may take to align before it is abandoned.
    public let checkpointTimeout: Double
    /// The runtime nanoseconds that count as time 0.
    public let startNanos: UInt64

    public private(set) var detectors: [PhiAccrualDetector]
    public private(set) var supervisor: Supervisor
    public private(set) var stallGuard = HostStallGuard()
    /// How slow this host is now (Lifeguard): the silence a node is allowed grows with it.
    public private(set) var localHealth = LocalHealth()
    /// Nodes heartbeating without progress (gray failures).
    public private(set) var stallWatch: StallWatch
    public private(set) var health: [ClusterSnapshot.Health]
    public private(set) var phi: [Double]
    public private(set) var conditions: [Condition]
    public private(set) var slow: [Bool]
    public private(set) var partitioned: [Bool]
    /// The recoveries so far (the newest 100), with their phases.
    public private(set) var recoveries: [ClusterSnapshot.Recovery] = []
    var lastBeat: [UInt64]
    /// Per node, when its work was last seen to turn, seconds, moved on by pauses of the
    /// host as a detector's last beat is (a stall the plane did not watch is not the node's).
    var lastProgress: [Double]
    /// Per node, a suspicion its own work answered (said once per episode).
    var answered: [Bool]
    var faultAt: [Double?]
    /// Whether a torn write was planned (`heal all` calls it off).
    var tearPlanned = false
    /// Nodes the operator restarted: the recovery that follows is their own, not an absorbing one.
    var restartedByOperator = Set<Int>()
    var downAt: [Double?]
    var request: (reason: String, failed: Set<Int>)?
    var replay: (target: Int64, since: Double)?
    var lastStallRecovery = -100.0
    var lastTrigger: UInt64
    var checkpointAsked = false
    var lastTickNanos: UInt64

    /// A control plane for `config`'s nodes, with time 0 at `startNanos`.
    public init(config: JobConfig, startNanos: UInt64) {
        let n = max(1, config.nodes)
        nodes = n
        checkpointInterval = config.checkpointInterval
        checkpointTimeout = max(10, (config.checkpointInterval ?? 1) * 10)
        self.startNanos = startNanos
        detectors = Array(repeating: PhiAccrualDetector(), count: n)
        supervisor = Supervisor(nodes: n)
        stallWatch = StallWatch(nodes: n)
        health = Array(repeating: .healthy, count: n)
        phi = Array(repeating: 0, count: n)
        conditions = Array(repeating: .alive, count: n)
        slow = Array(repeating: false, count: n)
        partitioned = Array(repeating: false, count: n)
        lastBeat = Array(repeating: 0, count: n)
        lastProgress = Array(repeating: 0, count: n)
        answered = Array(repeating: false, count: n)
        faultAt = Array(repeating: nil, count: n)
        downAt = Array(repeating: nil, count: n)
        lastTrigger = startNanos
        lastTickNanos = startNanos
    }

    /// Seconds since time 0.
    func seconds(_ nanos: UInt64) -> Double { Double(nanos &- min(nanos, startNanos)) / 1e9 }

    /// Seconds since node `i`'s last heartbeat, at the last tick.
    public func heartbeatAge(_ i: Int) -> Double {
        detectors[i].lastHeartbeat.map { max(0, seconds(lastTickNanos) - $0) } ?? 0
    }

    /// Whether every node is alive (no checkpoint begins while one is dead or hung).
    public var allAlive: Bool { !conditions.contains { $0 != .alive } }

    // MARK: - Commands

    /// An operator command: checks it, updates the books and says what the runtime must do.
    /// A node that does not exist is refused with nothing done; a shard that does not exist
    /// is refused by the runtime's `damageShard` (the same error on both runtimes).
    public mutating func command(_ c: Command, at nanos: UInt64) -> Result<[ControlAction], CommandError> {
        let now = seconds(nanos)
        if let node = c.node, node < 0 || node >= nodes {
            return .failure(CommandError("node \(node) does not exist: nodes are 0-\(nodes - 1)"))
        }
        var out: [ControlAction] = []
        switch c {
        case let .kill(i):
            conditions[i] = .dead
            faultAt[i] = now
            out.append(.kill(i))
        case let .hang(i):
            if conditions[i] == .alive { conditions[i] = .hung }
            faultAt[i] = now
            out.append(.hang(i))
        case let .slow(i, delay):
            slow[i] = delay > 0
            out.append(.slow(i, nanos: UInt64(max(0, min(delay, DurationText.maxSeconds)) * 1e9)))
        case let .corruptFrame(i):
            out.append(.corruptFrame(i))
        case let .partition(i):
            partitioned[i] = true
            faultAt[i] = now
            out.append(.partition(i, true))
        case let .corruptShard(ref, s):
            out.append(.damageShard(ref, s, delete: false))
        case let .deleteShard(ref, s):
            out.append(.damageShard(ref, s, delete: true))
        case let .wipeDisk(i):
            out.append(.wipeDisk(i))
        case let .tearWrite(n):
            tearPlanned = true
            out.append(.tearWrite(n))
        case .corruptSink, .corruptRows:
            break  // the runtime acts on the sink (`ControlHost.corruptSink`, `corruptRows`): nothing to decide
        case let .heal(target):
            var rejoin: [Int] = []
            var wasPartitioned = false
            for i in 0..<nodes where target == nil || target == i {
                if slow[i] { out.append(.slow(i, nanos: 0)) }
                slow[i] = false
                if partitioned[i] { out.append(.partition(i, false)) }
                wasPartitioned = wasPartitioned || partitioned[i]
                partitioned[i] = false
                if conditions[i] == .hung {
                    conditions[i] = .alive
                    out.append(.resume(i))
                }
                if supervisor.quarantined[i] { rejoin.append(i) }
            }
            supervisor.heal(target)
            if target == nil && tearPlanned {  // a torn write not yet happened is called off
                tearPlanned = false
                out.append(.tearWrite(0))
            }
            if !rejoin.isEmpty {
                ask("quarantined node\(rejoin.count == 1 ? "" : "s") \(rejoin.map(String.init).joined(separator: ", ")) rejoin", failed: Set(rejoin))
            } else if wasPartitioned {
                // Frames were dropped while cut off: a rollback resynchronises every link.
                ask("partition healed")
            }
        case .checkpointNow:
            checkpointAsked = true
        case .recoverNow:
            ask("operator asked")
        case let .restart(i):
            conditions[i] = .dead
            faultAt[i] = now
            out.append(.kill(i))
            ask("node \(i) restarted by the operator", failed: [i])
            restartedByOperator.insert(i)
        case .savepoint, .corruptCheckpoint:
            return .failure(CommandError("'\(c)' acts on an attached Flink cluster; the embedded engine's checkpoints are sharded: try 'corrupt shard latest 0'"))
        }
        return .success(out)
    }

    /// Asks for a checkpoint at the next tick (unless one is under way).
    public mutating func askCheckpoint() { checkpointAsked = true }

    mutating func ask(_ reason: String, failed: Set<Int> = []) {
        if var r = request {
            r.failed.formUnion(failed)
            request = r
        } else {
            request = (reason, failed)
        }
    }

    // MARK: - The tick

    /// One pass of the detector, the supervisor, the replay tracker and the checkpoint
    /// trigger at `nanos`. A recovery, when one is due, is the last action; the runtime
    /// carries it out and reports with `recovered`.
    public mutating func tick(at nanos: UInt64, _ o: Observation) -> [ControlAction] {
        let now = seconds(nanos)
        localHealth.pass(gap: seconds(nanos) - seconds(lastTickNanos), period: Double(Self.tickNanos) / 1e9, now: now)
        lastTickNanos = nanos
        var out: [ControlAction] = []
        if let pause = stallGuard.beginPass(now: now) {
            for i in 0..<nodes {
                detectors[i].discount(pause.seconds, now: now)
                lastProgress[i] = min(now, lastProgress[i] + pause.seconds)
            }
            out.append(.event(.enginePaused(seconds: pause.seconds)))
        }
        for i in 0..<nodes where i < o.heartbeats.count {
            let beat = o.heartbeats[i]
            if beat != lastBeat[i] {
                lastBeat[i] = beat
                // A beat from a node suspected at the last pass is a suspicion refuted:
                // the host, not the node, was slow (a sign for `localHealth`).
                if let last = detectors[i].lastHeartbeat, phi[i] >= detectors[i].suspectThreshold,
                   health[i] != .recovering && health[i] != .down { localHealth.refuted(after: seconds(beat) - last, previous: last, now: now) }
                detectors[i].heartbeat(at: seconds(beat))
            }
        }
        // Judged with what a slow host is allowed; the phi shown is the phi judged.
        let extra = localHealth.extraPause
        for i in 0..<nodes { phi[i] = detectors[i].phi(at: now, extraPause: extra) }
        let live = (0..<nodes).map { !supervisor.quarantined[$0] && health[$0] != .down }
        let silence = detectors.map { $0.lastHeartbeat.map { now - $0 } ?? 0 }
        let stall = stallGuard.judge(silence: silence, live: live, now: now)
        if let m = stall.message { out.append(.event(.hostStall(m))) }
        for i in 0..<nodes {
            let quarantined = supervisor.quarantined[i]
            if i < o.progress.count { lastProgress[i] = max(lastProgress[i], seconds(o.progress[i])) }
            let stuck = max(0, now - lastProgress[i])
            // SWIM's probe before a verdict: a node whose heartbeats are late but whose work
            // loop turned within the probe window answers it, so its heartbeat sender was
            // starved (a busy host), not the node: suspect, never down. A killed or hung
            // node's work stops with its beats; a partitioned one cannot answer across the cut.
            let late = phi[i] >= detectors[i].threshold
            let answers = late && i < o.progress.count && !partitioned[i] && health[i] != .down && stuck < Self.probeWindow
            if answers && !answered[i] {
                out.append(.event(.hostStall("node \(i)'s heartbeats are \(Int((silence[i] * 1000).rounded())) ms late but its work goes on (\(Int((stuck * 1000).rounded())) ms ago): its heartbeat sender was starved, not the node; not marked down")))
            }
            answered[i] = answers || (answered[i] && late)
            let down = late && !answers && (!stall.holdVerdicts || health[i] == .down)
            // Gray failure: heartbeats come (the detector holds it for alive) but the work does not.
            let watched = !quarantined && !down && conditions[i] == .alive && health[i] != .recovering && health[i] != .down
                && i < o.progress.count && phi[i] < detectors[i].threshold
            var stallLimit = false
            switch stallWatch.judge(i, stuck: stuck, watched: watched, extra: stallWatch.limit * (localHealth.multiplier - 1)) {
            case .none: break
            case let .began(s): out.append(.event(.nodeStalled(node: i, seconds: s, phase: .began)))
            case let .ended(s): out.append(.event(.nodeStalled(node: i, seconds: s, phase: .ended)))
            case let .limit(s):
                out.append(.event(.nodeStalled(node: i, seconds: s, phase: .restarted)))
                stallLimit = true
            }
            let h: ClusterSnapshot.Health
            if quarantined { h = .quarantined }
            else if down || stallLimit { h = .down }
            else if conditions[i] == .hung { h = .hung }
            else if partitioned[i] { h = .partitioned }
            else if stallWatch.isStalled(i) { h = .stalled }
            else if phi[i] >= detectors[i].suspectThreshold { h = .suspect }
            else if slow[i] { h = .slow }
            else { h = .healthy }
            if h == .down && health[i] != .down && !quarantined {
                downAt[i] = now
                if !stallLimit { out.append(.event(.nodeDown(node: i, phi: phi[i], silence: silence[i]))) }
                switch supervisor.down(i, now: now) {
                case let .restart(_, backoff):
                    out.append(.event(.restartScheduled(node: i, backoff: backoff)))
                case let .quarantine(r):
                    out.append(.event(.quarantined(node: i, restarts: r, window: supervisor.window)))
                    conditions[i] = .dead
                    out.append(.kill(i))
                case .alreadyHandled: break
                }
            }
            health[i] = h
        }
        let due = supervisor.dueRestarts(now: now)
        if !due.isEmpty { ask("node\(due.count == 1 ? "" : "s") \(due.map(String.init).joined(separator: ", ")) down", failed: Set(due)) }
        // An input that lost frames it cannot get again needs a rollback, unless a
        // partition is still cutting it off (the supervisor deals with that node).
        if request == nil && !partitioned.contains(true) && now - lastStallRecovery > Self.stallRecoverySpacing,
           let stalled = (0..<min(nodes, o.stalled.count)).first(where: { o.stalled[$0] && conditions[$0] == .alive }) {
            lastStallRecovery = now
            ask("node \(stalled) lost frames that could not be sent again")
        }
        if let r = replay {
            if o.offsetsRead >= r.target {
                replay = nil
                if !recoveries.isEmpty { recoveries[recoveries.count - 1].replay = now - r.since }
                out.append(.event(.caughtUp(after: now - r.since)))
            } else if now - r.since > Self.replayLimit {
                replay = nil
            }
        }
        if case let .aligning(since) = o.checkpoint, seconds(nanos) - seconds(since) > checkpointTimeout {
            out.append(.abandonCheckpoint(.alignmentTimeout(seconds: checkpointTimeout)))
        }
        if let r = request {
            request = nil
            var failed = r.failed
            for i in 0..<nodes where conditions[i] != .alive && !supervisor.quarantined[i] { failed.insert(i) }
            for i in failed where !supervisor.quarantined[i] { health[i] = .recovering }
            out.append(.event(.recoveryBegan(reason: r.reason)))
            out.append(.recover(RecoveryOrder(reason: r.reason, failed: failed, quarantined: supervisor.quarantined,
                                              offsetsRead: o.offsetsRead, at: now)))
            return out
        }
        let interval = checkpointInterval.map { UInt64($0 * 1e9) }
        let due2 = !o.stopping && (interval.map { nanos &- lastTrigger >= $0 } ?? false)
        // No new checkpoint while a node is down or hung, nor while the sources wait for
        // the auditor: the newest complete checkpoint stays within the bound of the audited one.
        if (due2 || checkpointAsked) && o.checkpoint == .idle && allAlive && !o.heldForAudit {
            checkpointAsked = false
            lastTrigger = nanos
            out.append(.beginCheckpoint)
        }
        return out
    }

    // MARK: - Recovery results

    /// The runtime carried out `order`: it rolled every node back to `plan` (nil: no
    /// checkpoint restores) in `restoreSeconds`, at `nanos`. Returns the events that tell it.
    public mutating func recovered(_ order: RecoveryOrder, plan: RecoveryResult, restoreSeconds: Double, at nanos: UInt64) -> [ControlAction] {
        let now = seconds(nanos)
        var out: [ControlAction] = []
        var detect: Double?
        // A node killed just before the recovery was ordered, swept into it undetected: the
        // recovery absorbed that fault too (no detection will ever come for it).
        var undetected = Set<Int>()
        for i in order.failed {
            if downAt[i] == nil, faultAt[i] != nil, conditions[i] == .dead, !restartedByOperator.contains(i) { undetected.insert(i) }
            restartedByOperator.remove(i)
            if let down = downAt[i], let fault = faultAt[i], down >= fault { detect = max(detect ?? 0, down - fault) }
            faultAt[i] = nil
            downAt[i] = nil
            detectors[i].restarted(at: now)
            phi[i] = 0  // a new incarnation: its first beat refutes nothing
            stallWatch.reset(i)
            lastProgress[i] = now
            if health[i] == .recovering { health[i] = .healthy }
        }
        let wasDead = conditions.map { $0 == .dead }
        for i in 0..<nodes where !order.quarantined[i] {
            conditions[i] = .alive
        }
        stallGuard.busy(until: now)
        lastTickNanos = nanos  // the recovery's own time is not lateness of the host,
        localHealth.unwatched(until: now)  // but beats in it went unseen
        let sources: [RestoreSource?]
        if let p = plan.checkpoint {
            for s in plan.skipped { out.append(.event(.restoreSkipped(s))) }
            for r in plan.rebuilt { out.append(.event(.shardRebuilt(checkpoint: p, shard: r.shard, reason: r.reason))) }
            if let newest = plan.newest, newest != p { out.append(.event(.fallback(from: newest, to: p))) }
            sources = (0..<nodes).map { order.quarantined[$0] || $0 >= plan.sources.count ? nil : plan.sources[$0] }
            out.append(.event(.rolledBack(checkpoint: p, seconds: restoreSeconds, sources: sources)))
            // A node killed after this recovery was ordered, restored by it from a copy other than
            // its own memory (which the kill took): the recovery absorbed that fault. Its clock
            // stops here, so a later detection of the node is never credited to it.
            for i in 0..<nodes where undetected.contains(i) || (!order.failed.contains(i) && faultAt[i] != nil && wasDead[i]) {
                guard let s = sources[i], s != .local else { continue }
                faultAt[i] = nil
                downAt[i] = nil
                detectors[i].restarted(at: now)
                out.append(.event(.faultAbsorbed(node: i, checkpoint: p, source: s)))
            }
        } else {
            sources = Array(repeating: nil, count: nodes)
            out.append(.event(.startedOver))
        }
        let texts = plan.checkpoint == nil ? ["from the beginning: no checkpoint restores"]
            : (0..<nodes).map { "node \($0): \(sources[$0]?.description ?? "quarantined")" }
        recoveries.append(ClusterSnapshot.Recovery(reason: order.reason, detect: detect, restore: restoreSeconds, replay: nil,
                                                   checkpoint: plan.checkpoint, sources: texts, at: order.at, restoredFrom: sources))
        if recoveries.count > 100 { recoveries.removeFirst() }
        replay = (order.offsetsRead, now)
        return out
    }
}

/// What the control plane asks a runtime to do.
public enum ControlAction: Sendable, Equatable {
    /// The node's process dies: working state, queues and memory are gone.
    case kill(Int)
    /// The node stops doing anything (no work, no heartbeats).
    case hang(Int)
    /// A hung node carries on.
    case resume(Int)
    /// The node takes this long over each batch (0: normal).
    case slow(Int, nanos: UInt64)
    /// Every link to and from the node drops its frames (or stops dropping).
    case partition(Int, Bool)
    /// The next frame from the node to its neighbour gets a flipped bit.
    case corruptFrame(Int)
    /// A bit flipped in (or the file removed of) a stored shard.
    case damageShard(CheckpointRef, Int, delete: Bool)
    /// The node's disk loses everything on it.
    case wipeDisk(Int)
    /// The `n`-th write to the disks from now tears (0: call off one planned).
    case tearWrite(Int)
    /// Inject the next checkpoint's barriers.
    case beginCheckpoint
    /// Give up the checkpoint in flight.
    case abandonCheckpoint(EngineEvent.CheckpointFailure)
    /// Halt every node, roll back and replay (stop the world).
    case recover(RecoveryOrder)
    /// Log this.
    case event(EngineEvent.Detail)
}

/// A recovery the control plane decided on.
public struct RecoveryOrder: Sendable, Equatable {
    public var reason: String
    /// Nodes that restart as a new incarnation (with empty memory).
    public var failed: Set<Int>
    /// Nodes that stay down.
    public var quarantined: [Bool]
    /// Where the sources were when it was decided: the replay is caught up there.
    public var offsetsRead: Int64
    /// Seconds since time 0.
    public var at: Double
}

/// What a recovery restored, as the control plane needs to know it.
public struct RecoveryResult: Sendable, Equatable {
    /// The checkpoint everyone rolled back to (nil: none restores; from the beginning).
    public var checkpoint: UInt64?
    /// The newest complete checkpoint when the recovery began.
    public var newest: UInt64?
    public var sources: [RestoreSource]
    public var skipped: [String]
    public var rebuilt: [(shard: Int, reason: String)]

    public init(checkpoint: UInt64?, newest: UInt64?, sources: [RestoreSource], skipped: [String], rebuilt: [(shard: Int, reason: String)]) {
        self.checkpoint = checkpoint
        self.newest = newest
        self.sources = sources
        self.skipped = skipped
        self.rebuilt = rebuilt
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.checkpoint == b.checkpoint && a.newest == b.newest && a.sources == b.sources && a.skipped == b.skipped
            && a.rebuilt.map(\.shard) == b.rebuilt.map(\.shard) && a.rebuilt.map(\.reason) == b.rebuilt.map(\.reason)
    }
}
