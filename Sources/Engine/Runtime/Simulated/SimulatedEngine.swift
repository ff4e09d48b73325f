import Integrity
import Synchronization

/// The payments job on one thread, with a seeded scheduler, a virtual clock, an
/// in-memory disk and an in-memory SQLite sink: the same `NodeCore`s, `NodeDriver`s,
/// links, coordinator, checkpoint pipeline and control plane as `ThreadedEngine`, but every
/// choice of which node acts next comes from the seed, so a seed replays exactly.
public final class SimulatedEngine {
    public let config: JobConfig
    public let seed: UInt64
    public let disk: MemoryDisk
    public let clock = VirtualClock()
    let sinkPath: String
    var rng: SplitMix
    let links: [[Link]]
    var drivers: [NodeDriver] = []
    let coordinator: Coordinator
    let persistence: Persistence
    let auditor: Auditor
    let board: StatusBoard
    /// The one control plane (the same type the threaded runtime drives).
    var control: ControlPlane
    /// The job is finishing: the sources read nothing more.
    var paused = false
    /// The audit lag bound holds the sources (the board's gate says so; kept here for the
    /// scheduler's every step).
    var held = false
    var actionHash = CRC32C()
    /// What happened, in order; the same seed gives the same trace.
    public internal(set) var trace: [String] = []
    public private(set) var steps = 0
    let memories: [NodeMemory]
    /// The environment: which nodes run (0 alive, 1 dead, 2 hung), how slow, cut off,
    /// halted for a recovery, and when each last beat.
    var condition: [UInt8]
    var slowNanos: [UInt64]
    var partitioned: [Bool]
    var beatAt: [UInt64]
    var beats: [UInt64]
    /// When each node's work last turned (its heartbeats come apart from it).
    var progress: [UInt64]
    /// A node's work is stuck until this time while its heartbeats go on (a gray failure
    /// a test sets with `stallWork`).
    var stuckUntil: [UInt64]
    /// Counters of earlier incarnations (a restored core counts from zero; replays count again).
    var retired: [(produced: Int64, applied: Int64, corrupt: Int64)]
    public let replicas: Int
    var scrubber: Scrubber
    var nextTick: UInt64 = 0
    var nextScrub: UInt64 = 0
    var nextSample: UInt64 = 0
    var nextAgeSample: UInt64 = 0
    /// Virtual seconds one audit takes (0: the audit is done at the commit). A slowed
    /// auditor shows the lag bound at work: the sources wait for it.
    public var auditDelay: Double = 0
    /// An audit under way: its verdict (computed at its start, from one consistent read)
    /// is published when the virtual clock reaches `due`.
    var auditInFlight: (due: UInt64, result: Result<AuditVerdict, SinkError>)?
    /// A commit came in since the audit under way started: another audit follows it
    /// (re-reading every row when `true`).
    var auditWanted: Bool?
    /// After a failed audit, when to try again.
    var auditRetryAt: UInt64?
    /// Virtual seconds a standby copy may take to reach its holder, drawn per copy from the
    /// seed up to this (0: at the instant the checkpoint completes). The threaded runtime's
    /// replication runs behind the checkpoints; with a delay the simulation has that window
    /// too: a node lost just after a checkpoint has no standby of it yet (its restore reads
    /// the shards), and a copy that lands late may be older than the one its holder keeps.
    public var standbyDelay: Double = 0
    /// Standby copies on their way, with when each lands (a holder that dies loses those
    /// sent to it).
    var standbyInFlight: [StandbyCopy] = [] {
        didSet { nextLanding = standbyInFlight.lazy.map(\.due).min() ?? .max }
    }
    /// When the first copy in flight lands (`.max`: none), so a step looks at them only then.
    var nextLanding: UInt64 = .max
    /// Virtual seconds a complete checkpoint's write may take, drawn per checkpoint from the
    /// seed up to this (0: stored in the step that completes it). The threaded runtime's
    /// writes take the disk's time (seconds beside a busy neighbour's fsyncs); with a delay
    /// the simulation has that window too: a recovery during a write gives the checkpoint
    /// up (`Coordinator.supersede`), and its write lands after the rollback, to be removed.
    public var writeDelay: Double = 0
    /// Checkpoint writes under way, with when each ends.
    var writesInFlight: [(due: UInt64, job: (state: CheckpointState, started: UInt64, alignment: UInt64))] = []

    /// Whether every commit is sent to the sink a second time right after the first, as a
    /// retry after a lost acknowledgement would be: the sink must refuse the repeat (an
    /// epoch is never applied twice). A repeat that fails or applies is logged as a failed
    /// commit (`checkpointFailed(_, .commit)`), which the soak does not let pass.
    public var duplicateCommits = false

    /// The share of standby copies (0...1) that land with a bit flipped, as damage in
    /// transfer or in memory would leave them: a restore must refuse each by its CRC32C and
    /// take the next holder's copy (with two replicas) or the shards.
    public var standbyDamage: Double = 0
    /// Per node: it died after its newest local copy was made (its memory must be gone).
    var diedSinceCopy: [Bool]
    /// Per holder: the standby copies (of which node, which checkpoint) it held when it
    /// died, until the same copy lands again: they died with it, and no restore may take one.
    var standbysLost: [Set<LostStandby>]
    /// Rules of the engine the simulation checks itself at every recovery, from its own
    /// knowledge of what each node and holder has, apart from the plan's account: a node
    /// is never restored from its own memory after it died, nor from a standby copy that
    /// died with its holder, nor from the shards while a live peer holds an intact standby
    /// copy of it. Each breach, in words with its time; the soak fails a seed on the first.
    public internal(set) var violations: [String] = []

    /// Frames lost on the wire per virtual second while the sources run (0: none), each on
    /// a link drawn from the seed: the receiver must find each gap at the next frame and have
    /// the frame sent again, as a lossy network would make it.
    public var frameLossPerSecond: Double = 0
    /// When the next frame is lost.
    var nextFrameLoss: UInt64 = 0

    /// A copy on its way to `holder`: a standby copy of a peer's snapshot, or (when `holder`
    /// is the snapshot's own node) the node's local copy, which lands late too when
    /// `standbyDelay` is set.
    struct StandbyCopy {
        var due: UInt64
        var holder: Int
        var snapshot: NodeSnapshot
        var blob: [UInt8]
    }

    static let counter = Atomic<Int>(0)
    var nodeCount: Int { config.nodes }

    /// A simulated cluster on `disk` (a fresh one unless given: pass the disk of an
    /// earlier run to restart from its checkpoints). `sinkName` names the shared in-memory
    /// sink database; pass the name of an earlier run's to keep its commits.
    /// `scrubIntervalMillis` is the pause between two passes of the scrubber.
    public init(config: JobConfig, seed: UInt64, disk: MemoryDisk = MemoryDisk(), sinkName: String? = nil, replicas: Int = 1,
                scrubIntervalMillis: Int = 100) throws(EngineError) {
        self.config = config
        self.replicas = max(0, min(replicas, config.nodes - 1))
        let n = max(1, config.nodes)
        condition = Array(repeating: 0, count: n)
        slowNanos = Array(repeating: 0, count: n)
        partitioned = Array(repeating: false, count: n)
        beatAt = Array(repeating: 0, count: n)
        beats = Array(repeating: 0, count: n)
        progress = Array(repeating: 0, count: n)
        stuckUntil = Array(repeating: 0, count: n)
        retired = Array(repeating: (0, 0, 0), count: n)
        diedSinceCopy = Array(repeating: false, count: n)
        standbysLost = Array(repeating: [], count: n)
        self.seed = seed
        self.disk = disk
        rng = SplitMix(seed: seed)
        scrubber = Scrubber(passPause: Double(max(1, scrubIntervalMillis)) / 1000)
        let name = sinkName ?? "firedrill-sim-\(getpid())-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        sinkPath = "file:\(name)?mode=memory&cache=shared"
        let setup = try EngineSetup(config: config, disk: disk, sinkPath: sinkPath, clock: clock, parallelWrites: false, label: "memory")
        persistence = setup.persistence
        auditor = setup.auditor
        let verdict = setup.auditor.verdict
        board = StatusBoard(nodes: config.nodes, verdict: verdict, gate: AuditGate(startNanos: 0, audited: verdict.checkpoint))
        board.state.withLock { s in
            s.lastCommitted = verdict.checkpoint ?? 0
            s.restoredFrom = setup.restoredFrom
            s.events = setup.events
            s.checkpoints = setup.checkpoints
            s.lastStored = setup.restoredFrom ?? 0
            s.running = true
            for i in s.nodes.indices { s.nodes[i].state = .running }
        }
        control = ControlPlane(config: config, startNanos: 0)
        coordinator = Coordinator(nextID: setup.nextCheckpoint, nodes: config.nodes)
        links = (0..<config.nodes).map { _ in (0..<config.nodes).map { _ in Link(capacity: config.channelCapacity) } }
        let sorted = setup.restored?.nodes.sorted { $0.node < $1.node }
        for i in 0..<config.nodes {
            let core = NodeCore(id: i, config: config, restored: sorted.flatMap { $0.indices.contains(i) ? $0[i] : nil })
            drivers.append(NodeDriver(core: core, links: links, batchSize: config.batchSize, rate: config.rate) { _ in })
        }
        memories = (0..<config.nodes).map { _ in NodeMemory() }
        if let r = setup.restored { keepCopies(r) }
        for (i, d) in drivers.enumerated() { d.onEvent = { [unowned self] detail in emit(detail, node: i) } }
        emit(.started(nodes: config.nodes, partitions: config.partitions, accounts: config.accounts, dataShards: config.dataShards, parityShards: config.parityShards))
        trace.append("open restored=\(setup.restoredFrom.map(String.init) ?? "none") next=\(setup.nextCheckpoint)")
    }

    /// The sink's in-memory database name, to reopen it after a simulated restart.
    public var sinkName: String {
        String(sinkPath.dropFirst(5).prefix { $0 != "?" })
    }

    var now: Double { Double(clock.nanos()) / 1e9 }

    /// Logs a free-text event now.
    public func note(_ kind: EngineEvent.Kind, node: Int? = nil, _ message: String) {
        emit(.note(kind, message), node: node)
    }

    enum Action { case deliver(Int, Int), flush(Int), produce(Int) }

    /// Runs for `seconds` of virtual time.
    public func run(for seconds: Double) {
        let end = clock.nanos() + UInt64(max(0, seconds) * 1e9)
        var actions: [Action] = []
        while clock.nanos() < end {
            let t = clock.nanos()
            if let a = auditInFlight, t >= a.due { publishAudit() }
            if t >= nextLanding { landStandbys(at: t) }
            if let w = writesInFlight.first, t >= w.due {
                writesInFlight.removeFirst()
                persist(w.job)
            }
            if let r = auditRetryAt, t >= r, auditInFlight == nil {
                auditRetryAt = nil
                let full = auditWanted ?? true
                auditWanted = nil
                requestAudit(full: full)
            }
            if t >= nextAgeSample {
                nextAgeSample = t + 50_000_000
                board.sampleVerdictAge(nowNanos: t)
            }
            if t >= nextSample {
                // What readers see is published when they look (`snapshot`) and for the
                // throughput history: nothing in the run reads it back.
                nextSample = t + 250_000_000
                publishNodes()
                board.sample(time: now)
            }
            if t >= nextTick {
                nextTick = (t / ControlPlane.tickNanos + 1) * ControlPlane.tickNanos  // on the tick grid
                beat(t)
                controlTick(publish: false)
            }
            if t >= nextScrub {
                nextScrub = t + max(1_000_000, UInt64(scrub(&scrubber) * 1e9))
            }
            if frameLossPerSecond > 0 && t >= nextFrameLoss && !paused { loseFrame(at: t) }
            // A random live node with something to do, then one of its actions at random:
            // looking at one node per step, not all of them, keeps a step cheap.
            let hold = paused || held
            var chosen: Action?
            let first = Int(rng.next() % UInt64(nodeCount))
            for k in 0..<nodeCount {
                let i = (first + k) % nodeCount
                guard condition[i] == 0 && t >= stuckUntil[i] else { continue }
                let d = drivers[i]
                actions.removeAll(keepingCapacity: true)
                var ready = d.deliverableInputs()
                while ready != 0 {
                    actions.append(.deliver(i, ready.trailingZeroBitCount))
                    ready &= ready &- 1
                }
                if d.canFlush { actions.append(.flush(i)) }
                if d.canProduce(nowNanos: t, paused: hold) { actions.append(.produce(i)) }
                if !actions.isEmpty {
                    chosen = actions.count == 1 ? actions[0] : actions[Int(rng.next() % UInt64(actions.count))]
                    break
                }
            }
            guard let action = chosen else {
                // Idle: jump to the next thing that can happen.
                var next = min(end, nextScrub, nextSample, nextAgeSample)
                if let a = auditInFlight { next = min(next, a.due) }
                next = min(next, nextLanding)
                if let r = auditRetryAt { next = min(next, r) }
                // A throttled source becomes runnable when its tokens refill.
                for (i, d) in drivers.enumerated() where !hold && condition[i] == 0 && t >= stuckUntil[i] && d.outboxEmpty {
                    next = min(next, t + max(1_000, d.nanosUntilAllowed()))
                }
                // The control plane's ticks on the way: one that acts wakes the nodes up;
                // one that does not changes nothing they could do, so they are not looked at.
                // (A recovery above may have moved the clock past `t`.)
                while nextTick < next {
                    if nextTick > clock.nanos() { clock.advance(by: nextTick - clock.nanos()) }
                    let tick = nextTick
                    nextTick += ControlPlane.tickNanos
                    beat(tick)
                    if controlTick(publish: false) { next = tick; break }
                }
                // To the next event; at least one nanosecond when nothing moved the clock.
                let now = clock.nanos()
                if next > now { clock.advance(by: next - now) } else if now == t { clock.advance(by: 1) }
                continue
            }
            perform(action)
            steps += 1
        }
    }

    /// Live nodes that are not cut off beat every 50 ms, as a node's heartbeat sender does;
    /// a live node whose work is not stuck makes progress (it is looked at on every step).
    private func beat(_ t: UInt64) {
        for i in 0..<nodeCount where condition[i] == 0 {
            if t >= stuckUntil[i] { progress[i] = t }
            guard t &- beatAt[i] >= ControlPlane.heartbeatNanos else { continue }
            beatAt[i] = t
            if !partitioned[i] { beats[i] = t }
        }
    }

    /// Node `node`'s work stops for `seconds` of virtual time while its heartbeats go on (a
    /// gray failure: stuck on I/O).
    public func stallWork(node: Int, seconds: Double) {
        guard stuckUntil.indices.contains(node) else { return }
        stuckUntil[node] = clock.nanos() + UInt64(max(0, seconds) * 1e9)
    }

    private func perform(_ action: Action) {
        let t = clock.nanos()
        switch action {
        case let .deliver(i, src):
            withUnsafeBytes(of: (UInt8(0), UInt8(i), UInt8(src))) { actionHash.update($0) }
            // Up to four frames per step: the order between links stays random, the cost
            // of choosing falls fourfold.
            let core = drivers[i].core
            _ = drivers[i].deliver(from: src, limit: 4, nowNanos: t) { snap in
                trace.append("\(t) ack node \(snap.node) checkpoint \(snap.checkpoint)")
                coordinator.acknowledge(snap, alignmentNanos: core.lastAlignmentNanos)
            }
            clock.advance(by: 5_000)
            if let complete = coordinator.takeComplete() {
                if writeDelay > 0 {
                    // One writer, in order: a write starts when the one before ends.
                    let delay = UInt64(Double(rng.next() % 1_000_001) / 1_000_000 * writeDelay * 1e9)
                    writesInFlight.append((max(t, writesInFlight.last?.due ?? 0) + delay, complete))
                } else {
                    persist(complete)
                }
            }
        case let .flush(i):
            withUnsafeBytes(of: (UInt8(1), UInt8(i))) { actionHash.update($0) }
            _ = drivers[i].flush()
            clock.advance(by: 1_000)
        case let .produce(i):
            withUnsafeBytes(of: (UInt8(2), UInt8(i))) { actionHash.update($0) }
            _ = drivers[i].produce(nowNanos: t, paused: paused || held)
            clock.advance(by: 10_000 + slowNanos[i])
        }
    }

    /// Asks for a checkpoint at the next tick (unless one is under way).
    public func checkpointNow() { control.askCheckpoint() }

    func persist(_ job: (state: CheckpointState, started: UInt64, alignment: UInt64)) {
        clock.advance(by: 1_000_000)
        let outcome: Result<Persistence.Stored, PersistError>
        do throws(PersistError) { outcome = .success(try persistence.store(job.state, startedNanos: job.started)) } catch { outcome = .failure(error) }
        switch outcome {
        case let .success(o): trace.append("\(clock.nanos()) durable checkpoint \(job.state.checkpoint) blob=\(hex32(o.manifest.blobCRC))")
        case let .failure(e): trace.append("\(clock.nanos()) failed checkpoint \(job.state.checkpoint): \(e)")
        }
        checkpointStored(job.state, alignmentNanos: job.alignment, outcome: outcome)
    }

    /// Audits after a commit: at once, or (with `auditDelay`) as an audit that ends later.
    func requestAudit(full: Bool) {
        guard auditInFlight == nil else {
            auditWanted = (auditWanted ?? false) || full
            return
        }
        let result: Result<AuditVerdict, SinkError>
        do throws(SinkError) { result = .success(try auditor.audit(full: full)) } catch { result = .failure(error) }
        auditInFlight = (clock.nanos() + UInt64(max(0, auditDelay) * 1e9), result)
        if auditDelay <= 0 { publishAudit() }
    }

    private func publishAudit() {
        guard let a = auditInFlight else { return }
        auditInFlight = nil
        auditFinished(a.result)
        switch a.result {
        case let .success(v):
            trace.append("\(clock.nanos()) audit epoch \(v.checkpoint ?? 0) exact=\(v.exact) committed=\(v.committedTransfers)")
        case .failure:
            // A damaged sink is rebuilt at once from the last committed checkpoint (the lag
            // bound may hold the sources, so no new commit would come to heal it).
            if let (id, outcome) = persistence.healIfReported() {
                checkpointCommitted(id, outcome: outcome)
                return
            }
            // Try again in 200 ms of virtual time, as the threaded auditor does: the lag
            // bound holds the sources until an audit succeeds.
            auditRetryAt = clock.nanos() + 200_000_000
            auditWanted = true
            return
        }
        if let w = auditWanted {
            auditWanted = nil
            requestAudit(full: w)
        }
    }

    /// Each node's counters and health on the board, as a node thread and the coordinator
    /// publish them.
    func publishNodes() {
        publishHealth()
        let n = nodeCount
        let depths = (0..<n).map { i in (0..<n).reduce(0) { $0 + links[$1][i].depth } }
        board.state.withLock { s in
            for i in 0..<n {
                let core = drivers[i].core
                s.nodes[i].produced = retired[i].produced + core.produced
                s.nodes[i].applied = retired[i].applied + core.applied
                s.nodes[i].corruptFrames = retired[i].corrupt + core.corruptFrames
                s.nodes[i].stateBytes = core.stateBytes
                s.nodes[i].state = condition[i] != 0 ? s.nodes[i].state : core.aligning != nil ? .aligning : .running
                s.nodes[i].retransmits = drivers[i].retransmitted
                s.nodes[i].offsetsSum = core.offsetsSum
                s.nodes[i].offsets = core.offsets
                s.nodes[i].latency = core.latency
                s.nodes[i].queueDepth = depths[i] + drivers[i].heldFrames
            }
        }
    }

    /// Pauses the sources, runs until one more checkpoint has committed everything read,
    /// and returns the audit of it.
    @discardableResult
    public func finish(maxSeconds: Double = 60) -> AuditVerdict {
        paused = true
        // A frame lost after the last one a link carries would leave no gap to find.
        if frameLossPerSecond > 0 { for row in links { for l in row { l.loseNextFrame(false) } } }
        let deadline = clock.nanos() + UInt64(maxSeconds * 1e9)
        while (coordinator.busy || held) && clock.nanos() < deadline { run(for: 0.01) }
        let target = coordinator.state.withLock { $0.nextID }
        while clock.nanos() < deadline {
            let audited = verdict.checkpoint ?? 0
            if audited >= target && auditInFlight == nil && auditRetryAt == nil { break }
            if !coordinator.busy && board.state.withLock({ $0.lastStored }) < target { control.askCheckpoint() }
            run(for: 0.01)
        }
        if (verdict.checkpoint ?? 0) < target { emit(.checkpointFailed(checkpoint: target, .finalDidNotComplete)) }
        publishNodes()
        board.state.withLock { s in
            s.running = false
            s.stopPhase = .stopped
            for i in s.nodes.indices { s.nodes[i].state = .stopped }
        }
        emit(.stopped)
        return verdict
    }

    // MARK: - What it shows

    /// The cluster as it is now (virtual time).
    public func snapshot() -> ClusterSnapshot {
        publishNodes()
        return board.snapshot(uptime: now, nowNanos: clock.nanos())
    }

    /// Transfers read so far, over every incarnation (re-reads after a rollback count again).
    public var produced: Int64 { (0..<nodeCount).reduce(0) { $0 + retired[$1].produced + drivers[$1].core.produced } }
    /// The nodes' current states.
    var cores: [NodeCore] { drivers.map(\.core) }
    public var events: [EngineEvent] { board.state.withLock { $0.events } }
    /// Events logged since the start.
    var eventsLogged: Int { board.state.withLock { $0.eventsLogged } }
    public var checkpoints: [ClusterSnapshot.Checkpoint] { board.state.withLock { $0.checkpoints } }
    public var recoveries: [ClusterSnapshot.Recovery] { board.state.withLock { $0.recoveries } }
    public var restoredFrom: UInt64? { board.state.withLock { $0.restoredFrom } }
    public var verdict: AuditVerdict { board.state.withLock { $0.verdict } }
    public var gate: AuditGate { board.state.withLock { $0.gate } }
    /// The newest epoch the sink committed.
    public var lastCommitted: UInt64 { board.state.withLock { $0.lastCommitted } }
    /// How old the verdict is: virtual seconds since the barrier of the audited checkpoint.
    public var verdictAge: Double { Double(gate.verdictAge(at: clock.nanos())) / 1e9 }
    /// The 99th percentile of the verdict's age over the run (sampled every 50 ms), seconds.
    public var verdictAgeP99: Double { Double(board.state.withLock { $0.verdictAges.quantile(0.99) }) / 1e9 }
    /// The newest complete checkpoint.
    public var newestCheckpoint: UInt64? { board.state.withLock { $0.lastStored == 0 ? nil : $0.lastStored } }
}

#if canImport(Glibc)
import Glibc
#endif

/// A standby copy of `owner`'s snapshot of `checkpoint`, as the simulation notes the ones a
/// holder lost when it died.
struct LostStandby: Hashable {
    var owner: Int
    var checkpoint: UInt64
}
