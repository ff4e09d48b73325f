import Dispatch
import Synchronization

/// The payments job on real threads (one per node), the real clock and real files: what
/// `firedrill run` and the dashboard embed.
///
/// Beside the node threads run a coordinator thread (ticks the one `ControlPlane` every
/// 2 ms and carries out what it decides, hands aligned snapshots on, samples figures), a
/// persistence thread (codes and writes checkpoints), a commit thread (the sink), an audit
/// thread, a replication thread (standby copies) and a scrubber thread, so checkpoints and
/// proof stay off the processing path. How the control plane's actions are carried out on
/// threads is in `ThreadedEngine+Host.swift`.
public final class ThreadedEngine: Sendable {
    public let config: JobConfig
    let clock = SystemClock()
    public let startNanos: UInt64
    let board: StatusBoard
    let links: [[Link]]  // links[from][to]
    let handles: [NodeHandle]
    let worker: PersistenceWorker
    let commitWorker: CommitWorker
    let auditWorker: AuditWorker
    let coordinator: Coordinator
    let threads = EngineMutex<[pthread_t]>([])
    let stopping = Atomic<Bool>(false)
    let auditStopping = Atomic<Bool>(false)
    let commitStopping = Atomic<Bool>(false)
    let restoredStates: [NodeSnapshot?]
    /// The one control plane, shared by the coordinator thread and command callers.
    let control: EngineMutex<ControlPlane>
    let replication = ReplicationQueue()
    /// `stop` has begun: no checkpoint begins unless asked.
    let stopRequested = Atomic<Bool>(false)
    /// The lag bound holds the sources (a copy of `board.state.gate.holdsSources` the node
    /// threads read without a lock).
    let heldForAudit = Atomic<Bool>(false)
    /// Standby copies of each node's state kept on other nodes.
    public let replicas: Int
    let scrubIntervalMillis: Int

    /// Opens the data directory (validating it, restoring the newest good checkpoint and
    /// auditing the sink) without starting anything.
    public init(config: JobConfig, dataDirectory: String, replicas: Int = 1, scrubIntervalMillis: Int = 100) throws(EngineError) {
        guard replicas >= 0, replicas < config.nodes else {
            throw .config(.invalid("--replicas must be between 0 and \(config.nodes - 1) (the other nodes), got \(replicas)"))
        }
        do throws(ConfigError) {
            try config.validate()
            try DataDirectory.checkPath(dataDirectory)
        } catch { throw .config(error) }
        let exposure = DataDirectory.exposure(dataDirectory)
        let disk = FileDisk(root: dataDirectory)
        let setup = try EngineSetup(
            config: config, disk: disk, sinkPath: dataDirectory + "/" + DataDirectory.sinkFile,
            clock: SystemClock(), parallelWrites: true, label: dataDirectory)
        self.config = config
        startNanos = clock.nanos()
        let verdict = setup.auditor.verdict
        board = StatusBoard(nodes: config.nodes, verdict: verdict, gate: AuditGate(startNanos: startNanos, audited: verdict.checkpoint))
        board.state.withLock { s in
            s.lastCommitted = verdict.checkpoint ?? 0
            s.restoredFrom = setup.restoredFrom
            s.events = (exposure.map { [EngineEvent(time: 0, .warning($0))] } ?? []) + setup.events
            s.checkpoints = setup.checkpoints
        }
        links = (0..<config.nodes).map { _ in (0..<config.nodes).map { _ in Link(capacity: config.channelCapacity) } }
        handles = (0..<config.nodes).map { _ in NodeHandle() }
        worker = PersistenceWorker(setup.persistence)
        commitWorker = CommitWorker(worker)
        auditWorker = AuditWorker(setup.auditor)
        commitWorker.committedEpoch.store(verdict.checkpoint ?? 0, ordering: .relaxed)
        coordinator = Coordinator(nextID: setup.nextCheckpoint, nodes: config.nodes)
        let sorted = setup.restored?.nodes.sorted { $0.node < $1.node }
        restoredStates = (0..<config.nodes).map { i in sorted.flatMap { $0.indices.contains(i) ? $0[i] : nil } }
        control = EngineMutex(ControlPlane(config: config, startNanos: startNanos))
        self.replicas = replicas
        self.scrubIntervalMillis = max(1, scrubIntervalMillis)
        board.state.withLock { $0.lastStored = setup.restoredFrom ?? 0 }
        if let restored = setup.restored { keepCopies(restored) }
    }

    /// Seconds since the engine was opened.
    public var uptime: Double { Double(clock.nanos() &- startNanos) / 1e9 }

    /// Starts every thread.
    public func start() {
        board.state.withLock { $0.running = true }
        emit(.started(nodes: config.nodes, partitions: config.partitions, accounts: config.accounts, dataShards: config.dataShards, parityShards: config.parityShards))
        var started: [pthread_t] = []
        for i in 0..<config.nodes {
            let restored = restoredStates[i]
            if let t = OSThread.start({ [self] in runNode(i, restored: restored) }) { started.append(t) }
        }
        for i in 0..<config.nodes {
            if let t = OSThread.start({ [self] in runHeartbeat(i) }) { started.append(t) }
        }
        if let t = OSThread.start({ [self] in runCoordinator() }) { started.append(t) }
        if let t = OSThread.start({ [self] in runScrubber() }) { started.append(t) }
        if let t = OSThread.start({ [self] in runReplication() }) { started.append(t) }
        if let t = OSThread.start({ [self] in
            worker.run(stopping: stopping) { state, alignment, outcome in checkpointStored(state, alignmentNanos: alignment, outcome: outcome) }
        }) { started.append(t) }
        if let t = OSThread.start({ [self] in
            OSThread.lowerPriority(by: 1)
            commitWorker.run(stopping: commitStopping) { id, outcome in checkpointCommitted(id, outcome: outcome) }
        }) { started.append(t) }
        if let t = OSThread.start({ [self] in
            // The auditor runs at the normal priority, above the node threads: the proof
            // keeps up with the job (and the lag bound holds the job when it cannot).
            auditWorker.run(stopping: auditStopping, ceiling: { lookaheadCeiling() }) { result in auditFinished(result) }
        }) { started.append(t) }
        threads.withLock { $0 += started }
    }

    /// The cluster as it is now.
    public func snapshot() -> ClusterSnapshot {
        for (i, h) in handles.enumerated() {
            let depth = (0..<config.nodes).reduce(0) { $0 + links[$1][i].depth }
            board.state.withLock { $0.nodes[i].queueDepth = depth + h.pendingDepth.load(ordering: .relaxed) }
        }
        let now = clock.nanos()
        return board.snapshot(uptime: Double(now &- startNanos) / 1e9, nowNanos: now)
    }

    /// The control plane's view of this host's health (Lifeguard's score and its signs).
    public var localHealth: LocalHealth { control.withLock { $0.localHealth } }

    /// Takes a checkpoint now (unless one is under way).
    public func checkpointNow() { control.withLock { $0.askCheckpoint() } }

    /// Stops the job. With `finalCheckpoint`, the sources pause first and one last
    /// checkpoint commits everything read, so the audit covers the whole run. The lag
    /// bound keeps what is left to audit to a checkpoint or two, so this takes well under a
    /// second; the auditor still gets up to `auditTimeoutSeconds`. The snapshot's
    /// `stopPhase` says which step it is in meanwhile.
    @discardableResult
    public func stop(finalCheckpoint: Bool, timeoutSeconds: Double = 20, auditTimeoutSeconds: Double = 60) -> AuditVerdict {
        // The sources stop reading first: the nodes go idle, so the commit and the auditor
        // catch up instead of chasing new input.
        stopRequested.store(true, ordering: .relaxed)
        for h in handles { h.paused.store(true, ordering: .relaxed); h.signal.wake() }
        func phase(_ p: ClusterSnapshot.StopPhase) { board.state.withLock { $0.stopPhase = p } }
        if finalCheckpoint {
            phase(.finalCheckpoint)
            let before = board.state.withLock { $0.completed }
            let deadline = uptime + timeoutSeconds
            // Wait for the checkpoint in flight, then take one that covers everything.
            while coordinator.busy && uptime < deadline { sleepMillis(5) }
            let target = board.state.withLock { $0.completed } + (coordinator.busy ? 2 : 1)
            checkpointNow()
            while board.state.withLock({ $0.completed }) < max(target, before + 1) && uptime < deadline { sleepMillis(5) }
        }
        // Let the sink commit the last complete checkpoint, and the auditor check it.
        phase(.committing)
        let lastStored = board.state.withLock { $0.lastStored }
        let auditDeadline = uptime + auditTimeoutSeconds
        while commitWorker.committedEpoch.load(ordering: .relaxed) < lastStored && uptime < auditDeadline { sleepMillis(1) }
        commitStopping.store(true, ordering: .relaxed)
        commitWorker.signal.wake()
        phase(.auditing)
        let lastCommitted = board.state.withLock { $0.lastCommitted }
        // (An auditor that cannot read the sink is not waited for: its error is the verdict.)
        while auditWorker.audited.load(ordering: .relaxed) < lastCommitted && uptime < auditDeadline
            && board.state.withLock({ $0.auditError == nil }) { sleepMillis(1) }
        auditStopping.store(true, ordering: .relaxed)
        auditWorker.signal.wake()
        stopping.store(true, ordering: .relaxed)
        for h in handles { h.signal.wake() }
        replication.signal.wake()
        worker.signal.wake()
        let ts = threads.withLock { t in defer { t.removeAll() }; return t }
        for t in ts { OSThread.join(t) }
        board.state.withLock { s in
            s.running = false
            s.stopPhase = .stopped
            for i in s.nodes.indices { s.nodes[i].state = .stopped }
        }
        emit(.stopped)
        return board.state.withLock { $0.verdict }
    }

    /// The newest epoch the sink committed (the auditor's verdict may be for an older one).
    public var lastCommittedEpoch: UInt64 { board.state.withLock { $0.lastCommitted } }

    // MARK: - Node threads

    private func runNode(_ i: Int, restored: NodeSnapshot?) {
        OSThread.lowerPriority(by: 3)
        let handle = handles[i]
        let n = config.nodes
        let handles = self.handles
        let driver = NodeDriver(core: NodeCore(id: i, config: config, restored: restored), links: links, batchSize: config.batchSize, rate: config.rate) { handles[$0].signal.wake() }
        driver.onEvent = { [self] detail in emit(detail, node: i) }
        var lastPublish: UInt64 = 0
        /// The work loop turned at `t` (heartbeats come from `runHeartbeat`, not from here).
        func progressed(_ t: UInt64) { handle.progress.store(t, ordering: .relaxed) }
        var lastLatencyReset = clock.nanos()
        var halted = false
        var minBarrier: UInt64 = 0
        var runLatency = LatencyHistogram()
        // Totals over every incarnation (a restored core counts from zero; replays count again).
        var producedBase: Int64 = 0, appliedBase: Int64 = 0, corruptBase: Int64 = 0
        func retire(_ core: NodeCore) {
            producedBase += core.produced
            appliedBase += core.applied
            corruptBase += core.corruptFrames
            runLatency.merge(core.latency)
        }
        board.state.withLock { $0.nodes[i].state = .running }
        handle.heartbeat.store(clock.nanos(), ordering: .relaxed)
        progressed(clock.nanos())

        while !stopping.load(ordering: .relaxed) {
            var worked = false
            var now = clock.nanos()
            for c in handle.takeControls() {
                worked = true
                switch c {
                case .halt:
                    halted = true
                    handle.halted.store(true, ordering: .relaxed)
                case let .restore(snapshot, newIncarnation, floor):
                    retire(driver.core)
                    driver.reset(to: NodeCore(id: i, config: config, restored: snapshot))
                    minBarrier = floor
                    halted = false
                    handle.condition.store(0, ordering: .relaxed)
                    handle.stalled.store(false, ordering: .relaxed)
                    handle.halted.store(false, ordering: .relaxed)
                    handle.heartbeat.store(now, ordering: .relaxed)
                    if newIncarnation { board.state.withLock { $0.nodes[i].incarnation += 1 } }
                case .kill:
                    // The process dies: working state, queues and standby copies are gone.
                    retire(driver.core)
                    driver.reset(to: NodeCore(id: i, config: config, restored: nil))
                    handle.memory.clear()
                    for src in 0..<n { links[src][i].clearQueue() }
                    handle.condition.store(1, ordering: .relaxed)
                case .hang:
                    if handle.condition.load(ordering: .relaxed) == 0 { handle.condition.store(2, ordering: .relaxed) }
                case .resume:
                    if handle.condition.load(ordering: .relaxed) == 2 { handle.condition.store(0, ordering: .relaxed) }
                case let .barrier(id):
                    if handle.condition.load(ordering: .relaxed) == 0 && !halted && id >= minBarrier { driver.injectBarrier(id) }
                case .abandonAlignment:
                    driver.core.resetAlignment()
                }
            }
            let condition = handle.condition.load(ordering: .relaxed)
            if halted || condition != 0 {
                // Dead, hung or halted: no work (and, dead or hung, no heartbeats); only
                // controls wake it. A halted node still answers them: it is not stalled.
                if condition == 0 { progressed(now) }
                handle.signal.sleep(nanos: 5_000_000) { !handle.hasControls }
                continue
            }
            progressed(now)
            var budget = 32
            for src in 0..<n where budget > 0 {
                let done = driver.deliver(from: src, limit: budget, nowNanos: now) { snap in
                    coordinator.acknowledge(snap, alignmentNanos: driver.core.lastAlignmentNanos)
                }
                budget -= done
                if done > 0 {
                    worked = true
                    // A node busy with a long pass (big frames, a big state, a crowded CPU)
                    // is working: it says so between inputs, not only once per pass.
                    progressed(clock.nanos())
                }
            }
            if driver.anyStalled { handle.stalled.store(true, ordering: .relaxed) }
            if driver.flush() { worked = true }
            if driver.produce(nowNanos: now, paused: handle.paused.load(ordering: .relaxed) || heldForAudit.load(ordering: .relaxed)) {
                worked = true
                let slow = handle.slowNanos.load(ordering: .relaxed)
                if slow > 0 {
                    // A slow node: it takes its time over each batch but stays alive.
                    var left = slow
                    while left > 0 && !handle.hasControls && !stopping.load(ordering: .relaxed) {
                        let step = min(left, 10_000_000)
                        sleepNanos(step)
                        left -= step
                        now = clock.nanos()
                        progressed(now)
                    }
                }
            }
            if now &- lastPublish > 20_000_000 {
                lastPublish = now
                let core = driver.core
                let resetLatency = now &- lastLatencyReset > 2_000_000_000
                handle.pendingDepth.store(driver.heldFrames, ordering: .relaxed)
                board.state.withLock { s in
                    s.nodes[i].produced = producedBase + core.produced
                    s.nodes[i].applied = appliedBase + core.applied
                    s.nodes[i].corruptFrames = corruptBase + core.corruptFrames
                    s.nodes[i].stateBytes = core.stateBytes
                    s.nodes[i].state = core.aligning != nil ? .aligning : .running
                    s.nodes[i].retransmits = driver.retransmitted
                    s.nodes[i].offsetsSum = core.offsetsSum
                    s.nodes[i].offsets = core.offsets
                    s.nodes[i].latency = core.latency
                    if resetLatency {
                        // Finished windows go to the run-wide histogram.
                        s.nodes[i].runLatency.merge(core.latency)
                        s.nodes[i].runLatency.merge(runLatency)
                        s.nodes[i].latency = LatencyHistogram()
                    }
                }
                if resetLatency {
                    core.latency = LatencyHistogram()
                    runLatency = LatencyHistogram()
                    lastLatencyReset = now
                }
            }
            if !worked {
                let wait = max(1_000_000, min(driver.nanosUntilAllowed(), 5_000_000))
                handle.signal.sleep(nanos: wait) {
                    !handle.hasControls && (0..<n).allSatisfy { !driver.canDeliver(from: $0) }
                }
            }
        }
        board.state.withLock { s in
            s.nodes[i].produced = producedBase + driver.core.produced
            s.nodes[i].applied = appliedBase + driver.core.applied
            s.nodes[i].latency = driver.core.latency
            s.nodes[i].runLatency.merge(runLatency)
            s.nodes[i].offsetsSum = driver.core.offsetsSum
            s.nodes[i].offsets = driver.core.offsets
            s.nodes[i].state = .stopped
        }
    }

    // MARK: - Heartbeat senders

    /// Node `i`'s heartbeat sender: beats every 50 ms while the node lives (not killed, not
    /// hung; a partitioned node's beats are lost), on a thread of its own at the normal
    /// priority, so a beat never waits behind the node's work (a long pass, a page fault,
    /// a lock, a busy CPU). Whether that work moves is watched apart (`NodeHandle.progress`):
    /// a node that beats but makes no progress is *stalled*, not down.
    private func runHeartbeat(_ i: Int) {
        let handle = handles[i]
        while !stopping.load(ordering: .relaxed) {
            if handle.condition.load(ordering: .relaxed) == 0 && !handle.partitioned.load(ordering: .relaxed) {
                handle.heartbeat.store(clock.nanos(), ordering: .relaxed)
            }
            sleepNanos(ControlPlane.heartbeatNanos)
        }
    }

    // MARK: - Coordinator thread

    private func runCoordinator() {
        var lastSample: UInt64 = 0, lastAgeSample: UInt64 = 0
        while !stopping.load(ordering: .relaxed) {
            let now = clock.nanos()
            if now &- lastSample >= 250_000_000 {
                lastSample = now
                board.sample(time: uptime)
            }
            if now &- lastAgeSample >= 50_000_000 {
                lastAgeSample = now
                board.sampleVerdictAge(nowNanos: now)
            }
            controlTick()
            if let complete = coordinator.takeComplete() {
                worker.submit(complete)
            }
            sleepNanos(ControlPlane.tickNanos)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
