import Synchronization

/// The newest complete checkpoint waiting to be replicated.
final class ReplicationQueue: Sendable {
    let signal = WakeSignal()
    private let newest = EngineMutex<CheckpointState?>(nil)

    func submit(_ state: CheckpointState) {
        newest.withLock { n in if (n?.checkpoint ?? 0) < state.checkpoint { n = state } }
        signal.wake()
    }

    func take() -> CheckpointState? { newest.withLock { n in defer { n = nil }; return n } }

    var hasWork: Bool { newest.withLock { $0 != nil } }
}
