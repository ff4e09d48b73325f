import Integrity
import Synchronization

/// The payments job on one thread, with a seeded scheduler, a virtual clock, an
/// in-memory disk and an in-memory SQLite sink: the same `NodeCore`s, `NodeDriver`s,
/// links, coordinator and checkpoint pipeline as `ThreadedEngine`, but every choice of
/// which node acts next comes from the seed, so a seed replays exactly.
public final class SimulatedEngine {
    public let config: JobConfig
    public let seed: UInt64
    public let disk: MemoryDisk
    public let clock = VirtualClock()
    let sinkPath: String
    var rng: SplitMix
    let links: [[Link]]
    var cores: [NodeCore] = []
    var drivers: [NodeDriver] = []
    let coordinator: Coordinator
    let persistence: Persistence
    let auditor: Auditor
    var paused = false
    var lastTrigger: UInt64 = 0
    var actionHash = CRC32C()
    /// What happened, in order; the same seed gives the same trace.
    public internal(set) var trace: [String] = []
    public internal(set) var events: [EngineEvent] = []
    public private(set) var checkpoints: [ClusterSnapshot.Checkpoint] = []
    public private(set) var restoredFrom: UInt64?
    public private(set) var verdict: AuditVerdict
    public private(set) var steps = 0
    /// Faults and self-healing (same parts as the threaded runtime).
    var memories: [NodeMemory] = []
    var condition: [UInt8]  // 0 alive, 1 dead, 2 hung
    var slowNanos: [UInt64]
    var partitioned: [Bool]
    var detectors: [PhiAccrualDetector]
    var stallGuard = HostStallGuard()
    var lastBeat: [UInt64]
    var health: [ClusterSnapshot.Health]
    var supervisor: Supervisor
    var faultAt: [Double?]
    var downAt: [Double?]
    var lastStored: UInt64 = 0
    public let replicas: Int
    public internal(set) var recoveries: [ClusterSnapshot.Recovery] = []
    var nextScrub: UInt64 = 0
    var lastSelfHeal: UInt64 = 0
    var scrubCursor = 0
    /// The lag bound between the sources and the auditor (the same as the threaded runtime's).
    public internal(set) var gate: AuditGate
    /// Virtual seconds one audit takes (0: the audit is done at the commit). A slowed
    /// auditor shows the lag bound at work: the sources wait for it.
    public var auditDelay: Double = 0
    /// An audit under way: its verdict (computed at its start, from one consistent read)
    /// is published when the virtual clock reaches `due`.
    var auditInFlight: (due: UInt64, result: Result<AuditVerdict, SinkError>)?
    /// A commit came in since the audit under way started: another audit follows it
    /// (re-reading every row when `true`).
    var auditWanted: Bool?
    /// The newest epoch the sink committed.
    public private(set) var lastCommitted: UInt64 = 0
    /// After a failed audit, when to try again.
    var auditRetryAt: UInt64?
    var verdictAges = LatencyHistogram()
    var lastAgeSample: UInt64 = 0

    static let counter = Atomic<Int>(0)
    var nodeCount: Int { config.nodes }

    /// A simulated cluster on `disk` (a fresh one unless given: pass the disk of an
    /// earlier run to restart from its checkpoints). `sinkName` names the shared in-memory
    /// sink database; pass the name of an earlier run's to keep its commits.
    public init(config: JobConfig, seed: UInt64, disk: MemoryDisk = MemoryDisk(), sinkName: String? = nil, replicas: Int = 1) throws(EngineError) {
        self.config = config
        self.replicas = max(0, min(replicas, config.nodes - 1))
        let n = max(1, config.nodes)
        condition = Array(repeating: 0, count: n)
        slowNanos = Array(repeating: 0, count: n)
        partitioned = Array(repeating: false, count: n)
        detectors = Array(repeating: PhiAccrualDetector(), count: n)
        lastBeat = Array(repeating: 0, count: n)
        health = Array(repeating: .healthy, count: n)
        supervisor = Supervisor(nodes: n)
        faultAt = Array(repeating: nil, count: n)
        downAt = Array(repeating: nil, count: n)
        self.seed = seed
        self.disk = disk
        rng = SplitMix(seed: seed)
        let name = sinkName ?? "firedrill-sim-\(getpid())-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        sinkPath = "file:\(name)?mode=memory&cache=shared"
        let setup = try EngineSetup(config: config, disk: disk, sinkPath: sinkPath, clock: clock, parallelWrites: false, label: "memory")
        persistence = setup.persistence
        auditor = setup.auditor
        verdict = setup.auditor.verdict
        gate = AuditGate(startNanos: 0, audited: setup.auditor.verdict.checkpoint)
        lastCommitted = setup.auditor.verdict.checkpoint ?? 0
        events = setup.events
        checkpoints = setup.checkpoints
        restoredFrom = setup.restoredFrom
        coordinator = Coordinator(nextID: setup.nextCheckpoint, nodes: config.nodes)
        links = (0..<config.nodes).map { _ in (0..<config.nodes).map { _ in Link(capacity: config.channelCapacity) } }
        let sorted = setup.restored?.nodes.sorted { $0.node < $1.node }
        for i in 0..<config.nodes {
            let core = NodeCore(id: i, config: config, restored: sorted.flatMap { $0.indices.contains(i) ? $0[i] : nil })
            cores.append(core)
            drivers.append(NodeDriver(core: core, links: links, batchSize: config.batchSize, rate: config.rate) { _ in })
        }
        memories = (0..<config.nodes).map { _ in NodeMemory() }
        lastStored = setup.restoredFrom ?? 0
        if let r = setup.restored { distributeCopies(r) }
        for d in drivers { d.onEvent = { [unowned self] kind, message in note(kind, message) } }
        trace.append("open restored=\(restoredFrom.map(String.init) ?? "none") next=\(setup.nextCheckpoint)")
    }

    /// The sink's in-memory database name, to reopen it after a simulated restart.
    public var sinkName: String {
        String(sinkPath.dropFirst(5).prefix { $0 != "?" })
    }

    var now: Double { Double(clock.nanos()) / 1e9 }

    public func note(_ kind: EngineEvent.Kind, node: Int? = nil, _ message: String) {
        events.append(EngineEvent(time: now, node: node, kind: kind, message: message))
    }

    enum Action { case deliver(Int, Int), flush(Int), produce(Int) }

    /// Runs for `seconds` of virtual time.
    public func run(for seconds: Double) {
        let end = clock.nanos() + UInt64(seconds * 1e9)
        let interval = config.checkpointInterval.map { UInt64($0 * 1e9) }
        var actions: [Action] = []
        while clock.nanos() < end {
            let t = clock.nanos()
            if let a = auditInFlight, t >= a.due { publishAudit() }
            if let r = auditRetryAt, t >= r, auditInFlight == nil {
                auditRetryAt = nil
                let full = auditWanted ?? true
                auditWanted = nil
                requestAudit(full: full)
            }
            if t &- lastAgeSample >= 50_000_000 {
                lastAgeSample = t
                verdictAges.record(gate.verdictAge(at: t))
            }
            if t &- lastSelfHeal >= 1_000_000 {  // the detector looks once a millisecond
                lastSelfHeal = t
                selfHeal(t)
            }
            let allAlive = !condition.contains { $0 != 0 }
            if let interval, !paused, allAlive, t &- lastTrigger >= interval, !coordinator.busy, !gate.holdsSources { beginCheckpoint() }
            if coordinator.busy, !coordinator.persisting, let since = coordinator.inFlightSince, t &- since > UInt64(max(2, (config.checkpointInterval ?? 1) * 10) * 1e9) {
                let id = coordinator.abandon()
                gate.dropped(id)
                for d in drivers { d.core.resetAlignment() }
                let detail = (0..<config.nodes).map { i in "n\(i):c\(condition[i]) al\(drivers[i].core.aligning.map(String.init) ?? "-") st\(drivers[i].anyStalled) ob\(drivers[i].outboxEmpty) in\((0..<config.nodes).map { links[$0][i].depth }) [\(drivers[i].inputsDescription)] cd\((0..<config.nodes).map { drivers[i].canDeliver(from: $0) ? 1 : 0 })" }
                trace.append("\(t) abandon checkpoint \(id) \(detail.joined(separator: " "))")
                replaceCheckpoint(ClusterSnapshot.Checkpoint(id: id, status: .failed, duration: nil, alignment: nil, bytes: 0, shards: 0, healthyShards: 0, note: "alignment timed out"))
            }
            // A random live node with something to do, then one of its actions at random:
            // looking at one node per step, not all of them, keeps a step cheap.
            let held = paused || gate.holdsSources
            var chosen: Action?
            let first = Int(rng.next() % UInt64(nodeCount))
            for k in 0..<nodeCount {
                let i = (first + k) % nodeCount
                guard condition[i] == 0 else { continue }
                let d = drivers[i]
                actions.removeAll(keepingCapacity: true)
                var ready = d.deliverableInputs()
                while ready != 0 {
                    actions.append(.deliver(i, ready.trailingZeroBitCount))
                    ready &= ready &- 1
                }
                if d.canFlush { actions.append(.flush(i)) }
                if d.canProduce(nowNanos: t, paused: held) { actions.append(.produce(i)) }
                if !actions.isEmpty {
                    chosen = actions.count == 1 ? actions[0] : actions[Int(rng.next() % UInt64(actions.count))]
                    break
                }
            }
            guard let action = chosen else {
                // Idle: jump to the next thing that can happen.
                var next = min(end, t + 10_000_000)  // the detector and supervisor look every 10 ms
                if let a = auditInFlight { next = min(next, max(a.due, t + 1)) }
                if let r = auditRetryAt { next = min(next, max(r, t + 1)) }
                if let interval, !paused, allAlive, !coordinator.busy, !gate.holdsSources { next = min(next, max(lastTrigger + interval, t + 1)) }
                // A throttled source becomes runnable when its tokens refill; anything else
                // waits for the detector's next look.
                for (i, d) in drivers.enumerated() where !held && condition[i] == 0 && d.outboxEmpty {
                    next = min(next, t + max(1_000, d.nanosUntilAllowed()))
                }
                clock.advance(by: max(1, next - t))
                continue
            }
            perform(action)
            steps += 1
        }
    }

    private func perform(_ action: Action) {
        let t = clock.nanos()
        switch action {
        case let .deliver(i, src):
            withUnsafeBytes(of: (UInt8(0), UInt8(i), UInt8(src))) { actionHash.update($0) }
            // Up to four frames per step: the order between links stays random, the cost
            // of choosing falls fourfold.
            _ = drivers[i].deliver(from: src, limit: 4, nowNanos: t) { snap in
                trace.append("\(t) ack node \(snap.node) checkpoint \(snap.checkpoint)")
                coordinator.acknowledge(snap, alignmentNanos: cores[i].lastAlignmentNanos)
            }
            clock.advance(by: 5_000)
            if let complete = coordinator.takeComplete() { persist(complete) }
        case let .flush(i):
            withUnsafeBytes(of: (UInt8(1), UInt8(i))) { actionHash.update($0) }
            _ = drivers[i].flush()
            clock.advance(by: 1_000)
        case let .produce(i):
            withUnsafeBytes(of: (UInt8(2), UInt8(i))) { actionHash.update($0) }
            _ = drivers[i].produce(nowNanos: t, paused: paused || gate.holdsSources)
            clock.advance(by: 10_000 + slowNanos[i])
        }
    }

    /// Starts a checkpoint now (unless one is under way).
    public func checkpointNow() { if !coordinator.busy { beginCheckpoint() } }

    private func beginCheckpoint() {
        let t = clock.nanos()
        lastTrigger = t
        let id = coordinator.begin(now: t)
        gate.begun(id, at: t)
        trace.append("\(t) begin checkpoint \(id) actions=\(hex32(actionHash.value))")
        checkpoints.append(ClusterSnapshot.Checkpoint(id: id, status: .inProgress, duration: nil, alignment: nil, bytes: 0, shards: config.dataShards + config.parityShards, healthyShards: 0, note: ""))
        for (i, d) in drivers.enumerated() where condition[i] == 0 { d.injectBarrier(id) }
    }

    private func persist(_ job: (state: CheckpointState, started: UInt64, alignment: UInt64)) {
        let id = job.state.checkpoint
        clock.advance(by: 1_000_000)
        do throws(PersistError) {
            let o = try persistence.store(job.state, startedNanos: job.started)
            replaceCheckpoint(ClusterSnapshot.Checkpoint(id: id, status: .complete, duration: Double(o.durableNanos) / 1e9, alignment: Double(job.alignment) / 1e9, bytes: o.manifest.blobSize, shards: o.manifest.shards.count, healthyShards: o.manifest.shards.count, note: ""))
            lastStored = max(lastStored, id)
            distributeCopies(job.state)
            let c = try persistence.commit(job.state)
            trace.append("\(clock.nanos()) durable checkpoint \(id) blob=\(hex32(o.manifest.blobCRC)) committed=\(c.committed)")
            if c.committed {
                lastCommitted = max(lastCommitted, id)
                requestAudit(full: c.replacedAll)
            } else {
                gate.dropped(id)
            }
        } catch {
            gate.dropped(id)
            trace.append("\(clock.nanos()) failed checkpoint \(id): \(error)")
            replaceCheckpoint(ClusterSnapshot.Checkpoint(id: id, status: .failed, duration: nil, alignment: nil, bytes: 0, shards: 0, healthyShards: 0, note: error.description))
            note(.error, "checkpoint \(id) failed: \(error)")
        }
        coordinator.finish(id)
    }

    /// Audits after a commit: at once, or (with `auditDelay`) as an audit that ends later.
    private func requestAudit(full: Bool) {
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
        switch a.result {
        case let .success(v):
            verdict = v
            if let id = v.checkpoint { gate.audited(id) }
            trace.append("\(clock.nanos()) audit epoch \(v.checkpoint ?? 0) exact=\(v.exact) committed=\(v.committedTransfers)")
        case let .failure(error):
            note(.error, "audit failed: \(error)")
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

    /// How old the verdict is: virtual seconds since the barrier of the audited checkpoint.
    public var verdictAge: Double { Double(gate.verdictAge(at: clock.nanos())) / 1e9 }
    /// The 99th percentile of the verdict's age over the run (sampled every 50 ms), seconds.
    public var verdictAgeP99: Double { Double(verdictAges.quantile(0.99)) / 1e9 }
    /// The newest complete checkpoint.
    public var newestCheckpoint: UInt64? { lastStored == 0 ? nil : lastStored }

    func replaceCheckpoint(_ c: ClusterSnapshot.Checkpoint) {
        if let i = checkpoints.lastIndex(where: { $0.id == c.id && $0.status != .restored }) { checkpoints[i] = c } else { checkpoints.append(c) }
    }

    /// Pauses the sources, runs until one more checkpoint has committed everything read,
    /// and returns the audit of it.
    @discardableResult
    public func finish(maxSeconds: Double = 60) -> AuditVerdict {
        paused = true
        let deadline = clock.nanos() + UInt64(maxSeconds * 1e9)
        while (coordinator.busy || gate.holdsSources) && clock.nanos() < deadline { run(for: 0.01) }
        let target = coordinator.state.withLock { $0.nextID }
        beginCheckpoint()
        while (coordinator.busy || auditInFlight != nil || auditRetryAt != nil) && clock.nanos() < deadline { run(for: 0.01) }
        if (verdict.checkpoint ?? 0) < target { note(.error, "the final checkpoint \(target) did not complete") }
        return verdict
    }

    /// Transfers read so far.
    public var produced: Int64 { cores.reduce(0) { $0 + $1.produced } }
}

/// SplitMix64: the simulation's seeded random numbers.
public struct SplitMix: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return TransferSource.mix(state &- 0x9E37_79B9_7F4A_7C15)
    }
}
#if canImport(Glibc)
import Glibc
#endif
