/// Why an engine could not start.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    /// The user's settings or data directory (exit 2).
    case config(ConfigError)
    /// Storage or the sink failed.
    case runtime(String)
    public var description: String {
        switch self {
        case let .config(e): e.description
        case let .runtime(m): m
        }
    }
}

/// Opening a data directory, shared by both runtimes: validate it, drop the leftovers of a
/// crash, restore the newest checkpoint that restores (saying why newer ones did not),
/// bring the sink level with it, and audit.
struct EngineSetup {
    let persistence: Persistence
    let auditor: Auditor
    let restored: CheckpointState?
    let restoredFrom: UInt64?
    let nextCheckpoint: UInt64
    var events: [EngineEvent] = []
    var checkpoints: [ClusterSnapshot.Checkpoint] = []

    init(config: JobConfig, disk: any Disk, sinkPath: String, clock: any EngineClock, parallelWrites: Bool, label: String) throws(EngineError) {
        do throws(ConfigError) {
            try config.validate()
            try DataDirectory.prepare(disk, config: config, label: label)
        } catch { throw .config(error) }
        let store: ShardStore
        do { store = try ShardStore(disk: disk, nodes: config.nodes, dataShards: config.dataShards, parityShards: config.parityShards) } catch {
            throw .config(error)
        }
        var events: [EngineEvent] = []
        var loaded: ShardStore.Loaded?
        do {
            try store.removeIncomplete()
            if let found = try store.loadNewest() {
                loaded = found.loaded
                for skip in found.skipped {
                    events.append(EngineEvent(time: 0, kind: .error, message: "checkpoint \(skip.checkpoint) cannot be restored: \(skip.reason); using an older one"))
                }
            }
        } catch {
            events.append(EngineEvent(time: 0, kind: .error, message: "\(error); starting from the beginning"))
        }
        // A damaged sink is rebuilt from the checkpoint just restored (the balances it holds
        // are exactly what its epoch commits); the audit below proves the result.
        func rebuildSink(_ why: String) throws(EngineError) {
            let t0 = clock.nanos()
            do throws(SinkError) {
                let r = try SinkRepair.rebuild(path: sinkPath, from: loaded?.state, config: config, nowMillis: clock.wallMillis())
                events.append(EngineEvent(time: 0, .sinkRebuilt(checkpoint: loaded?.state.checkpoint, why: why, keptAs: r.keptAs, rows: r.rows,
                                                                 seconds: Double(clock.nanos() &- t0) / 1e9)))
            } catch { throw .runtime("the sink is damaged (\(why)) and could not be rebuilt: \(error)") }
        }
        if SinkRepair.isFile(sinkPath), let why = SinkRepair.damage(at: sinkPath) { try rebuildSink(why) }
        var opened = try Self.openSink(config: config, sinkPath: sinkPath, store: store, loaded: loaded, clock: clock, parallelWrites: parallelWrites)
        // Rows that read fine but hold the wrong balances (rot SQLite cannot see): the
        // checkpoint, CRC-checked, is the truth; the sink is rebuilt from it once.
        if !(opened.verdict.exact && opened.verdict.moneyConserved), SinkRepair.isFile(sinkPath), let state = loaded?.state {
            let v = opened.verdict
            events.append(EngineEvent(time: 0, kind: .audit, message: "audit at start: \(v.lost) lost, \(v.duplicated) duplicated, \(v.mismatchedAccounts) accounts differ; rebuilding the sink from checkpoint \(state.checkpoint)"))
            opened = (nil, nil, nil, v, [], [])  // close the sink before it is replaced
            try rebuildSink("\(v.mismatchedAccounts) accounts differ from checkpoint \(state.checkpoint)")
            opened = try Self.openSink(config: config, sinkPath: sinkPath, store: store, loaded: loaded, clock: clock, parallelWrites: parallelWrites)
        }
        guard let persistence = opened.persistence, let auditor = opened.auditor else { throw .runtime("the sink did not open") }
        events += opened.events
        let verdict = opened.verdict
        if !verdict.exact || !verdict.moneyConserved {
            events.append(EngineEvent(time: 0, kind: .audit, message: "audit at start: \(verdict.lost) lost, \(verdict.duplicated) duplicated, \(verdict.mismatchedAccounts) accounts differ"))
        }
        let checkpoints = opened.checkpoints
        if let loaded {
            restored = loaded.state
            restoredFrom = loaded.state.checkpoint
        } else {
            restored = nil
            restoredFrom = nil
        }
        var highest = restoredFrom ?? 0
        if let ids = try? store.checkpointIDs(), let m = ids.last { highest = max(highest, m) }
        if let last = try? opened.sink?.lastEpoch() { highest = max(highest, last.checkpoint) }
        nextCheckpoint = highest + 1
        self.persistence = persistence
        self.auditor = auditor
        self.events = events
        self.checkpoints = checkpoints
    }

    /// Opens the sink and the auditor, brings the sink level with the restored checkpoint
    /// and audits it.
    static func openSink(config: JobConfig, sinkPath: String, store: ShardStore, loaded: ShardStore.Loaded?, clock: any EngineClock, parallelWrites: Bool)
        throws(EngineError) -> (sink: BalanceSink?, auditor: Auditor?, persistence: Persistence?, verdict: AuditVerdict, events: [EngineEvent], checkpoints: [ClusterSnapshot.Checkpoint]) {
        var events: [EngineEvent] = []
        let sink: BalanceSink
        let auditor: Auditor
        do {
            sink = try BalanceSink(path: sinkPath)
            auditor = try Auditor(config: config, databasePath: sinkPath)
        } catch { throw .runtime("\(error)") }
        let persistence = Persistence(config: config, store: store, sink: sink, clock: clock, parallelWrites: parallelWrites)
        auditor.health = persistence.health
        let lastEpoch: CommittedEpoch?
        do { lastEpoch = try sink.lastEpoch() } catch { throw .runtime("\(error)") }
        var checkpoints: [ClusterSnapshot.Checkpoint] = []
        if let loaded {
            let state = loaded.state
            let id = state.checkpoint
            let sorted = state.nodes.sorted { $0.node < $1.node }
            guard sorted.count == config.nodes, sorted.enumerated().allSatisfy({ $0.offset == $0.element.node }) else {
                throw .runtime("checkpoint \(id) holds \(sorted.count) nodes, the job \(config.nodes)")
            }
            for r in loaded.rebuilt {
                events.append(EngineEvent(time: 0, kind: .repair, message: "checkpoint \(id) shard \(r.shard) rebuilt from the others (\(r.reason))"))
            }
            events.append(EngineEvent(time: 0, kind: .restore, message: "restored checkpoint \(id) (\(loaded.manifest.blobSize) bytes, \(loaded.rebuilt.count) shards rebuilt); sources rewound to its offsets"))
            checkpoints.append(ClusterSnapshot.Checkpoint(
                id: id, status: .restored, duration: nil, alignment: nil, bytes: loaded.manifest.blobSize,
                shards: loaded.manifest.shards.count, healthyShards: loaded.manifest.shards.count - loaded.rebuilt.count, note: "restored at start"))
            let snapshotRows = sorted.map { ($0.updates, $0.balances) }
            if let last = lastEpoch, last.checkpoint == id {
                persistence.committed = snapshotRows
            } else if (lastEpoch?.checkpoint ?? 0) < id {
                // The checkpoint completed but its epoch never committed: commit it now.
                let (rows, _) = persistence.changedRows(state)
                do {
                    try sink.commit(checkpoint: id, offsets: persistence.globalOffsets(state), rows: rows, replaceAll: true, nowMillis: clock.wallMillis())
                } catch { throw .runtime("\(error)") }
                persistence.committed = snapshotRows
                events.append(EngineEvent(time: 0, kind: .commit, message: "committed epoch \(id) that was checkpointed but not yet committed"))
            } else if let last = lastEpoch {
                events.append(EngineEvent(time: 0, kind: .restore, message: "the sink holds epoch \(last.checkpoint), newer than checkpoint \(id): it is replayed and rewritten whole at the next commit"))
            }
        } else if let last = lastEpoch {
            events.append(EngineEvent(time: 0, kind: .error, message: "no checkpoint restores, but the sink holds epoch \(last.checkpoint): replaying from the beginning"))
        }
        let verdict: AuditVerdict
        do { verdict = try auditor.audit(full: true) } catch { throw .runtime("\(error)") }
        return (sink, auditor, persistence, verdict, events, checkpoints)
    }
}
