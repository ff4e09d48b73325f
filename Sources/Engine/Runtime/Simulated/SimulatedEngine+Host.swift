import Integrity

/// How the simulated runtime carries out the control plane's actions: on its own nodes'
/// drivers, links and memory disk, in virtual time.
extension SimulatedEngine: ControlHost {
    var store: ShardStore { persistence.store }
    var nowNanos: UInt64 { clock.nanos() }
    var startNanos: UInt64 { 0 }

    func withControl<R>(_ body: (inout ControlPlane) -> R) -> R { body(&control) }

    func corruptSink() throws(CommandError) {
        let r: SinkRot
        do { r = try SinkRot.flip(sinkPath) } catch { throw CommandError(error.description) }
        emit(.command(.corruptSink))
        emit(.note(.operatorAction, r.description))
    }

    /// Carries out a command now (virtual time).
    /// - Throws: `CommandError` for a node, checkpoint or shard that does not exist; nothing is done then.
    public func apply(_ command: Command) throws(CommandError) {
        trace.append("\(clock.nanos()) command \(command)")
        try applyCommand(command)
    }

    /// Parses command text and carries it out.
    public func apply(text: String) throws(CommandError) {
        try apply(Command.parse(text, nodes: config.nodes, shards: config.dataShards + config.parityShards))
    }

    func observe() -> ControlPlane.Observation {
        ControlPlane.Observation(
            heartbeats: beats, progress: progress, stalled: (0..<nodeCount).map { condition[$0] == 0 && drivers[$0].anyStalled },
            offsetsRead: drivers.reduce(Int64(0)) { $0 + $1.core.offsetsSum }, checkpoint: coordinator.progress,
            heldForAudit: held, stopping: paused)
    }

    func carryOut(_ act: ControlAction) {
        switch act {
        case let .kill(i):
            // The process dies: working state, queues and standby copies are gone.
            condition[i] = 1
            reset(i, to: nil)
            memories[i].clear()
            standbyInFlight.removeAll { $0.holder == i }
            for src in 0..<nodeCount { links[src][i].clearQueue() }
        case let .hang(i): if condition[i] == 0 { condition[i] = 2 }
        case let .resume(i): if condition[i] == 2 { condition[i] = 0 }
        case let .slow(i, nanos): slowNanos[i] = nanos
        case let .partition(i, on):
            partitioned[i] = on
            for j in 0..<nodeCount where j != i {
                links[i][j].setDropping(on)
                links[j][i].setDropping(on)
            }
        case let .corruptFrame(i): links[i][(i + 1) % nodeCount].corruptNextFrame()
        default: break
        }
    }

    /// Starts node `i` again from `snapshot`, keeping its counters.
    private func reset(_ i: Int, to snapshot: NodeSnapshot?) {
        let core = drivers[i].core
        retired[i].produced += core.produced
        retired[i].applied += core.applied
        retired[i].corrupt += core.corruptFrames
        drivers[i].reset(to: NodeCore(id: i, config: config, restored: snapshot))
    }

    func injectBarriers(_ id: UInt64) {
        trace.append("\(clock.nanos()) begin checkpoint \(id) actions=\(hex32(actionHash.value))")
        for (i, d) in drivers.enumerated() where condition[i] == 0 { d.injectBarrier(id) }
    }

    func abandonAlignments() { for d in drivers { d.core.resetAlignment() } }

    /// One thread: while the recovery runs, no node does anything.
    func haltAll() {}

    /// With `writeDelay` a checkpoint's write takes virtual time, and a recovery gives up
    /// the one under way as the threaded runtime does; without, a checkpoint is stored in
    /// the step that completes it and none is ever under way.
    func supersedeCheckpointWrite() -> UInt64? { coordinator.supersede() }

    func finishCheckpointWrite() {
        let writes = writesInFlight
        writesInFlight.removeAll()
        for w in writes { persist(w.job) }
    }

    func restoreAll(_ plan: RecoveryPlan?, _ order: RecoveryOrder, minBarrier: UInt64) {
        for i in 0..<nodeCount {
            if order.quarantined[i] {
                condition[i] = 1
                reset(i, to: nil)
            } else {
                reset(i, to: plan?.snapshots[i])
                condition[i] = 0
                beatAt[i] = clock.nanos()
                beats[i] = clock.nanos()
                progress[i] = clock.nanos()
                stuckUntil[i] = 0  // a new incarnation or a rollback: whatever held it is gone
                if order.failed.contains(i) { board.state.withLock { $0.nodes[i].incarnation += 1 } }
            }
        }
        trace.append("\(clock.nanos()) recover (\(order.reason)) to \(plan.map { String($0.checkpoint) } ?? "start") failed=\(order.failed.sorted())")
        clock.advance(by: 2_000_000)  // a recovery costs time
    }

    func setHeldForAudit(_ hold: Bool) { held = hold }

    /// Local and standby copies of a complete checkpoint: the local one at once, each standby
    /// copy at once or after a seeded delay (`standbyDelay`).
    func keepCopies(_ state: CheckpointState) {
        let n = nodeCount
        for snap in state.nodes where snap.node < n {
            if condition[snap.node] != 1 { memories[snap.node].keepLocal(snap) }
            guard replicas > 0 else { continue }
            let blob = CheckpointState(checkpoint: snap.checkpoint, nodes: [snap]).encoded()
            for r in 1...replicas {
                let peer = (snap.node + r) % n
                guard peer != snap.node && condition[peer] != 1 else { continue }
                if standbyDelay > 0 {
                    let delay = UInt64(Double(rng.next() % 1_000_001) / 1_000_000 * standbyDelay * 1e9)
                    standbyInFlight.append(StandbyCopy(due: clock.nanos() + delay, holder: peer, snapshot: snap, blob: blob))
                } else {
                    memories[peer].keepStandby(snap, encoded: blob)
                }
            }
        }
    }

    /// Hands every standby copy due by `t` to its holder, in the order they are due.
    func landStandbys(at t: UInt64) {
        let due = standbyInFlight.filter { $0.due <= t }.sorted { $0.due < $1.due }
        guard !due.isEmpty else { return }
        standbyInFlight.removeAll { $0.due <= t }
        for c in due where condition[c.holder] != 1 { memories[c.holder].keepStandby(c.snapshot, encoded: c.blob) }
    }

    func submitCommit(_ state: CheckpointState) {
        let outcome: Result<Persistence.Committed, PersistError>
        do throws(PersistError) { outcome = .success(try persistence.commit(state)) } catch { outcome = .failure(error) }
        if case let .success(c) = outcome { trace.append("\(clock.nanos()) commit \(state.checkpoint) committed=\(c.committed)") }
        checkpointCommitted(state.checkpoint, outcome: outcome)
    }

    func submitAudit(_ id: UInt64, replacedAll: Bool) { requestAudit(full: replacedAll) }

    func traced(_ event: EngineEvent) { trace.append("\(clock.nanos()) \(event.name) \(event.message)") }
}
