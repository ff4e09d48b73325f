import Dispatch
import Synchronization

/// A bounded, FIFO link between two nodes carrying encoded frames. The sender never
/// blocks: `push` says no when the link is full (backpressure), and the receiver takes
/// everything queued at once.
final class Link: Sendable {
    let capacity: Int
    private let frames = Mutex<[[UInt8]]>([])

    init(capacity: Int) { self.capacity = capacity }

    /// Queues a frame unless the link is full.
    func push(_ frame: [UInt8]) -> Bool {
        frames.withLock { q in
            guard q.count < capacity else { return false }
            q.append(frame)
            return true
        }
    }

    /// Takes every queued frame; `wasFull` tells whether the sender may be waiting.
    func takeAll() -> (frames: [[UInt8]], wasFull: Bool) {
        frames.withLock { q in
            let full = q.count >= capacity
            let out = q
            q.removeAll(keepingCapacity: true)
            return (out, full)
        }
    }

    /// Frames waiting.
    var depth: Int { frames.withLock { $0.count } }

    /// Drops everything queued (a node that dies loses its queues).
    func clear() { frames.withLock { $0.removeAll() } }
}

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

/// Starts an OS thread running `body`.
enum OSThread {
    private final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        var tid = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = pthread_create(&tid, nil, { arg in
            guard let arg else { return nil }
            Unmanaged<Box>.fromOpaque(arg).takeRetainedValue().body()
            return nil
        }, box)
        if rc != 0 {
            Unmanaged<Box>.fromOpaque(box).release()
            return nil
        }
        return tid
    }

    static func join(_ t: pthread_t) { pthread_join(t, nil) }

    /// Lowers the calling thread's scheduling priority by `nice` steps (Linux schedules
    /// threads one by one). Node threads run a little below the checkpoint threads so a
    /// checkpoint is not starved by the work it is snapshotting. Failure is harmless.
    static func lowerPriority(by nice: Int32) {
        // On Linux the nice value belongs to the calling thread, not the whole process.
        _ = Glibc.nice(nice)
    }
}
#if canImport(Glibc)
import Glibc
#endif
