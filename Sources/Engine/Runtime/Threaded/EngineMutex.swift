#if FIREDRILL_TSAN
#if canImport(Glibc)
import Glibc
#endif

/// The engine's lock in a ThreadSanitizer build (`-Xswiftc -DFIREDRILL_TSAN`): a pthread
/// mutex, which TSan understands — it does not see `Synchronization.Mutex`'s futex on Linux
/// and reports every access inside `withLock` as a race. The same `withLock` shape, so the
/// engine's code is the same in both builds.
final class EngineMutex<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ initialValue: consuming sending Value) {
        value = initialValue
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
#else
import Synchronization

/// The engine's lock: `Synchronization.Mutex` (in a ThreadSanitizer build, a pthread mutex
/// TSan understands; see the other half of this file).
typealias EngineMutex = Mutex
#endif
