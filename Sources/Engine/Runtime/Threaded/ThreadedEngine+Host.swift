#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// How the threaded runtime carries out the control plane's actions: messages to node
/// threads, switches the node threads read, real links, real files.
extension ThreadedEngine: ControlHost {
    var store: ShardStore { worker.persistence.store }
    var sinkPath: String { worker.persistence.sink.db.path }
    var memories: [NodeMemory] { handles.map(\.memory) }
    var nowNanos: UInt64 { clock.nanos() }

    func withControl<R>(_ body: (inout ControlPlane) -> R) -> R {
        control.withLock { c in body(&c) }
    }

    /// The bit is flipped from a thread of its own: copying the write-ahead log into the file
    /// first waits for a moment between the auditor's reads (seconds, with a large sink).
    func corruptSink() throws(CommandError) {
        let path = sinkPath
        guard SinkRepair.isFile(path) else {
            let r: SinkRot
            do { r = try SinkRot.flip(path) } catch { throw CommandError(error.description) }
            emit(.command(.corruptSink))
            emit(.note(.operatorAction, r.description))
            return
        }
        guard access(path, F_OK) == 0 else { throw CommandError("\(path): no sink database to corrupt") }
        let started = OSThread.start { [self] in
            do throws(SinkError) {
                let r = try SinkRot.flip(path, patience: 10)
                emit(.command(.corruptSink))
                emit(.note(.operatorAction, r.description))
            } catch { emit(.note(.error, "corrupt sink: \(error.description)")) }
        }
        guard let started else { throw CommandError("corrupt sink: no thread to carry it out") }
        pthread_detach(started)
    }

    /// Carries out an operator command (from a key, the command line or a drill).
    /// - Throws: `CommandError` for a node or shard that does not exist; nothing is done then.
    public func apply(_ command: Command) throws(CommandError) { try applyCommand(command) }

    /// Parses command text and carries it out.
    public func apply(text: String) throws(CommandError) {
        try apply(Command.parse(text, nodes: config.nodes, shards: config.dataShards + config.parityShards))
    }

    func observe() -> ControlPlane.Observation {
        let offsets = board.state.withLock { s in s.nodes.reduce(Int64(0)) { $0 + $1.offsetsSum } }
        return ControlPlane.Observation(
            heartbeats: handles.map { $0.heartbeat.load(ordering: .relaxed) },
            progress: handles.map { $0.progress.load(ordering: .relaxed) },
            stalled: handles.map { $0.stalled.load(ordering: .relaxed) },
            offsetsRead: offsets, checkpoint: coordinator.progress,
            heldForAudit: heldForAudit.load(ordering: .relaxed), stopping: stopRequested.load(ordering: .relaxed))
    }

    func carryOut(_ act: ControlAction) {
        switch act {
        case let .kill(i): handles[i].send(.kill)
        case let .hang(i): handles[i].send(.hang)
        case let .resume(i): handles[i].send(.resume)
        case let .slow(i, nanos): handles[i].slowNanos.store(nanos, ordering: .relaxed)
        case let .partition(i, on):
            handles[i].partitioned.store(on, ordering: .relaxed)
            for j in 0..<config.nodes where j != i {
                links[i][j].setDropping(on)
                links[j][i].setDropping(on)
            }
        case let .corruptFrame(i): links[i][(i + 1) % config.nodes].corruptNextFrame()
        default: break
        }
    }

    func injectBarriers(_ id: UInt64) { for h in handles { h.send(.barrier(id)) } }
    func abandonAlignments() { for h in handles { h.send(.abandonAlignment) } }

    func haltAll() {
        for h in handles { h.send(.halt) }
        let deadline = uptime + 2
        while uptime < deadline && !handles.allSatisfy({ $0.halted.load(ordering: .relaxed) }) { sleepMillis(1) }
    }

    func finishCheckpointWrite() {
        // Complete but not yet handed to the persistence thread (the coordinator loop may be
        // the one recovering): hand it over now.
        if let complete = coordinator.takeComplete() { worker.submit(complete) }
        let deadline = uptime + 10
        while coordinator.persisting && uptime < deadline { sleepMillis(1) }
    }

    func supersedeCheckpointWrite() -> UInt64? {
        let id = coordinator.supersede()
        // A checkpoint written just before is being published (memory only): let it finish,
        // so the plan sees it as the newest.
        let deadline = uptime + 2
        while coordinator.publishing && uptime < deadline { sleepMillis(1) }
        return id
    }

    func restoreAll(_ plan: RecoveryPlan?, _ order: RecoveryOrder, minBarrier: UInt64) {
        let n = config.nodes
        for i in 0..<n {
            if order.quarantined[i] {
                handles[i].send(.kill)
            } else {
                handles[i].send(.restore(plan?.snapshots[i], newIncarnation: order.failed.contains(i), minBarrier: minBarrier))
            }
        }
        let deadline = uptime + 2
        while uptime < deadline && !(0..<n).allSatisfy({ order.quarantined[$0] || !handles[$0].halted.load(ordering: .relaxed) }) { sleepMillis(1) }
    }

    func setHeldForAudit(_ hold: Bool) {
        let was = heldForAudit.exchange(hold, ordering: .relaxed)
        if was && !hold { for h in handles { h.signal.wake() } }
    }

    /// Gives each node its own snapshot of a complete checkpoint (local copy: shared
    /// arrays and a CRC, cheap), and queues the standby copies for the replication thread.
    func keepCopies(_ state: CheckpointState) {
        for snap in state.nodes where snap.node < config.nodes && !handles[snap.node].isDead {
            handles[snap.node].memory.keepLocal(snap)
        }
        if replicas > 0 { replication.submit(state) }
    }

    func submitCommit(_ state: CheckpointState) { commitWorker.submit(state) }
    func submitAudit(_ id: UInt64, replacedAll: Bool) { auditWorker.committed(id, replacedAll: replacedAll) }
    func traced(_ event: EngineEvent) {}

    /// How far the auditor may regenerate ahead: up to the offsets published before the
    /// barrier of the oldest checkpoint still to be audited (which are at most that
    /// checkpoint's own, so the work is never wasted); with none open, what the nodes
    /// have read so far.
    func lookaheadCeiling() -> [Int64]? {
        // Without checkpoints nothing is committed until the end: no audit to prepare for.
        guard config.checkpointInterval != nil else { return nil }
        return board.state.withLock { s in
            if let first = s.gate.open.first { return s.barrierHints[first.id] }
            return publishedOffsets(s)
        }
    }

    /// Whether a live peer holds a standby copy of `node`'s state at the newest complete
    /// checkpoint (replication runs behind the checkpoints; until then a recovery of that
    /// node reads the shards).
    public func standbyReady(for node: Int) -> Bool {
        let newest = board.state.withLock { $0.lastStored }
        guard newest > 0, handles.indices.contains(node) else { return false }
        return handles.indices.contains { $0 != node && !handles[$0].isDead && handles[$0].memory.holdsStandby(of: node, newest) }
    }

    /// The replication thread: sends each node's snapshot to `replicas` peers as standby
    /// copies (a framed, CRC-checked byte copy, as a transfer to another machine would
    /// be). It runs below the nodes' priority and always works on the newest checkpoint;
    /// until its copies land, a recovery falls back to the shards.
    func runReplication() {
        OSThread.lowerPriority(by: 4)
        let n = config.nodes
        while !stopping.load(ordering: .relaxed) {
            guard let state = replication.take() else {
                replication.signal.sleep(nanos: 50_000_000) { !replication.hasWork }
                continue
            }
            for snap in state.nodes where snap.node < n {
                let blob = CheckpointState(checkpoint: snap.checkpoint, nodes: [snap]).encoded()
                for r in 1...replicas {
                    let peer = (snap.node + r) % n
                    if peer != snap.node && !handles[peer].isDead { handles[peer].memory.keepStandby(snap, encoded: blob) }
                }
            }
        }
    }

    /// The scrubber thread: the shared `Scrubber` policy on real time.
    func runScrubber() {
        OSThread.lowerPriority(by: 5)
        var scrubber = Scrubber(passPause: Double(scrubIntervalMillis) / 1000)
        while !stopping.load(ordering: .relaxed) {
            var left = scrub(&scrubber)
            while left > 0 && !stopping.load(ordering: .relaxed) {
                let step = min(left, 0.05)
                sleepNanos(UInt64(step * 1e9))
                left -= step
            }
        }
    }
}
