/// Sleeps the calling thread for `ns` nanoseconds.
func sleepNanos(_ ns: UInt64) {
    var ts = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
    nanosleep(&ts, nil)
}

/// Sleeps the calling thread for `ms` milliseconds.
func sleepMillis(_ ms: Int) {
    var ts = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
    nanosleep(&ts, nil)
}
#if canImport(Glibc)
import Glibc
#endif
