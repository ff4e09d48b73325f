import Synchronization

/// The commit thread: commits the newest stored checkpoint to the sink, skipping older
/// ones still waiting when the sink is slower than checkpoints come (a large state).
final class CommitWorker: @unchecked Sendable {
    let persistence: Persistence
    let signal = WakeSignal()
    private let newest = EngineMutex<CheckpointState?>(nil)
    /// Newest committed epoch.
    let committedEpoch = Atomic<UInt64>(0)

    init(_ worker: PersistenceWorker) { persistence = worker.persistence }

    func submit(_ state: CheckpointState) {
        newest.withLock { n in
            if (n?.checkpoint ?? 0) < state.checkpoint { n = state }
        }
        signal.wake()
    }

    func run(stopping: borrowing Atomic<Bool>, done: (UInt64, Result<Persistence.Committed, PersistError>) -> Void) {
        while true {
            if let state = newest.withLock({ n in defer { n = nil }; return n }) {
                let outcome: Result<Persistence.Committed, PersistError>
                do throws(PersistError) { outcome = .success(try persistence.commit(state)) } catch { outcome = .failure(error) }
                committedEpoch.store(state.checkpoint, ordering: .relaxed)
                done(state.checkpoint, outcome)
                continue
            }
            // Damage the auditor found, with no commit coming (the audit lag bound may hold
            // the sources): the sink is rebuilt from the last committed checkpoint.
            if let (id, outcome) = persistence.healIfReported() {
                done(id, outcome)
                continue
            }
            if stopping.load(ordering: .relaxed) { return }
            signal.sleep(nanos: 20_000_000) { newest.withLock { $0 == nil } }
        }
    }
}
