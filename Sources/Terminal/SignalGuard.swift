#if canImport(Glibc)
import Glibc
#endif
import CNCurses
import Synchronization

/// The signal that asked the dashboard to stop (0: none). A lock-free atomic, so the
/// handler may store into it.
let stopSignal = Atomic<Int32>(0)

/// Signals while the dashboard owns the terminal: Ctrl-C, SIGTERM and SIGHUP ask the loop
/// to stop (it then shuts the engine down and restores the terminal); a crash signal
/// restores the terminal from a C handler and re-raises. Every call into the C handlers
/// is in this file.
public enum SignalGuard {
    /// Installs the handlers (before the screen opens).
    public static func install() {
        stopSignal.store(0, ordering: .relaxed)  // initialise the global before any handler can run
        fd_install_signal_handlers()
        for s in [SIGINT, SIGTERM, SIGHUP] {
            signal(s) { sig in stopSignal.store(sig, ordering: .relaxed) }
        }
    }

    /// Whether Ctrl-C, SIGTERM or SIGHUP arrived.
    public static var stopRequested: Bool { stopSignal.load(ordering: .relaxed) != 0 }

    /// Marks whether curses owns the screen (the crash handler restores it only then).
    static func setScreenActive(_ on: Bool) { fd_set_screen_active(on ? 1 : 0) }
}
