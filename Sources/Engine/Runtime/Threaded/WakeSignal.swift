import Dispatch
import Synchronization

/// Wakes a sleeping thread. `sleep` returns at once if `wake` came after the last sleep.
final class WakeSignal: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let sleeping = Atomic<Bool>(false)

    func wake() {
        if sleeping.exchange(false, ordering: .acquiringAndReleasing) { semaphore.signal() }
    }

    /// Sleeps up to `nanos` unless woken; `stillIdle` is re-checked after announcing the sleep.
    func sleep(nanos: UInt64, stillIdle: () -> Bool) {
        sleeping.store(true, ordering: .sequentiallyConsistent)
        guard stillIdle() else {
            if !sleeping.exchange(false, ordering: .acquiringAndReleasing) { _ = semaphore.wait(timeout: .now()) }
            return
        }
        if semaphore.wait(timeout: .now() + .nanoseconds(Int(nanos))) == .timedOut {
            // A wake may have raced with the timeout: consume its signal so it cannot pile up.
            if !sleeping.exchange(false, ordering: .acquiringAndReleasing) { _ = semaphore.wait(timeout: .now() + .milliseconds(1)) }
        }
    }
}
