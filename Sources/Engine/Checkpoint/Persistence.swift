/// The checkpoint pipeline after alignment, shared by both runtimes: code and store the
/// cluster state (shards, then the manifest) and prune old checkpoints; then, separately,
/// commit the epoch to the sink (the second phase of the two-phase commit). Auditing is
/// the auditor's business, on its own schedule.
final class Persistence {
    let config: JobConfig
    let store: ShardStore
    let sink: BalanceSink
    /// Damage the sink's readers found (the auditor), healed before the next commit.
    let health = SinkHealth()
    let clock: any EngineClock
    let parallelWrites: Bool
    /// Per node, the update counts and balances the sink last committed; nil means the
    /// sink may differ anywhere, so the next commit rewrites every row.
    var committed: [(updates: [Int64], balances: [Int64])]?
    /// The last checkpoint the sink committed (or was rebuilt from): a damaged sink found
    /// between commits is rebuilt from it.
    var lastCommittedState: CheckpointState?

    /// A stored checkpoint.
    struct Stored {
        var manifest: Manifest
        var durableNanos: UInt64
    }

    /// A committed epoch.
    struct Committed {
        /// False when the epoch was already in the sink (nothing written).
        var committed: Bool
        /// The commit rewrote every row (the auditor must re-read them all).
        var replacedAll: Bool
        var rows: Int
        /// Transfers below the committed offsets.
        var transfers: Int64
        /// The sink was found damaged and rebuilt from this checkpoint instead of committed to.
        var rebuilt: Rebuilt?
    }

    /// A sink rebuilt while the job runs.
    struct Rebuilt: Equatable {
        var why: String
        var keptAs: String
        var rows: Int
        var seconds: Double
    }

    init(config: JobConfig, store: ShardStore, sink: BalanceSink, clock: any EngineClock, parallelWrites: Bool) {
        self.config = config
        self.store = store
        self.sink = sink
        self.clock = clock
        self.parallelWrites = parallelWrites
    }

    /// Offsets by partition number.
    func globalOffsets(_ state: CheckpointState) -> [Int64] { Self.globalOffsets(state, config: config) }

    static func globalOffsets(_ state: CheckpointState, config: JobConfig) -> [Int64] {
        var offsets = [Int64](repeating: 0, count: config.partitions)
        for n in state.nodes {
            for (j, p) in config.partitions(of: n.node).enumerated() where j < n.offsets.count { offsets[p] = n.offsets[j] }
        }
        return offsets
    }

    /// Codes and writes the checkpoint (shards, then the manifest). When this returns the
    /// checkpoint is complete; old ones are pruned when it is published
    /// (`ControlHost.checkpointStored`), so a recovery that gave it up while it was written
    /// never races the removal of the checkpoint it restores.
    func store(_ state: CheckpointState, startedNanos: UInt64) throws(PersistError) -> Stored {
        // A state that does not balance is never stored: restoring it would be worse than
        // replaying from the one before.
        if let breach = state.breach { throw .unbalanced(checkpoint: state.checkpoint, breach) }
        let manifest: Manifest
        do {
            manifest = try store.write(checkpoint: state.checkpoint, state: state, offsets: globalOffsets(state), createdMillis: clock.wallMillis(), parallel: parallelWrites)
        } catch { throw error.noSpace ? .noSpace("\(error)") : .storage("\(error)") }
        let durable = clock.nanos() &- startedNanos
        return Stored(manifest: manifest, durableNanos: durable)
    }

    /// Commits a complete checkpoint's epoch to the sink: the rows that changed since the
    /// last commit and the offsets, in one transaction. Epochs may be skipped (a newer
    /// complete checkpoint supersedes an older one still waiting), never applied twice.
    func commit(_ state: CheckpointState) throws(PersistError) -> Committed {
        if let why = health.take() { return try heal(state, why: why) }
        let offsets = globalOffsets(state)
        var (rows, replaceAll) = changedRows(state)
        // After a fallback to an older checkpoint the offsets go back: every row is written
        // again, so committed offsets only go back together with a rebuild of the rows.
        if !replaceAll, let last = lastCommittedState, zip(globalOffsets(last), offsets).contains(where: { $0 > $1 }) {
            (rows, replaceAll) = (allRows(state.nodes.sorted { $0.node < $1.node }), true)
        }
        let didCommit: Bool
        do {
            didCommit = try sink.commit(checkpoint: state.checkpoint, offsets: offsets, rows: rows, replaceAll: replaceAll, nowMillis: clock.wallMillis())
        } catch {
            // SQLite found the file damaged: the checkpoint about to be committed (stored,
            // CRC-checked) holds every balance the sink must; it becomes the sink.
            if error.corrupt, (try? sink.lastEpoch())?.checkpoint ?? 0 < state.checkpoint { return try heal(state, why: error.description) }
            throw error.noSpace ? .noSpace("sink: \(error)") : .sink("\(error)")
        }
        if didCommit {
            committed = state.nodes.sorted { $0.node < $1.node }.map { ($0.updates, $0.balances) }
            lastCommittedState = state
        }
        return Committed(committed: didCommit, replacedAll: replaceAll, rows: rows.count, transfers: offsets.reduce(0, +))
    }

    /// Rebuilds the damaged sink, live, from `state` — the epoch it was about to commit — in
    /// one transaction through its own connection (`SinkRepair.rebuildLive`).
    func heal(_ state: CheckpointState, why: String) throws(PersistError) -> Committed {
        let t0 = clock.nanos()
        let r: SinkRepair.Rebuilt
        do { r = try SinkRepair.rebuildLive(sink.db, from: state, config: config, nowMillis: clock.wallMillis()) } catch {
            throw error.noSpace ? .noSpace("rebuilding the sink: \(error)") : .sink("the sink is damaged (\(why)) and could not be rebuilt while the job runs (\(error)); the next start rebuilds it")
        }
        health.rebuilt()
        committed = state.nodes.sorted { $0.node < $1.node }.map { ($0.updates, $0.balances) }
        lastCommittedState = state
        let rebuilt = Rebuilt(why: why, keptAs: r.keptAs, rows: r.rows, seconds: Double(clock.nanos() &- t0) / 1e9)
        return Committed(committed: true, replacedAll: true, rows: r.rows, transfers: globalOffsets(state).reduce(0, +), rebuilt: rebuilt)
    }

    /// Heals damage reported between commits, from the last committed checkpoint; nil when
    /// nothing was reported (or nothing committed yet: the next commit heals it).
    func healIfReported() -> (UInt64, Result<Committed, PersistError>)? {
        guard let last = lastCommittedState, let why = health.take() else { return nil }
        do throws(PersistError) { return (last.checkpoint, .success(try heal(last, why: why))) } catch { return (last.checkpoint, .failure(error)) }
    }

    /// Rows that differ from the last commit, or every row (and `replaceAll`) when unknown.
    func changedRows(_ state: CheckpointState) -> (rows: [BalanceRow], replaceAll: Bool) {
        let n = config.nodes
        var rows: [BalanceRow] = []
        let sorted = state.nodes.sorted { $0.node < $1.node }
        if let committed, committed.count == sorted.count {
            for (i, s) in sorted.enumerated() {
                let old = committed[i]
                guard old.updates.count == s.updates.count else { return (allRows(sorted), true) }
                for l in 0..<s.updates.count where s.updates[l] != old.updates[l] || s.balances[l] != old.balances[l] {
                    rows.append(BalanceRow(account: l * n + s.node, balance: s.balances[l], updates: s.updates[l]))
                }
            }
            return (rows, false)
        }
        return (allRows(sorted), true)
    }

    private func allRows(_ sorted: [NodeSnapshot]) -> [BalanceRow] { Self.allRows(sorted, config: config) }

    /// Every row that differs from an untouched account, of snapshots sorted by node.
    static func allRows(_ sorted: [NodeSnapshot], config: JobConfig) -> [BalanceRow] {
        var rows: [BalanceRow] = []
        for s in sorted {
            for l in 0..<s.updates.count where s.updates[l] != 0 || s.balances[l] != config.initialBalance {
                rows.append(BalanceRow(account: l * config.nodes + s.node, balance: s.balances[l], updates: s.updates[l]))
            }
        }
        return rows
    }
}

/// Why a checkpoint could not be stored or committed.
enum PersistError: Error, CustomStringConvertible {
    case storage(String)
    case sink(String)
    /// A write found the disk (or the quota) full.
    case noSpace(String)
    /// The checkpoint's state breaks an invariant (it is not stored).
    case unbalanced(checkpoint: UInt64, AuditBreach)
    var description: String {
        switch self {
        case let .unbalanced(id, breach): "checkpoint \(id) does not balance: \(breach)"
        case let .storage(m): "storage: \(m)"
        case let .sink(m): "sink: \(m)"
        case let .noSpace(m): "the disk is full: \(m)"
        }
    }
}
