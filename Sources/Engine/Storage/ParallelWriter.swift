import Synchronization

/// Runs independent writes (each with its own fsync) side by side, one thread per write:
/// a write mostly waits for the device, so the waits overlap even on two cores (a
/// dispatch queue would run only as many at once as there are cores).
enum ParallelWriter {
    static func run<Item: Sendable>(_ items: [Item], parallel: Bool, _ body: @escaping @Sendable (Item) throws(DiskError) -> Void) -> [DiskError] {
        let errors = EngineMutex<[DiskError]>([])
        var threads: [pthread_t] = []
        for (i, item) in items.enumerated() {
            // The last write runs on the calling thread; so does every write when one
            // thread cannot be had.
            if parallel && i < items.count - 1, let t = OSThread.start({
                do throws(DiskError) { try body(item) } catch { errors.withLock { $0.append(error) } }
            }) {
                threads.append(t)
                continue
            }
            do throws(DiskError) { try body(item) } catch { errors.withLock { $0.append(error) } }
        }
        for t in threads { OSThread.join(t) }
        return errors.withLock { $0 }
    }
}
#if canImport(Glibc)
import Glibc
#endif
