/// Faults and self-healing in the simulated runtime: the same command vocabulary, phi
/// detector, supervisor, recovery plan and scrubber as the threaded one, on virtual time.
extension SimulatedEngine {
    /// Carries out a command now (virtual time).
    public func apply(_ command: Command) throws(CommandError) {
        let n = config.nodes
        func check(_ node: Int) throws(CommandError) {
            guard node >= 0, node < n else { throw CommandError("node \(node) does not exist: nodes are 0-\(n - 1)") }
        }
        let now = self.now
        trace.append("\(clock.nanos()) command \(command)")
        switch command {
        case let .kill(i):
            try check(i)
            kill(i)
            faultAt[i] = now
        case let .hang(i):
            try check(i)
            if condition[i] == 0 { condition[i] = 2 }
            faultAt[i] = now
        case let .slow(i, d):
            try check(i)
            slowNanos[i] = UInt64(max(0, d) * 1e9)
        case let .corruptFrame(i):
            try check(i)
            links[i][(i + 1) % n].corruptNextFrame()
        case let .partition(i):
            try check(i)
            setPartition(i, true)
            faultAt[i] = now
        case let .corruptShard(ref, s), let .deleteShard(ref, s):
            let (path, manifest) = try persistence.store.shardFile(ref, s)
            if case .deleteShard = command {
                try? disk.remove(path)
            } else {
                disk.flipBit(path, byte: manifest.shardSize / 2, bit: 4)
            }
        case let .wipeDisk(i):
            try check(i)
            try? disk.removeTree(ShardStore.nodeDirectory(i))
        case let .heal(target):
            if let t = target { try check(t) }
            var rejoin: Set<Int> = []
            var wasPartitioned = false
            for i in 0..<n where target == nil || target == i {
                slowNanos[i] = 0
                wasPartitioned = wasPartitioned || partitioned[i]
                setPartition(i, false)
                if condition[i] == 2 { condition[i] = 0 }
                if supervisor.quarantined[i] { rejoin.insert(i) }
            }
            supervisor.heal(target)
            if !rejoin.isEmpty || wasPartitioned {
                // Frames were dropped while cut off: a rollback resynchronises every link.
                recover(reason: rejoin.isEmpty ? "partition healed" : "quarantined nodes rejoin", failed: rejoin)
            }
        case .checkpointNow:
            checkpointNow()
        case .recoverNow:
            recover(reason: "operator asked", failed: [])
        case let .restart(i):
            try check(i)
            kill(i)
            faultAt[i] = now
            recover(reason: "node \(i) restarted by the operator", failed: [i])
        }
        note(.operatorAction, command.description)
    }

    private func kill(_ i: Int) {
        condition[i] = 1
        drivers[i].reset(to: NodeCore(id: i, config: config, restored: nil))
        memories[i].clear()
        for src in 0..<config.nodes { links[src][i].clearQueue() }
    }

    private func setPartition(_ i: Int, _ on: Bool) {
        partitioned[i] = on
        for j in 0..<config.nodes where j != i {
            links[i][j].setDropping(on)
            links[j][i].setDropping(on)
        }
    }

    /// Heartbeats, the detector, the supervisor and the scrubber, at virtual time `t`.
    func selfHeal(_ t: UInt64) {
        let now = Double(t) / 1e9
        var phis: [Double] = []
        for i in 0..<config.nodes {
            if condition[i] == 0 && !partitioned[i] && t &- lastBeat[i] >= 50_000_000 {
                lastBeat[i] = t
                detectors[i].heartbeat(at: now)
            }
            phis.append(detectors[i].phi(at: now))
        }
        let live = (0..<config.nodes).map { !supervisor.quarantined[$0] && health[$0] != .down }
        let silence = detectors.map { $0.lastHeartbeat.map { now - $0 } ?? 0 }
        let stall = stallGuard.judge(silence: silence, live: live, now: now)
        if let m = stall.message {
            trace.append("\(t) \(m)")
            note(.detection, m)
        }
        for i in 0..<config.nodes {
            let phi = phis[i]
            if phi >= detectors[i].threshold && health[i] != .down && !supervisor.quarantined[i] && !stall.holdVerdicts {
                health[i] = .down
                downAt[i] = now
                trace.append("\(t) down node \(i)")
                note(.detection, node: i, "node \(i) is down (phi \(BenchFormat.fixed(phi, 1)))")
                switch supervisor.down(i, now: now) {
                case .quarantine:
                    note(.error, node: i, "node \(i) quarantined")
                    kill(i)
                    health[i] = .quarantined
                case let .restart(_, backoff):
                    note(.recovery, node: i, backoff == 0 ? "supervisor restarts node \(i) now" : "supervisor restarts node \(i) in \(Int(backoff * 1000)) ms (backoff)")
                case .alreadyHandled: break
                }
            } else if phi < detectors[i].threshold && health[i] == .down {
                health[i] = .healthy
            }
        }
        let due = supervisor.dueRestarts(now: now)
        if !due.isEmpty {
            recover(reason: "nodes \(due) down", failed: Set(due))
        } else if !partitioned.contains(true), let s = drivers.indices.first(where: { condition[$0] == 0 && drivers[$0].anyStalled }) {
            recover(reason: "node \(s) lost frames", failed: [])
        }
        if t >= nextScrub {
            nextScrub = t + 50_000_000
            scrubStep()
        }
    }

    /// Rolls every node back to the last complete checkpoint.
    func recover(reason: String, failed requested: Set<Int>) {
        let t0 = now
        var failed = requested
        for i in 0..<config.nodes where condition[i] != 0 && !supervisor.quarantined[i] { failed.insert(i) }
        if coordinator.busy && !coordinator.persisting {
            let id = coordinator.abandon()
            gate.dropped(id)
            replaceCheckpoint(ClusterSnapshot.Checkpoint(id: id, status: .failed, duration: nil, alignment: nil, bytes: 0, shards: 0, healthyShards: 0, note: "abandoned by a recovery"))
        }
        for row in links { for l in row { l.reset() } }
        for i in failed { memories[i].clear() }
        let quarantined = supervisor.quarantined
        let alive = (0..<config.nodes).map { !failed.contains($0) && !quarantined[$0] && condition[$0] == 0 }
        let plan = RecoveryPlan.make(newest: lastStored == 0 ? nil : lastStored, nodes: config.nodes, alive: alive, memories: memories, store: persistence.store)
        for i in 0..<config.nodes {
            if quarantined[i] {
                condition[i] = 1
                drivers[i].reset(to: NodeCore(id: i, config: config, restored: nil))
            } else {
                drivers[i].reset(to: NodeCore(id: i, config: config, restored: plan?.snapshots[i]))
                cores[i] = drivers[i].core
                condition[i] = 0
                health[i] = .healthy
                detectors[i].restarted(at: now)
                lastBeat[i] = clock.nanos()
            }
        }
        for i in 0..<config.nodes where !quarantined[i] { cores[i] = drivers[i].core }
        clock.advance(by: 2_000_000)  // a recovery costs time
        var detect: Double?
        for i in failed {
            if let d = downAt[i], let f = faultAt[i], d >= f { detect = max(detect ?? 0, d - f) }
            faultAt[i] = nil
            downAt[i] = nil
        }
        let sources = plan.map { p in (0..<config.nodes).map { "node \($0): \(p.sources[$0])" } } ?? ["from the beginning"]
        if let plan, lastStored != 0, plan.checkpoint != lastStored {
            note(.error, "checkpoint \(lastStored) was unrecoverable; rolled back to checkpoint \(plan.checkpoint) instead")
        }
        trace.append("\(clock.nanos()) recover (\(reason)) to \(plan.map { String($0.checkpoint) } ?? "start") failed=\(failed.sorted())")
        note(.recovery, "rolled back to checkpoint \(plan.map { String($0.checkpoint) } ?? "none") (\(reason))")
        recoveries.append(ClusterSnapshot.Recovery(reason: reason, detect: detect, restore: now - t0, replay: nil, checkpoint: plan?.checkpoint, sources: sources, at: t0))
    }

    /// Local and standby copies of a complete checkpoint.
    func distributeCopies(_ state: CheckpointState) {
        let n = config.nodes
        for snap in state.nodes where snap.node < n {
            if condition[snap.node] != 1 { memories[snap.node].keepLocal(snap) }
            guard replicas > 0 else { continue }
            let blob = CheckpointState(checkpoint: snap.checkpoint, nodes: [snap]).encoded()
            for r in 1...replicas {
                let peer = (snap.node + r) % n
                if peer != snap.node && condition[peer] != 1 { memories[peer].keepStandby(snap, encoded: blob) }
            }
        }
    }

    /// Verifies one shard and rewrites it when bad.
    private func scrubStep() {
        let store = persistence.store
        guard let ids = try? store.checkpointIDs(), !ids.isEmpty else { return }
        let k = config.dataShards + config.parityShards
        scrubCursor %= ids.count * k
        let id = ids[scrubCursor / k], shard = scrubCursor % k
        scrubCursor += 1
        guard let m = try? store.manifest(id) else { return }
        if case .ok = store.verify(m, shard: shard) { return }
        note(.detection, node: m.shards[shard].disk, "scrubber: checkpoint \(id) shard \(shard) on node \(m.shards[shard].disk) is bad")
        do throws(RestoreError) {
            try store.repair(m, shards: [shard])
            note(.repair, "scrubber rewrote checkpoint \(id) shard \(shard)")
            trace.append("\(clock.nanos()) scrub repaired \(id)/\(shard)")
        } catch {
            note(.error, "scrubber cannot repair checkpoint \(id) shard \(shard): \(error.reason)")
        }
    }
}
