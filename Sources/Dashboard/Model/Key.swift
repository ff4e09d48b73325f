/// A key press as the dashboard understands it, independent of curses.
public enum Key: Sendable, Equatable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, tab
    /// Ctrl-C typed as a key (when the terminal passes it through).
    case interrupt
    /// A mouse click at a screen cell.
    case click(x: Int, y: Int)
    /// The mouse wheel, one notch.
    case wheelUp, wheelDown
}
