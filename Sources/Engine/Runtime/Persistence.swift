/// The checkpoint pipeline after alignment, shared by both runtimes: serialize the
/// cluster state, code and store it (shards, then the manifest), commit the epoch to the
/// sink (the second phase of the two-phase commit), prune old checkpoints, audit.
final class Persistence {
    let config: JobConfig
    let store: ShardStore
    let sink: BalanceSink
    let clock: any EngineClock
    let parallelWrites: Bool
    /// Per node, the update counts and balances the sink last committed; nil means the
    /// sink may differ anywhere, so the next commit rewrites every row.
    var committed: [(updates: [Int64], balances: [Int64])]?

    /// What one checkpoint cost and produced.
    struct Outcome {
        var manifest: Manifest
        var blobBytes: Int
        var durableNanos: UInt64
        var committed: Bool
        /// The commit rewrote every row (the auditor must re-read them all).
        var replacedAll: Bool
    }

    init(config: JobConfig, store: ShardStore, sink: BalanceSink, clock: any EngineClock, parallelWrites: Bool) {
        self.config = config
        self.store = store
        self.sink = sink
        self.clock = clock
        self.parallelWrites = parallelWrites
    }

    /// Offsets by partition number.
    func globalOffsets(_ state: CheckpointState) -> [Int64] {
        var offsets = [Int64](repeating: 0, count: config.partitions)
        for n in state.nodes {
            for (j, p) in config.partitions(of: n.node).enumerated() where j < n.offsets.count { offsets[p] = n.offsets[j] }
        }
        return offsets
    }

    /// Writes the checkpoint; once its manifest is durable, commits its epoch.
    func persist(_ state: CheckpointState, startedNanos: UInt64) throws(PersistError) -> Outcome {
        let offsets = globalOffsets(state)
        let manifest: Manifest
        do {
            manifest = try store.write(checkpoint: state.checkpoint, state: state, offsets: offsets, createdMillis: clock.wallMillis(), parallel: parallelWrites)
        } catch { throw .storage("\(error)") }
        let durable = clock.nanos() &- startedNanos
        let (rows, replaceAll) = changedRows(state)
        let didCommit: Bool
        do {
            didCommit = try sink.commit(checkpoint: state.checkpoint, offsets: offsets, rows: rows, replaceAll: replaceAll, nowMillis: clock.wallMillis())
        } catch { throw .sink("\(error)") }
        committed = state.nodes.sorted { $0.node < $1.node }.map { ($0.updates, $0.balances) }
        do { try store.prune(keep: config.retainedCheckpoints) } catch { throw .storage("pruning: \(error)") }
        return Outcome(manifest: manifest, blobBytes: manifest.blobSize, durableNanos: durable, committed: didCommit, replacedAll: replaceAll)
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

    private func allRows(_ sorted: [NodeSnapshot]) -> [BalanceRow] {
        var rows: [BalanceRow] = []
        for s in sorted {
            for l in 0..<s.updates.count where s.updates[l] != 0 || s.balances[l] != config.initialBalance {
                rows.append(BalanceRow(account: l * config.nodes + s.node, balance: s.balances[l], updates: s.updates[l]))
            }
        }
        return rows
    }
}

/// Why a checkpoint could not be persisted.
enum PersistError: Error, CustomStringConvertible {
    case storage(String)
    case sink(String)
    var description: String {
        switch self {
        case let .storage(m): "storage: \(m)"
        case let .sink(m): "sink: \(m)"
        }
    }
}
