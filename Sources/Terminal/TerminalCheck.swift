import CNCurses
#if canImport(Glibc)
import Glibc
#endif

/// Whether the process can own a terminal screen.
public enum TerminalCheck {
    /// True when both standard input and standard output are terminals and curses can draw on
    /// the terminal `TERM` names. Curses on a pipe writes escapes into it and waits forever for
    /// keys, and on a terminal without cursor addressing (`TERM=dumb`) it draws a blank screen
    /// whose keys still act, so the dashboard refuses both.
    public static var isInteractive: Bool { refusal == nil }

    /// Why the screen cannot be drawn here, in words for the refusal; nil when it can.
    public static var refusal: String? {
        guard isatty(0) == 1, isatty(1) == 1 else { return "standard input and output are not both a terminal" }
        guard termCanDraw else {
            let term = getenv("TERM").map { String(cString: $0) } ?? "(unset)"
            return "curses cannot draw on the terminal TERM=\(term) (unknown, or no cursor addressing)"
        }
        return nil
    }

    /// Asked once: the terminal description does not change while the process runs.
    private static let termCanDraw: Bool = fd_term_can_draw() != 0
}
