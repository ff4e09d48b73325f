/// What a runtime provides so the control plane's decisions are carried out: its clock,
/// its parts (coordinator, links, memories, shard store, status board) and the few acts
/// that differ between threads and a seeded scheduler (how a node is killed, halted,
/// restored; how a barrier reaches it). Everything else about commands, detection,
/// recovery, checkpoints, the audit bound and scrubbing is written once, in the extension
/// below and in `ControlPlane`.
protocol ControlHost: AnyObject {
    var config: JobConfig { get }
    var board: StatusBoard { get }
    var coordinator: Coordinator { get }
    var links: [[Link]] { get }
    var store: ShardStore { get }
    var memories: [NodeMemory] { get }
    /// The sink's database file.
    var sinkPath: String { get }
    /// Flips a bit of the sink's database (`SinkRot`), then logs the command and what was
    /// flipped: at once in the simulated runtime, from a thread of its own in the threaded
    /// one (copying the write-ahead log into the file waits for the auditor's read, which
    /// the control thread must not).
    func corruptSink() throws(CommandError)
    /// The runtime's clock, nanoseconds.
    var nowNanos: UInt64 { get }
    /// The clock reading of time 0.
    var startNanos: UInt64 { get }

    /// Runs `body` on the control plane (under a lock where threads share it).
    func withControl<R>(_ body: (inout ControlPlane) -> R) -> R
    /// What the runtime sees now, for a tick.
    func observe() -> ControlPlane.Observation
    /// Kill, hang, resume, slow, partition or corrupt a frame: an act on the environment.
    func carryOut(_ act: ControlAction)
    /// Barrier `id` goes to every live node's sources.
    func injectBarriers(_ id: UInt64)
    /// Every node drops a half-done alignment.
    func abandonAlignments()
    /// Every node stops processing (returns once they have, or after a bound).
    func haltAll()
    /// A recovery gives up the complete checkpoint still being written (`Coordinator.supersede`):
    /// it is removed when its write ends, never published, so it cannot land after the
    /// rollback. Returns the checkpoint given up; nil where writing is synchronous (the
    /// simulated runtime) or nothing was being written. Waits only while a checkpoint
    /// already written is being published (no I/O), never for the disk.
    func supersedeCheckpointWrite() -> UInt64?
    /// The checkpoint being written is written to the end (stored or failed) before the
    /// recovery plans: for when nothing is stored yet, where giving it up would start the
    /// job over from the beginning. Returns once written or after a bound; where writes
    /// take virtual time (the simulation), the write lands at once.
    func finishCheckpointWrite()
    /// Every node starts again from `plan` (nil: from the beginning); quarantined nodes
    /// stay dead; failed nodes come back as new incarnations; barriers below `minBarrier`
    /// are stale.
    func restoreAll(_ plan: RecoveryPlan?, _ order: RecoveryOrder, minBarrier: UInt64)
    /// The lag bound's hold changed (`true`: the sources must wait).
    func setHeldForAudit(_ hold: Bool)
    /// Local and standby copies of a complete checkpoint.
    func keepCopies(_ state: CheckpointState)
    /// The sink commits a stored checkpoint (now or on another thread; `checkpointCommitted` follows).
    func submitCommit(_ state: CheckpointState)
    /// The auditor checks a committed epoch (`auditFinished` follows).
    func submitAudit(_ id: UInt64, replacedAll: Bool)
    /// An event, for runtimes that keep a trace of their own.
    func traced(_ event: EngineEvent)
}

extension ControlHost {
    /// Seconds since time 0.
    var uptime: Double { Double(nowNanos &- min(nowNanos, startNanos)) / 1e9 }

    /// Logs a typed event now.
    func emit(_ detail: EngineEvent.Detail, node: Int? = nil) {
        let e = EngineEvent(time: uptime, node: node, detail)
        board.event(e)
        traced(e)
    }

    // MARK: - Commands

    /// Moves money between two rows of the sink (`RowShuffle`), on both runtimes the same
    /// way: one short write transaction on a connection of its own.
    func corruptRows() throws(CommandError) {
        let r: RowShuffle
        do { r = try RowShuffle.move(sinkPath) } catch { throw CommandError(error.description) }
        emit(.command(.corruptRows))
        emit(.note(.operatorAction, r.description))
    }

    /// Carries out an operator command: the control plane decides, the runtime acts.
    /// - Throws: `CommandError` for a node, checkpoint or shard that does not exist; nothing
    ///   is done then.
    func applyCommand(_ command: Command) throws(CommandError) {
        if case .corruptSink = command { return try corruptSink() }
        if case .corruptRows = command { return try corruptRows() }
        let actions = try withControl { $0.command(command, at: nowNanos) }.get()
        // Acts on the disks first: they are the ones that can be refused.
        var logged = command
        var wiped: (node: Int, shards: Int)?
        for a in actions {
            switch a {
            case let .damageShard(ref, shard, delete):
                let id = try damageShard(ref, shard, delete: delete)
                // The log names the checkpoint `latest` meant, so a receipt can follow the shard.
                logged = delete ? .deleteShard(.id(id), shard) : .corruptShard(.id(id), shard)
            case let .wipeDisk(i):
                let directory = ShardStore.nodeDirectory(i)
                let held = ((try? store.disk.list(directory)) ?? []).filter { ShardStore.isShardFileName($0) }.count
                do throws(DiskError) { try store.disk.removeTree(directory) } catch { throw CommandError(error) }
                wiped = (i, held)
            default: break
            }
        }
        // Logged before the rest is carried out: what it causes (a frame caught on another
        // thread at once) comes after it in the log, and on its receipt.
        emit(.command(logged))
        if let w = wiped { emit(.diskWiped(node: w.node, shards: w.shards)) }
        for a in actions { perform(a) }
    }

    /// Flips a bit in, or removes, shard `shard` of checkpoint `ref`; returns the checkpoint's id.
    @discardableResult
    func damageShard(_ ref: CheckpointRef, _ shard: Int, delete: Bool) throws(CommandError) -> UInt64 {
        let (path, manifest) = try store.shardFile(ref, shard)
        let flipped: Bool
        do throws(DiskError) {
            if delete {
                try store.disk.remove(path)
                return manifest.checkpoint
            }
            flipped = try store.disk.flipBit(path, byte: manifest.shardSize / 2, bit: 4)
        } catch { throw CommandError(error) }
        guard flipped else { throw CommandError("\(path) is missing") }
        return manifest.checkpoint
    }

    // MARK: - The tick

    /// One pass of the control plane: observe, decide, act, and (with `publish`) put each
    /// node's health on the board. Returns whether it did anything (a pass with no action
    /// changes nothing but the detector's books).
    @discardableResult
    func controlTick(publish: Bool = true) -> Bool {
        let o = observe()
        let actions = withControl { $0.tick(at: nowNanos, o) }
        for a in actions { perform(a) }
        if actions.contains(where: { if case .event(.caughtUp) = $0 { true } else { false } }) { publishRecoveries() }
        if publish { publishHealth() }
        return !actions.isEmpty
    }

    func perform(_ a: ControlAction) {
        switch a {
        case .kill, .hang, .resume, .slow, .partition, .corruptFrame: carryOut(a)
        case .damageShard, .wipeDisk: break  // done before, by `applyCommand`
        case let .tearWrite(n): store.disk.crashAfterWrites(n)
        case .beginCheckpoint: beginCheckpoint()
        case let .abandonCheckpoint(why): abandonCheckpoint(why, log: true)
        case let .recover(order): recover(order)
        case let .event(d): emit(d)
        }
    }

    /// Each node's health, phi, heartbeat age, restarts and standby copies, on the board.
    func publishHealth() {
        let now = uptime
        let view = withControl { c in
            (0..<c.nodes).map { (c.health[$0], c.phi[$0], c.heartbeatAge($0), c.supervisor.recentRestarts($0, now: now)) }
        }
        let standby = memories.map(\.standbyCount)
        board.state.withLock { s in
            for i in s.nodes.indices where i < view.count {
                s.nodes[i].health = view[i].0
                s.nodes[i].phi = view[i].1
                s.nodes[i].heartbeatAge = view[i].2
                s.nodes[i].restarts = view[i].3
                s.nodes[i].standbyCopies = i < standby.count ? standby[i] : 0
            }
        }
    }

    // MARK: - Checkpoints

    /// Injects the next checkpoint's barriers.
    func beginCheckpoint() {
        let now = nowNanos
        let id = coordinator.begin(now: now)
        proof { $0.gate.begun(id, at: now) }
        let time = uptime
        board.state.withLock { s in
            s.barrierHints[id] = publishedOffsets(s)
            s.receipts.checkpointBegan(id, at: time)
        }
        board.upsertCheckpoint(ClusterSnapshot.Checkpoint(id: id, status: .inProgress, duration: nil, alignment: nil, bytes: 0,
                                                          shards: config.dataShards + config.parityShards, healthyShards: 0, note: ""))
        injectBarriers(id)
    }

    /// Gives up the checkpoint in flight, unless it is already being written.
    func abandonCheckpoint(_ why: EngineEvent.CheckpointFailure, log: Bool) {
        guard coordinator.busy && !coordinator.persisting else { return }
        let id = coordinator.abandon()
        proof { $0.gate.dropped(id) }
        abandonAlignments()
        board.upsertCheckpoint(ClusterSnapshot.Checkpoint(id: id, status: .failed, duration: nil, alignment: nil, bytes: 0, shards: 0, healthyShards: 0, note: why.text))
        if log { emit(.checkpointFailed(checkpoint: id, why)) }
    }

    /// A checkpoint was stored (complete) or failed.
    func checkpointStored(_ state: CheckpointState, alignmentNanos: UInt64, outcome: Result<Persistence.Stored, PersistError>) {
        let id = state.checkpoint
        guard coordinator.claim(id) else {
            // A recovery gave it up while it was written: what was written goes.
            do throws(DiskError) { try store.remove(checkpoint: id) } catch {
                emit(.warning("checkpoint \(id), given up by a recovery while it was written, could not be removed: \(error)"))
            }
            return
        }
        switch outcome {
        case let .success(o):
            // Retention first (a store that fails after this keeps the ones it has), then
            // copies: a recovery that sees this checkpoint as the newest finds them.
            var retired: [UInt64] = []
            do throws(DiskError) { retired = try store.prune(keep: config.retainedCheckpoints) } catch {
                emit(.warning("pruning checkpoints older than the newest \(config.retainedCheckpoints): \(error)"))
            }
            keepCopies(state)
            board.upsertCheckpoint(ClusterSnapshot.Checkpoint(
                id: id, status: .complete, duration: Double(o.durableNanos) / 1e9, alignment: Double(alignmentNanos) / 1e9,
                bytes: o.manifest.blobSize, shards: o.manifest.shards.count, healthyShards: o.manifest.shards.count, note: ""))
            let time = uptime
            let fullSince: Double? = board.state.withLock { s in
                s.completed += 1
                s.lastStored = max(s.lastStored, id)
                if !retired.isEmpty { s.receipts.retired(retired, at: time) }
                defer { s.diskFullSince = nil }
                return s.diskFullSince
            }
            if let since = fullSince { emit(.diskSpaceBack(checkpoint: id, seconds: max(0, time - since))) }
            coordinator.finish(id)
            submitCommit(state)
        case let .failure(e):
            proof { $0.gate.dropped(id) }
            board.upsertCheckpoint(ClusterSnapshot.Checkpoint(id: id, status: .failed, duration: nil, alignment: nil, bytes: 0, shards: 0, healthyShards: 0, note: e.description))
            emit(.checkpointFailed(checkpoint: id, failure(e)))
            coordinator.finish(id)
        }
    }

    /// A failed store or commit as an event's reason; a full disk is marked on the board
    /// (the dashboard says so until a checkpoint stores again).
    private func failure(_ e: PersistError, commit: Bool = false) -> EngineEvent.CheckpointFailure {
        if case let .noSpace(why) = e {
            let time = uptime
            board.state.withLock { s in if s.diskFullSince == nil { s.diskFullSince = time } }
            return .diskFull(why)
        }
        return commit ? .commit(e.description) : .store(e.description)
    }

    /// The sink committed epoch `id` (or found it already there, or failed).
    func checkpointCommitted(_ id: UInt64, outcome: Result<Persistence.Committed, PersistError>) {
        switch outcome {
        case let .success(c):
            if let r = c.rebuilt {
                emit(.sinkRebuilt(checkpoint: id, why: r.why, keptAs: r.keptAs, rows: r.rows, seconds: r.seconds))
            }
            if c.committed {
                board.state.withLock { s in
                    if id >= s.lastCommitted { s.committedTransfers = c.transfers }
                    s.lastCommitted = max(s.lastCommitted, id)
                }
                submitAudit(id, replacedAll: c.replacedAll)
            } else {
                proof { $0.gate.dropped(id) }  // already in the sink: nothing new to audit
            }
        case let .failure(e):
            proof { $0.gate.dropped(id) }
            emit(.checkpointFailed(checkpoint: id, failure(e, commit: true)))
        }
    }

    /// The auditor's verdict on the sink, or why it could not read it.
    func auditFinished(_ result: Result<AuditVerdict, SinkError>) {
        switch result {
        case let .success(v):
            let time = uptime
            // The verdict and the gate's books change under one lock: a snapshot between
            // them showed the new verdict with the age of the one before (seen beside a busy
            // neighbour: 1.366 s, then 0.570 s, both "as of checkpoint 4").
            var previous = v, hadError = false
            proof { s in
                previous = s.verdict
                hadError = s.auditError != nil
                s.verdict = v
                s.auditError = nil
                s.receipts.audited(v, at: time)
                if let id = v.checkpoint { s.gate.audited(id) }
            }
            if (!v.exact || !v.moneyConserved) && (previous.exact && previous.moneyConserved) {
                emit(.auditMismatch(epoch: v.checkpoint ?? 0, lost: v.lost, duplicated: v.duplicated, accounts: v.mismatchedAccounts, moneyConserved: v.moneyConserved))
            }
            if hadError { emit(.auditRecovered(epoch: v.checkpoint ?? 0)) }
        case let .failure(e):
            let first = board.state.withLock { s in defer { s.auditError = e.description }; return s.auditError == nil }
            if first { emit(.auditFailed(e.description)) }
        }
    }

    /// Changes the audit lag bound's books (`s.gate`, with whatever must change with them
    /// under the same lock) and lets the sources go, or holds them.
    func proof(_ change: (inout StatusBoard.State) -> Void) {
        let hold = board.state.withLock { s in
            // The clock is read under the lock: a reading taken before it could be older than
            // the `heldSince` another thread just set (the difference then wrapped around and
            // the sum trapped, seen once under ThreadSanitizer's slowdown).
            let now = nowNanos
            change(&s)
            if s.gate.holdsSources != (s.heldSince != nil) {
                if let since = s.heldSince {
                    if now > since { s.heldNanos &+= now - since }
                    s.heldSince = nil
                } else {
                    s.heldSince = now
                }
            }
            if let oldest = s.gate.open.first?.id { s.barrierHints = s.barrierHints.filter { $0.key >= oldest } } else { s.barrierHints.removeAll() }
            return s.gate.holdsSources
        }
        setHeldForAudit(hold)
    }

    /// Source offsets per partition as the nodes last published them (a little behind).
    func publishedOffsets(_ s: StatusBoard.State) -> [Int64] {
        var offsets = [Int64](repeating: 0, count: config.partitions)
        for (i, n) in s.nodes.enumerated() {
            for (j, p) in config.partitions(of: i).enumerated() where j < n.offsets.count { offsets[p] = n.offsets[j] }
        }
        return offsets
    }

    // MARK: - Recovery

    /// Rolls every node back to the last complete checkpoint and replays (stop the world).
    func recover(_ order: RecoveryOrder) {
        let t0 = nowNanos
        board.state.withLock { $0.recovering = true }
        haltAll()
        CrashPoint.recovery.pass()
        if board.state.withLock({ $0.lastStored }) == 0 {
            finishCheckpointWrite()  // nothing stored to restore: wait rather than start over
        } else if let id = supersedeCheckpointWrite() {
            proof { $0.gate.dropped(id) }
            board.upsertCheckpoint(ClusterSnapshot.Checkpoint(id: id, status: .failed, duration: nil, alignment: nil, bytes: 0, shards: 0, healthyShards: 0,
                                                              note: EngineEvent.CheckpointFailure.abandonedByRecovery.text))
        }
        abandonCheckpoint(.abandonedByRecovery, log: false)
        for row in links { for l in row { l.reset() } }
        for i in order.failed { memories[i].clear() }  // a new incarnation starts with empty memory
        let n = config.nodes
        let alive = (0..<n).map { !order.failed.contains($0) && !order.quarantined[$0] }
        let newest = board.state.withLock { $0.lastStored }
        let plan = RecoveryPlan.make(newest: newest == 0 ? nil : newest, nodes: n, alive: alive, memories: memories, store: store)
        restoreAll(plan, order, minBarrier: coordinator.state.withLock { $0.nextID })
        let restoreSeconds = Double(nowNanos &- t0) / 1e9
        let result = RecoveryResult(checkpoint: plan?.checkpoint, newest: newest == 0 ? nil : newest, sources: plan?.sources ?? [],
                                    skipped: plan?.skipped ?? [], rebuilt: plan?.rebuilt ?? [])
        let (events, recoveries) = withControl { c in (c.recovered(order, plan: result, restoreSeconds: restoreSeconds, at: nowNanos), c.recoveries) }
        board.state.withLock { s in
            s.recovering = false
            s.recoveries = recoveries
        }
        for e in events { perform(e) }
    }

    /// Copies the control plane's recoveries (with their replay phases) to the board.
    func publishRecoveries() {
        let r = withControl { $0.recoveries }
        board.state.withLock { $0.recoveries = r }
    }

    // MARK: - Scrubbing

    /// One step of the scrubber; returns the seconds to wait before the next.
    func scrub(_ scrubber: inout Scrubber) -> Double {
        let step = scrubber.step(store, nodes: config.nodes)
        for e in step.events { emit(Self.readBack(e, store)) }
        if let d = step.repairedDisk {
            let now = uptime
            board.state.withLock { s in if d < s.nodes.count { s.nodes[d].lastDiskRepair = now } }
        }
        if let h = step.health {
            board.state.withLock { s in
                for i in s.nodes.indices where i < h.shards.count {
                    s.nodes[i].diskShards = h.shards[i]
                    s.nodes[i].badDiskShards = h.bad[i]
                }
                for i in s.checkpoints.indices where s.checkpoints[i].status == .complete {
                    if let healthy = h.healthy[s.checkpoints[i].id] { s.checkpoints[i].healthyShards = healthy }
                }
            }
        }
        return step.pause
    }

    /// A repair is reported only once a second read of the shard finds it whole: a rewrite
    /// that did not land (a lost write, a bug) is told as unrepaired, never as repaired.
    static func readBack(_ e: EngineEvent.Detail, _ store: ShardStore) -> EngineEvent.Detail {
        guard case let .shardRepaired(id, shard, node, _) = e else { return e }
        switch store.health(of: ClusterSnapshot.StoredShard(checkpoint: id, shard: shard, node: node)) {
        case nil, .ok?: return e
        case .missing?: return .shardUnrepairable(checkpoint: id, shard: shard, why: "rewritten from the others, but a second read finds it missing")
        case let .corrupt(why)?: return .shardUnrepairable(checkpoint: id, shard: shard, why: "rewritten from the others, but a second read finds it bad: \(why)")
        }
    }
}
