import Synchronization

/// The persistence thread: takes complete checkpoints one at a time, codes and stores
/// them. It shares the `Persistence` with the commit thread: `store` and `commit` touch
/// disjoint state (the shard store; the sink and what it last committed).
final class PersistenceWorker: @unchecked Sendable {
    let persistence: Persistence
    let signal = WakeSignal()
    private let queue = EngineMutex<[(state: CheckpointState, started: UInt64, alignment: UInt64)]>([])

    init(_ p: Persistence) { persistence = p }

    func submit(_ job: (state: CheckpointState, started: UInt64, alignment: UInt64)) {
        queue.withLock { $0.append(job) }
        signal.wake()
    }

    func run(stopping: borrowing Atomic<Bool>, done: (CheckpointState, UInt64, Result<Persistence.Stored, PersistError>) -> Void) {
        while true {
            let jobs = queue.withLock { q in defer { q.removeAll() }; return q }
            for job in jobs {
                let outcome: Result<Persistence.Stored, PersistError>
                do throws(PersistError) { outcome = .success(try persistence.store(job.state, startedNanos: job.started)) } catch { outcome = .failure(error) }
                done(job.state, job.alignment, outcome)
            }
            if jobs.isEmpty {
                if stopping.load(ordering: .relaxed) { return }
                signal.sleep(nanos: 20_000_000) { queue.withLock { $0.isEmpty } }
            }
        }
    }
}
