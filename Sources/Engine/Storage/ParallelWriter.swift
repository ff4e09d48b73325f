import Dispatch
import Synchronization

/// Runs independent writes (each with its own fsync) side by side.
enum ParallelWriter {
    static func run<Item: Sendable>(_ items: [Item], parallel: Bool, _ body: @Sendable (Item) throws(DiskError) -> Void) -> [DiskError] {
        if !parallel || items.count < 2 {
            var errors: [DiskError] = []
            for item in items {
                do throws(DiskError) { try body(item) } catch { errors.append(error) }
            }
            return errors
        }
        let errors = Mutex<[DiskError]>([])
        DispatchQueue.concurrentPerform(iterations: items.count) { i in
            do throws(DiskError) { try body(items[i]) } catch { errors.withLock { $0.append(error) } }
        }
        return errors.withLock { $0 }
    }
}
