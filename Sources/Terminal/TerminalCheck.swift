import CNCurses

/// Whether the process can own a terminal screen.
public enum TerminalCheck {
    /// True when both standard input and standard output are terminals. Curses on a pipe
    /// writes escapes into it and waits forever for keys, so the dashboard refuses then.
    public static var isInteractive: Bool { isatty(0) == 1 && isatty(1) == 1 }
}
