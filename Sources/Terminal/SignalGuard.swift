import CNCurses

/// Signals while the dashboard owns the terminal: Ctrl-C, SIGTERM and SIGHUP ask the loop
/// to stop (it then shuts the engine down and restores the terminal); a crash signal
/// restores the terminal from the handler and re-raises. Every call into the C handlers
/// is in this file, which owns their state.
public enum SignalGuard {
    /// Installs the handlers (once, before the screen opens).
    public static func install() { fd_install_signal_handlers() }

    /// Whether Ctrl-C, SIGTERM or SIGHUP arrived.
    public static var stopRequested: Bool { fd_stop_requested() != 0 }

    /// Marks whether curses owns the screen (the crash handler restores it only then).
    static func setScreenActive(_ on: Bool) { fd_set_screen_active(on ? 1 : 0) }
}
