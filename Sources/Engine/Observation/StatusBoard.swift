import Synchronization

/// Per-node figures a node's driver publishes for readers.
struct NodeStats: Sendable {
    var state: ClusterSnapshot.NodeState = .starting
    var produced: Int64 = 0
    var applied: Int64 = 0
    var corruptFrames: Int64 = 0
    var stateBytes = 0
    var queueDepth = 0
    /// The supervisor's restarts within its intensity window (a heal clears them).
    var restarts = 0
    /// Restarts since the start, counted from the events: what the screen shows, never decreasing.
    var restartsCounted = 0
    var health: ClusterSnapshot.Health = .healthy
    var phi = 0.0
    var heartbeatAge = 0.0
    var incarnation = 1
    var retransmits = 0
    var standbyCopies = 0
    var diskShards = 0
    var badDiskShards = 0
    var lastDiskRepair: Double?
    var offsetsSum: Int64 = 0
    /// Source offsets of its partitions, in `JobConfig.partitions(of:)` order.
    var offsets: [Int64] = []
    var latency = LatencyHistogram()
    var runLatency = LatencyHistogram()
    var producedPerSecond: Double = 0
    var appliedPerSecond: Double = 0
    var lastSample: (time: Double, produced: Int64, applied: Int64) = (0, 0, 0)
}

/// The shared record the engine publishes and `snapshot()` reads: short critical sections
/// only, so readers never stop the engine.
final class StatusBoard: Sendable {
    struct State {
        var nodes: [NodeStats]
        var checkpoints: [ClusterSnapshot.Checkpoint] = []
        var events: [EngineEvent] = []
        var verdict: AuditVerdict
        var completed = 0
        var lastCommitted: UInt64 = 0
        var lastStored: UInt64 = 0
        var restoredFrom: UInt64?
        var running = false
        var samples: [(time: Double, produced: Int64, committed: Int64, audited: Int64)] = []
        var recoveries: [ClusterSnapshot.Recovery] = []
        var recovering = false
        /// Transfers below the sink's newest committed offsets.
        var committedTransfers: Int64 = 0
        /// The lag bound between the sources and the auditor.
        var gate: AuditGate
        /// Verdict ages sampled over the run, nanoseconds.
        var verdictAges = LatencyHistogram()
        var auditError: String?
        /// Since when writes find the disk full (nil: the last checkpoint stored).
        var diskFullSince: Double?
        var stopPhase: ClusterSnapshot.StopPhase?
        /// Per begun checkpoint, the source offsets the nodes had published when its barrier
        /// was injected (at most its own offsets): how far the auditor may work ahead.
        var barrierHints: [UInt64: [Int64]] = [:]
        /// Since when the lag bound holds the sources, and for how long it held them before.
        var heldSince: UInt64?
        var heldNanos: UInt64 = 0
        /// A receipt per fault, filled in from the events, checkpoints and audits below.
        var receipts = ReceiptBook()
        /// Events logged since the start (the log itself keeps the newest `maxEvents`).
        var eventsLogged = 0
        /// Checkpoints that failed before they were stored (the sink must never hold one).
        var neverStored: [UInt64] = []
        /// Shards the scrubber said it rewrote, less those a fault has aimed at since.
        var repaired = Set<ClusterSnapshot.StoredShard>()
    }

    let state: EngineMutex<State>
    let maxEvents = 500
    let maxCheckpoints = 50
    let maxNeverStored = 10_000

    init(nodes: Int, verdict: AuditVerdict, gate: AuditGate) {
        state = EngineMutex(State(nodes: [NodeStats](repeating: NodeStats(), count: nodes), verdict: verdict,
                            committedTransfers: verdict.committedTransfers, gate: gate))
    }

    /// Records how old the verdict is now (the run's verdict-age percentiles come from these).
    func sampleVerdictAge(nowNanos: UInt64) {
        state.withLock { s in s.verdictAges.record(s.gate.verdictAge(at: nowNanos)) }
    }

    func event(_ e: EngineEvent) {
        state.withLock { s in
            s.events.append(e)
            if case let .restartScheduled(n, _) = e.detail, s.nodes.indices.contains(n) { s.nodes[n].restartsCounted += 1 }
            if case let .checkpointFailed(id, why) = e.detail, why.beforeStored, s.neverStored.count < maxNeverStored { s.neverStored.append(id) }
            Self.trackRepairs(e.detail, &s.repaired, limit: maxNeverStored)
            s.receipts.record(e)
            s.eventsLogged += 1
            if s.events.count > maxEvents { s.events.removeFirst(s.events.count - maxEvents) }
        }
    }

    func upsertCheckpoint(_ c: ClusterSnapshot.Checkpoint) {
        state.withLock { s in
            if let i = s.checkpoints.lastIndex(where: { $0.id == c.id && $0.status != .restored }) {
                s.checkpoints[i] = c
            } else {
                s.checkpoints.append(c)
            }
            if s.checkpoints.count > maxCheckpoints { s.checkpoints.removeFirst(s.checkpoints.count - maxCheckpoints) }
        }
    }

    /// Records totals for the throughput history (about four times a second).
    func sample(time: Double) {
        state.withLock { s in
            for i in s.nodes.indices {
                let n = s.nodes[i]
                let dt = time - n.lastSample.time
                if dt >= 0.2 {
                    // Exponentially smoothed over about a second.
                    let a = min(1, dt)
                    s.nodes[i].producedPerSecond += a * (Double(n.produced - n.lastSample.produced) / dt - n.producedPerSecond)
                    s.nodes[i].appliedPerSecond += a * (Double(n.applied - n.lastSample.applied) / dt - n.appliedPerSecond)
                    s.nodes[i].lastSample = (time, n.produced, n.applied)
                }
            }
            let produced = s.nodes.reduce(0) { $0 + $1.produced }
            s.samples.append((time, produced, s.committedTransfers, s.verdict.committedTransfers))
            if s.samples.count > 400 { s.samples.removeFirst(s.samples.count - 400) }
        }
    }

    func snapshot(uptime: Double, nowNanos: UInt64) -> ClusterSnapshot {
        state.withLock { s in
            var latency = LatencyHistogram(), runLatency = LatencyHistogram()
            for n in s.nodes {
                latency.merge(n.latency)
                runLatency.merge(n.runLatency)
                runLatency.merge(n.latency)
            }
            let samples = s.samples
            func rate(_ window: Double, _ pick: ((time: Double, produced: Int64, committed: Int64, audited: Int64)) -> Int64) -> Double {
                guard let last = samples.last else { return 0 }
                guard let first = samples.last(where: { last.time - $0.time >= window }) ?? samples.first, last.time > first.time else { return 0 }
                return Double(pick(last) - pick(first)) / (last.time - first.time)
            }
            let history = ClusterSnapshot.HistoryPoint.points(s.samples)
            let nodes = s.nodes.enumerated().map { (id, n) in
                ClusterSnapshot.Node(
                    id: id, state: n.state, queueDepth: n.queueDepth, updatesPerSecond: n.appliedPerSecond, producedPerSecond: n.producedPerSecond,
                    produced: n.produced, applied: n.applied, corruptFrames: n.corruptFrames, stateBytes: n.stateBytes, restarts: max(n.restarts, n.restartsCounted),
                    health: n.health, phi: n.phi, heartbeatAge: n.heartbeatAge, incarnation: n.incarnation, retransmits: n.retransmits,
                    standbyCopies: n.standbyCopies, diskShards: n.diskShards, badDiskShards: n.badDiskShards, lastDiskRepair: n.lastDiskRepair)
            }
            var snap = ClusterSnapshot(
                uptime: uptime, running: s.running, nodes: nodes, checkpoints: s.checkpoints,
                produced: s.nodes.reduce(0) { $0 + $1.produced }, applied: s.nodes.reduce(0) { $0 + $1.applied },
                producedPerSecond: rate(1.0) { $0.produced }, committedPerSecond: max(0, rate(2.0) { $0.committed }),
                latencyP50: latency.quantile(0.5), latencyP99: latency.quantile(0.99),
                runLatencyP50: runLatency.quantile(0.5), runLatencyP99: runLatency.quantile(0.99), audit: s.verdict,
                events: s.events, restoredFrom: s.restoredFrom, checkpointsCompleted: s.completed, history: history,
                recoveries: s.recoveries, recovering: s.recovering)
            snap.committedCheckpoint = s.lastCommitted == 0 ? nil : s.lastCommitted
            snap.sinkCommittedTransfers = s.committedTransfers
            snap.readTransfers = s.nodes.reduce(0) { $0 + $1.offsetsSum }
            snap.newestCheckpoint = s.lastStored == 0 ? nil : s.lastStored
            snap.verdictAge = Double(s.gate.verdictAge(at: nowNanos)) / 1e9
            snap.verdictAgeP99 = Double(s.verdictAges.quantile(0.99)) / 1e9
            snap.unauditedCheckpoints = s.gate.unaudited
            snap.heldForAudit = s.gate.holdsSources
            snap.heldForAuditSeconds = Double(s.heldNanos &+ (s.heldSince.map { nowNanos &- min(nowNanos, $0) } ?? 0)) / 1e9
            snap.auditedPerSecond = max(0, rate(2.0) { $0.audited })
            snap.auditError = s.auditError
            snap.diskFullSince = s.diskFullSince
            snap.stopPhase = s.stopPhase
            snap.receipts = s.receipts.receipts
            snap.checkpointsNeverStored = s.neverStored
            snap.shardsReportedRepaired = s.repaired.sorted { ($0.checkpoint, $0.shard) < ($1.checkpoint, $1.shard) }
            return snap
        }
    }
}

extension StatusBoard {
    /// Keeps the shards whose last word was `shard-repaired`: a later `shard-bad` of the
    /// same shard, or a fault that may have hit it (a rot or deletion of it, a wipe of its
    /// node's disk), takes it off, so what is left must be whole on disk.
    static func trackRepairs(_ d: EngineEvent.Detail, _ repaired: inout Set<ClusterSnapshot.StoredShard>, limit: Int) {
        switch d {
        case let .shardRepaired(id, shard, node, _):
            if repaired.count < limit { repaired.insert(.init(checkpoint: id, shard: shard, node: node)) }
        case let .shardBad(id, shard, node, _):
            repaired.remove(.init(checkpoint: id, shard: shard, node: node))
        case let .diskWiped(node, _):
            repaired = repaired.filter { $0.node != node }
        case let .command(c):
            switch c {
            case let .corruptShard(.id(id), shard), let .deleteShard(.id(id), shard):
                repaired = repaired.filter { !($0.checkpoint == id && $0.shard == shard) }
            case .corruptShard(.latest, _), .deleteShard(.latest, _):
                repaired.removeAll()
            case let .wipeDisk(node):
                repaired = repaired.filter { $0.node != node }
            case .kill, .hang, .slow, .corruptFrame, .partition, .heal, .checkpointNow, .recoverNow, .restart, .savepoint,
                 .corruptCheckpoint, .corruptSink, .tearWrite, .corruptRows:
                break
            }
        default:
            break
        }
    }
}
