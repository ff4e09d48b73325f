import Engine

/// What a key asks the application to do beyond changing the dashboard's own state.
public enum Effect: Sendable, Equatable {
    /// Carry out a command on the engine.
    case command(Command)
    /// Shut the engine down and leave.
    case quit
    /// The refresh interval changed.
    case refreshChanged
    /// Switch to the next theme.
    case nextTheme
    /// Pause or resume a drill's schedule (live drills only).
    case toggleSchedule
}
