#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Ctrl-C and SIGTERM ask a headless run to stop cleanly (final checkpoint, summary).
enum SignalStop {
    static let flag = Atomic<Bool>(false)

    static var requested: Bool { flag.load(ordering: .relaxed) }

    static func install() {
        signal(SIGINT) { _ in SignalStop.flag.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in SignalStop.flag.store(true, ordering: .relaxed) }
    }
}
