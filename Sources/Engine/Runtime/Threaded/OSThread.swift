/// Starts an OS thread running `body`: the engine, the drill player and the benchmarks
/// run on plain threads, not on Swift's cooperative pool, so a busy node never starves
/// another task.
public enum OSThread {
    private final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts a thread; nil if the system refuses one.
    public static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
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

    /// Waits for a thread to end.
    public static func join(_ t: pthread_t) { pthread_join(t, nil) }

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
