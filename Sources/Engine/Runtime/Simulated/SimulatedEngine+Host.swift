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
            for (owner, checkpoint) in memories[i].standbyCheckpoints { standbysLost[i].insert(LostStandby(owner: owner, checkpoint: checkpoint)) }
            memories[i].clear()
            diedSinceCopy[i] = true
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
        if let plan { check(plan, order) }
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

    /// Holds a recovery's plan to what the simulation knows (`violations`): a node restored
    /// from its own memory must not have died since that copy was made, nor one restored
    /// from a standby copy whose holder died since it got the copy; one restored from the
    /// shards of the newest checkpoint must have had no intact standby copy on a live peer.
    func check(_ plan: RecoveryPlan, _ order: RecoveryOrder) {
        let newest = board.state.withLock { $0.lastStored }
        let time = "\((Double(clock.nanos()) / 1e6).rounded() / 1000)s"
        for i in 0..<min(nodeCount, plan.sources.count) where !order.quarantined[i] {
            switch plan.sources[i] {
            case .local:
                if diedSinceCopy[i] {
                    violations.append("at \(time) node \(i) was restored from its own memory of checkpoint \(plan.checkpoint), though it died after that copy was made")
                }
            case .shards:
                guard plan.checkpoint == newest else { continue }  // older checkpoints restore from shards only
                for p in 0..<nodeCount where p != i && !order.failed.contains(p) && !order.quarantined[p] {
                    if case .success = memories[p].standby(of: i, plan.checkpoint, holder: p) {
                        violations.append("at \(time) node \(i) was restored from the shards of checkpoint \(plan.checkpoint) while node \(p), alive, held an intact standby copy of it")
                        break
                    }
                }
            case let .standby(peer: p):
                if p < nodeCount, standbysLost[p].contains(LostStandby(owner: i, checkpoint: plan.checkpoint)) {
                    violations.append("at \(time) node \(i) was restored from node \(p)'s standby copy of checkpoint \(plan.checkpoint), which died with node \(p)")
                }
            }
        }
    }

    /// Local and standby copies of a complete checkpoint: each at once, or after a seeded
    /// delay (`standbyDelay`), so a node restored just after a checkpoint may hold only an
    /// older copy of its own state.
    func keepCopies(_ state: CheckpointState) {
        let n = nodeCount
        for snap in state.nodes where snap.node < n {
            if condition[snap.node] != 1 {
                if standbyDelay > 0 {
                    let delay = UInt64(Double(rng.next() % 1_000_001) / 1_000_000 * standbyDelay * 1e9)
                    standbyInFlight.append(StandbyCopy(due: clock.nanos() + delay, holder: snap.node, snapshot: snap, blob: []))
                } else {
                    memories[snap.node].keepLocal(snap)
                    diedSinceCopy[snap.node] = false
                }
            }
            guard replicas > 0 else { continue }
            let blob = CheckpointState(checkpoint: snap.checkpoint, nodes: [snap]).encoded()
            for r in 1...replicas {
                let peer = (snap.node + r) % n
                guard peer != snap.node && condition[peer] != 1 else { continue }
                if standbyDelay > 0 {
                    let delay = UInt64(Double(rng.next() % 1_000_001) / 1_000_000 * standbyDelay * 1e9)
                    standbyInFlight.append(StandbyCopy(due: clock.nanos() + delay, holder: peer, snapshot: snap, blob: blob))
                } else {
                    keepStandby(snap, blob, holder: peer)
                }
            }
        }
    }

    /// Arms the loss of the next frame on a link drawn from the seed (`frameLossPerSecond`),
    /// and draws when the next loss comes (exponential gaps, as independent losses have).
    func loseFrame(at t: UInt64) {
        let n = nodeCount
        guard n > 1 else { return }
        let from = Int(rng.next() % UInt64(n))
        let to = (from + 1 + Int(rng.next() % UInt64(n - 1))) % n
        links[from][to].loseNextFrame()
        let u = Double(rng.next() % 1_000_000 + 1) / 1_000_001
        nextFrameLoss = t + UInt64(-log(u) / frameLossPerSecond * 1e9)
    }

    /// Hands every standby copy due by `t` to its holder, in the order they are due.
    func landStandbys(at t: UInt64) {
        let due = standbyInFlight.filter { $0.due <= t }.sorted { $0.due < $1.due }
        guard !due.isEmpty else { return }
        standbyInFlight.removeAll { $0.due <= t }
        for c in due where condition[c.holder] != 1 {
            if c.holder == c.snapshot.node {
                memories[c.holder].keepLocal(c.snapshot)
                diedSinceCopy[c.holder] = false
            } else {
                keepStandby(c.snapshot, c.blob, holder: c.holder)
            }
        }
    }

    /// Hands a standby copy to its holder, with a bit flipped on a share of them (`standbyDamage`).
    private func keepStandby(_ snap: NodeSnapshot, _ blob: [UInt8], holder: Int) {
        memories[holder].keepStandby(snap, encoded: blob)
        standbysLost[holder].remove(LostStandby(owner: snap.node, checkpoint: snap.checkpoint))
        if standbyDamage > 0 && Double(rng.next() % 1_000_000) / 1_000_000 < standbyDamage {
            memories[holder].damageStandby(of: snap.node)
            trace.append("\(clock.nanos()) standby of node \(snap.node) on node \(holder) damaged")
        }
    }

    func submitCommit(_ state: CheckpointState) {
        let outcome: Result<Persistence.Committed, PersistError>
        do throws(PersistError) { outcome = .success(try persistence.commit(state)) } catch { outcome = .failure(error) }
        if case let .success(c) = outcome { trace.append("\(clock.nanos()) commit \(state.checkpoint) committed=\(c.committed)") }
        checkpointCommitted(state.checkpoint, outcome: outcome)
        if duplicateCommits, case .success(true) = outcome.map(\.committed) { commitAgain(state) }
    }

    /// Sends a committed epoch to the sink again (`duplicateCommits`): refused is right;
    /// applied again or failed is logged as a failed commit.
    private func commitAgain(_ state: CheckpointState) {
        let id = state.checkpoint
        do throws(PersistError) {
            let again = try persistence.commit(state)
            trace.append("\(clock.nanos()) commit \(id) again committed=\(again.committed)")
            if again.committed { emit(.checkpointFailed(checkpoint: id, .commit("a repeat of epoch \(id) (a retry after a lost acknowledgement) was applied again"))) }
        } catch {
            emit(.checkpointFailed(checkpoint: id, .commit("a repeat of epoch \(id) (a retry after a lost acknowledgement) was not refused: \(error)")))
        }
    }

    func submitAudit(_ id: UInt64, replacedAll: Bool) { requestAudit(full: replacedAll) }

    func traced(_ event: EngineEvent) { trace.append("\(clock.nanos()) \(event.name) \(event.message)") }
}
#if canImport(Glibc)
import Glibc
#endif
