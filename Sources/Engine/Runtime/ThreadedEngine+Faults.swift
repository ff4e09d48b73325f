import Synchronization

/// The fault side of the threaded engine: the operator's commands, the failure detector,
/// the supervisor, recoveries and the background scrubber.
struct FaultBook {
    var detectors: [PhiAccrualDetector]
    var lastBeat: [UInt64]
    var health: [ClusterSnapshot.Health]
    var supervisor: Supervisor
    var faultAt: [Double?]
    var downAt: [Double?]
    var slow: [Bool]
    var partitioned: [Bool]
    var recoveryRequest: (reason: String, failed: Set<Int>)?
    var replay: (target: Int64, since: Double, index: Int)?
    var lastStallRecovery = -100.0
    var stallGuard = HostStallGuard()

    init(nodes: Int) {
        detectors = Array(repeating: PhiAccrualDetector(), count: nodes)
        lastBeat = Array(repeating: 0, count: nodes)
        health = Array(repeating: .healthy, count: nodes)
        supervisor = Supervisor(nodes: nodes)
        faultAt = Array(repeating: nil, count: nodes)
        downAt = Array(repeating: nil, count: nodes)
        slow = Array(repeating: false, count: nodes)
        partitioned = Array(repeating: false, count: nodes)
    }

    mutating func request(_ reason: String, failed: Set<Int> = []) {
        if var r = recoveryRequest {
            r.failed.formUnion(failed)
            recoveryRequest = r
        } else {
            recoveryRequest = (reason, failed)
        }
    }
}

extension ThreadedEngine {
    /// Carries out an operator command (from a key, the command line or a drill).
    /// - Throws: `CommandError` for a node or shard that does not exist; nothing is done then.
    public func apply(_ command: Command) throws(CommandError) {
        let n = config.nodes
        func check(_ node: Int) throws(CommandError) {
            guard node >= 0, node < n else { throw CommandError("node \(node) does not exist: nodes are 0-\(n - 1)") }
        }
        let now = uptime
        switch command {
        case let .kill(i):
            try check(i)
            handles[i].send(.kill)
            faults.withLock { $0.faultAt[i] = now }
        case let .hang(i):
            try check(i)
            handles[i].send(.hang)
            faults.withLock { $0.faultAt[i] = now }
        case let .slow(i, delay):
            try check(i)
            handles[i].slowNanos.store(UInt64(max(0, delay) * 1e9), ordering: .relaxed)
            faults.withLock { $0.slow[i] = delay > 0 }
        case let .corruptFrame(i):
            try check(i)
            links[i][(i + 1) % n].corruptNextFrame()
        case let .partition(i):
            try check(i)
            setPartition(i, true)
            faults.withLock { $0.faultAt[i] = now; $0.partitioned[i] = true }
        case let .corruptShard(ref, s), let .deleteShard(ref, s):
            let store = worker.persistence.store
            let (path, manifest) = try store.shardFile(ref, s)
            do {
                if case .deleteShard = command {
                    try store.disk.remove(path)
                } else {
                    guard try store.disk.flipBit(path, byte: manifest.shardSize / 2, bit: 4) else { throw CommandError("\(path) is missing") }
                }
            } catch let e as CommandError { throw e } catch { throw CommandError("\(error)") }
        case let .wipeDisk(i):
            try check(i)
            do { try worker.persistence.store.disk.removeTree(ShardStore.nodeDirectory(i)) } catch { throw CommandError("\(error)") }
        case let .heal(target):
            if let t = target { try check(t) }
            let wasPartitioned = (0..<n).contains { (target == nil || target == $0) && handles[$0].partitioned.load(ordering: .relaxed) }
            for i in 0..<n where target == nil || target == i {
                handles[i].slowNanos.store(0, ordering: .relaxed)
                setPartition(i, false)
                if handles[i].isHung { handles[i].condition.store(0, ordering: .relaxed); handles[i].signal.wake() }
            }
            faults.withLock { f in
                let wasQuarantined = (0..<n).filter { (target == nil || target == $0) && f.supervisor.quarantined[$0] }
                f.supervisor.heal(target)
                for i in 0..<n where target == nil || target == i {
                    f.slow[i] = false
                    f.partitioned[i] = false
                }
                if !wasQuarantined.isEmpty {
                    f.request("quarantined node\(wasQuarantined.count == 1 ? "" : "s") \(wasQuarantined.map(String.init).joined(separator: ", ")) rejoin", failed: Set(wasQuarantined))
                } else if wasPartitioned {
                    // Frames were dropped while cut off: a rollback resynchronises every link.
                    f.request("partition healed")
                }
            }
        case .checkpointNow:
            checkpointNow()
        case .recoverNow:
            faults.withLock { $0.request("operator asked") }
        case let .restart(i):
            try check(i)
            handles[i].send(.kill)
            faults.withLock { $0.faultAt[i] = now; $0.request("node \(i) restarted by the operator", failed: [i]) }
        }
        event(.operatorAction, node: command.node, command.description)
    }

    /// Parses command text and carries it out.
    public func apply(text: String) throws(CommandError) {
        try apply(Command.parse(text, nodes: config.nodes, shards: config.dataShards + config.parityShards))
    }

    private func setPartition(_ i: Int, _ on: Bool) {
        handles[i].partitioned.store(on, ordering: .relaxed)
        for j in 0..<config.nodes where j != i {
            links[i][j].setDropping(on)
            links[j][i].setDropping(on)
        }
    }

    /// One pass of the failure detector and the supervisor (coordinator thread).
    func monitor() {
        let nowNanos = clock.nanos()
        let now = uptime
        var newlyDown: [(Int, Double, Double)] = []
        var decisions: [(Int, Supervisor.Decision)] = []
        let recovering = board.state.withLock { $0.recovering }
        var stallMessages: [String] = []
        faults.withLock { f in
            let pause = f.stallGuard.beginPass(now: now)
            if let pause { for i in 0..<config.nodes { f.detectors[i].discount(pause.seconds, now: now) } }
            var phis: [Double] = []
            for i in 0..<config.nodes {
                let beat = handles[i].heartbeat.load(ordering: .relaxed)
                if beat != f.lastBeat[i] {
                    f.lastBeat[i] = beat
                    f.detectors[i].heartbeat(at: Double(beat &- startNanos) / 1e9)
                }
                phis.append(f.detectors[i].phi(at: now))
            }
            let live = (0..<config.nodes).map { i in
                !f.supervisor.quarantined[i] && f.health[i] != .down && !(f.health[i] == .recovering && recovering)
            }
            let silence = f.detectors.map { $0.lastHeartbeat.map { now - $0 } ?? 0 }
            let stall = f.stallGuard.judge(silence: silence, live: live, now: now)
            stallMessages = [pause?.message, stall.message].compactMap { $0 }
            for i in 0..<config.nodes {
                let phi = phis[i]
                let quarantined = f.supervisor.quarantined[i]
                var h: ClusterSnapshot.Health
                if quarantined { h = .quarantined }
                else if f.health[i] == .recovering && recovering { h = .recovering }
                else if phi >= f.detectors[i].threshold && (!stall.holdVerdicts || f.health[i] == .down) { h = .down }
                else if handles[i].isHung { h = .hung }
                else if f.partitioned[i] { h = .partitioned }
                else if phi >= f.detectors[i].suspectThreshold { h = .suspect }
                else if f.slow[i] { h = .slow }
                else { h = .healthy }
                if h == .down && f.health[i] != .down && !quarantined {
                    f.downAt[i] = now
                    newlyDown.append((i, phi, now - (f.detectors[i].lastHeartbeat ?? now)))
                    decisions.append((i, f.supervisor.down(i, now: now)))
                }
                f.health[i] = h
                let age = f.detectors[i].lastHeartbeat.map { now - $0 } ?? 0
                let health = h
                board.state.withLock { s in
                    s.nodes[i].health = health
                    s.nodes[i].phi = phi
                    s.nodes[i].heartbeatAge = age
                    s.nodes[i].restarts = f.supervisor.recentRestarts(i, now: now)
                    s.nodes[i].standbyCopies = handles[i].memory.standbyCount
                }
            }
            let due = f.supervisor.dueRestarts(now: now)
            if !due.isEmpty { f.request("node\(due.count == 1 ? "" : "s") \(due.map(String.init).joined(separator: ", ")) down", failed: Set(due)) }
            // An input that lost frames it cannot get again needs a rollback, unless a
            // partition is still cutting it off (the supervisor deals with that node).
            if f.recoveryRequest == nil && !f.partitioned.contains(true) && now - f.lastStallRecovery > 1,
               let stalled = (0..<config.nodes).first(where: { handles[$0].stalled.load(ordering: .relaxed) }) {
                f.lastStallRecovery = now
                f.request("node \(stalled) lost frames that could not be sent again")
            }
        }
        _ = nowNanos
        for m in stallMessages { event(.detection, m) }
        for (i, phi, silent) in newlyDown {
            event(.detection, node: i, "node \(i) is down: phi \(BenchFormat.fixed(phi, 1)) after \(Int(silent * 1000)) ms without a heartbeat")
        }
        for (i, d) in decisions {
            switch d {
            case let .restart(_, backoff):
                event(.recovery, node: i, backoff == 0 ? "supervisor restarts node \(i) now" : "supervisor restarts node \(i) in \(Int(backoff * 1000)) ms (backoff)")
            case let .quarantine(r):
                event(.error, node: i, "node \(i) quarantined after \(r) restarts in \(Int(Supervisor(nodes: 1).window)) s: heal it to let it rejoin")
                handles[i].send(.kill)
            case .alreadyHandled: break
            }
        }
        trackReplay(now)
        if let request = faults.withLock({ f -> (reason: String, failed: Set<Int>)? in defer { f.recoveryRequest = nil }; return f.recoveryRequest }) {
            recover(reason: request.reason, failed: request.failed)
        }
    }

    /// Rolls every node back to the last complete checkpoint and replays (stop the world).
    func recover(reason: String, failed requested: Set<Int>) {
        let t0 = uptime
        let n = config.nodes
        let targetOffsets = board.state.withLock { s in s.nodes.reduce(Int64(0)) { $0 + $1.offsetsSum } }
        board.state.withLock { $0.recovering = true }
        var failed = requested
        for i in 0..<n where handles[i].isDead || handles[i].isHung { failed.insert(i) }
        let quarantined = faults.withLock { f in
            for i in failed { f.health[i] = .recovering }
            return f.supervisor.quarantined
        }
        event(.recovery, "recovery (\(reason)): halting every node to roll back")
        for h in handles { h.send(.halt) }
        let deadline = uptime + 2
        while uptime < deadline && !handles.allSatisfy({ $0.halted.load(ordering: .relaxed) }) { sleepMillis(1) }
        if coordinator.busy && !coordinator.persisting {
            let id = coordinator.abandon()
            proof { $0.dropped(id) }
            board.upsertCheckpoint(ClusterSnapshot.Checkpoint(id: id, status: .failed, duration: nil, alignment: nil, bytes: 0, shards: 0, healthyShards: 0, note: "abandoned by a recovery"))
        }
        for row in links { for l in row { l.reset() } }
        for i in failed { handles[i].memory.clear() }  // a new incarnation starts with empty memory
        let alive = (0..<n).map { !failed.contains($0) && !quarantined[$0] }
        let newest = board.state.withLock { $0.lastStored }
        let plan = RecoveryPlan.make(newest: newest == 0 ? nil : newest, nodes: n, alive: alive,
                                     memories: handles.map(\.memory), store: worker.persistence.store)
        let floor = coordinator.state.withLock { $0.nextID }
        for i in 0..<n {
            if quarantined[i] {
                handles[i].send(.kill)
            } else {
                handles[i].send(.restore(plan?.snapshots[i], newIncarnation: failed.contains(i), minBarrier: floor))
            }
        }
        let resumeDeadline = uptime + 2
        while uptime < resumeDeadline && !(0..<n).allSatisfy({ quarantined[$0] || !handles[$0].halted.load(ordering: .relaxed) }) { sleepMillis(1) }
        let restoreTime = uptime - t0
        var detect: Double?
        faults.withLock { f in
            for i in failed {
                if let down = f.downAt[i], let fault = f.faultAt[i], down >= fault { detect = max(detect ?? 0, down - fault) }
                f.faultAt[i] = nil
                f.downAt[i] = nil
                f.detectors[i].restarted(at: uptime)
                if f.health[i] == .recovering { f.health[i] = .healthy }
            }
            f.stallGuard.busy(until: uptime)
        }
        let sources = plan.map { p in (0..<n).map { "node \($0): \(quarantined[$0] ? "quarantined" : p.sources[$0].description)" } } ?? ["from the beginning: no checkpoint restores"]
        if let plan {
            for s in plan.skipped { event(.error, "recovery: \(s)") }
            for r in plan.rebuilt { event(.repair, "recovery: checkpoint \(plan.checkpoint) shard \(r.shard) rebuilt from the others (\(r.reason))") }
            if newest != 0 && plan.checkpoint != newest {
                event(.error, "checkpoint \(newest) was unrecoverable; rolled back to checkpoint \(plan.checkpoint) instead")
            }
            let summary = Dictionary(grouping: plan.sources.enumerated().filter { !quarantined[$0.offset] }, by: { $0.element.description }).map { "\($0.key): \($0.value.map { String($0.offset) }.joined(separator: ","))" }.sorted()
            event(.recovery, "rolled back to checkpoint \(plan.checkpoint) in \(Int(restoreTime * 1000)) ms (\(summary.joined(separator: "; ")))")
        } else {
            event(.recovery, "no checkpoint restores: started again from the beginning")
        }
        let index = board.state.withLock { s in
            s.recovering = false
            s.recoveries.append(ClusterSnapshot.Recovery(reason: reason, detect: detect, restore: restoreTime, replay: nil, checkpoint: plan?.checkpoint, sources: sources, at: t0))
            if s.recoveries.count > 100 { s.recoveries.removeFirst() }
            return s.recoveries.count - 1
        }
        let since = uptime
        faults.withLock { $0.replay = (targetOffsets, since, index) }
    }

    /// Marks the last recovery's replay done once the sources are back where they were.
    private func trackReplay(_ now: Double) {
        guard let r = faults.withLock({ $0.replay }) else { return }
        let current = board.state.withLock { s in s.nodes.reduce(Int64(0)) { $0 + $1.offsetsSum } }
        if current >= r.target {
            faults.withLock { $0.replay = nil }
            board.state.withLock { s in
                if r.index < s.recoveries.count { s.recoveries[r.index].replay = now - r.since }
            }
            event(.recovery, "caught up: sources back at their offsets before the failure after \(Int((now - r.since) * 1000)) ms of replay")
        } else if now - r.since > 120 {
            faults.withLock { $0.replay = nil }
        }
    }

    /// Gives each node its own snapshot of a complete checkpoint (local copy: shared
    /// arrays and a CRC, cheap). Runs on the persistence thread before the checkpoint
    /// counts as stored, so a recovery that sees it finds the copies.
    func distributeCopies(_ state: CheckpointState) {
        for snap in state.nodes where snap.node < config.nodes && !handles[snap.node].isDead {
            handles[snap.node].memory.keepLocal(snap)
        }
        if replicas > 0 { replication.submit(state) }
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

    /// Bytes a second the scrubber reads at most (HDFS's block scanner bounds itself the
    /// same way), so it never competes with checkpoints for the disks.
    static let scrubBytesPerSecond = 64.0 * 1024 * 1024
    /// The least pause between two shards, so small shards do not keep the scrubber busy.
    static let scrubShardPause = 0.01

    /// The background scrubber: passes over every stored shard, newest checkpoint first,
    /// verifies each against its manifest CRC, and rewrites a bad one from the others.
    /// Between shards it sleeps in proportion to the shard's size; between passes,
    /// `scrubIntervalMillis`.
    func runScrubber() {
        OSThread.lowerPriority(by: 5)
        let store = worker.persistence.store
        var manifests: [UInt64: Manifest] = [:]
        var bad = Set<ShardKey>()
        while !stopping.load(ordering: .relaxed) {
            sleepMillis(scrubIntervalMillis)
            guard let ids = try? store.checkpointIDs(), !ids.isEmpty else { continue }
            for old in manifests.keys where !ids.contains(old) { manifests[old] = nil }
            bad = bad.filter { ids.contains($0.checkpoint) }
            pass: for id in ids.reversed() {
                if manifests[id] == nil { manifests[id] = try? store.manifest(id) }
                guard let manifest = manifests[id] else { continue }
                for shard in manifest.shards.indices {
                    if stopping.load(ordering: .relaxed) { break pass }
                    let before = bad.count
                    scrubShard(store, manifest, shard, bad: &bad)
                    if bad.count != before { publishDiskHealth(manifests: manifests, bad: bad) }
                    let pause = max(Self.scrubShardPause, Double(manifest.shardSize) / Self.scrubBytesPerSecond)
                    sleepMillis(Int(pause * 1000))
                }
            }
            publishDiskHealth(manifests: manifests, bad: bad)
        }
    }

    /// Verifies one shard and repairs it if it is bad.
    private func scrubShard(_ store: ShardStore, _ manifest: Manifest, _ shard: Int, bad: inout Set<ShardKey>) {
        let id = manifest.checkpoint
        let disk = manifest.shards[shard].disk
        let key = ShardKey(checkpoint: id, shard: shard, disk: disk)
        let health = store.verify(manifest, shard: shard)
        let why: String
        switch health {
        case .ok:
            bad.remove(key)
            return
        case .missing: why = "missing"
        case let .corrupt(w): why = w
        }
        // A checkpoint retention deleted during the pass is not a bad shard.
        guard (try? store.manifest(id)) != nil else { return }
        let known = bad.contains(key)
        if !known { event(.detection, node: disk, "scrubber: checkpoint \(id) shard \(shard) on node \(disk) is bad (\(why))") }
        do throws(RestoreError) {
            try store.repair(manifest, shards: [shard])
            event(.repair, node: disk, "scrubber rewrote checkpoint \(id) shard \(shard) on node \(disk) from the other shards")
            bad.remove(key)
            let now = uptime
            board.state.withLock { s in if disk < s.nodes.count { s.nodes[disk].lastDiskRepair = now } }
        } catch {
            if !known { event(.error, "scrubber cannot repair checkpoint \(id) shard \(shard): \(error.reason)") }
            bad.insert(key)
        }
    }

    /// Per-disk and per-checkpoint shard health as the scrubber last saw it.
    private func publishDiskHealth(manifests: [UInt64: Manifest], bad: Set<ShardKey>) {
        var total = [Int](repeating: 0, count: config.nodes)
        var broken = [Int](repeating: 0, count: config.nodes)
        for m in manifests.values { for s in m.shards where s.disk < total.count { total[s.disk] += 1 } }
        for b in bad where b.disk < broken.count { broken[b.disk] += 1 }
        board.state.withLock { s in
            for i in s.nodes.indices {
                s.nodes[i].diskShards = total[i]
                s.nodes[i].badDiskShards = broken[i]
            }
            for i in s.checkpoints.indices where s.checkpoints[i].status == .complete {
                if let m = manifests[s.checkpoints[i].id] {
                    s.checkpoints[i].healthyShards = m.shards.count - bad.filter { $0.checkpoint == m.checkpoint }.count
                }
            }
        }
    }
}

/// One stored shard, for the scrubber's list of bad ones.
struct ShardKey: Hashable {
    var checkpoint: UInt64
    var shard: Int
    var disk: Int
}

extension Command {
    /// The node a command is about, if one.
    var node: Int? {
        switch self {
        case let .kill(n), let .hang(n), let .slow(n, _), let .corruptFrame(n), let .partition(n), let .wipeDisk(n), let .restart(n): n
        case let .heal(n): n
        default: nil
        }
    }
}

/// Fixed-point formatting for event texts.
enum BenchFormat {
    static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "inf" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (v * scale).rounded() / scale
        return String(r)
    }
}
