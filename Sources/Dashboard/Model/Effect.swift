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
    /// Pause or resume: the simulated runtime's time, else a drill's schedule.
    case togglePause
    /// Slower (`false`) or faster (`true`) simulated time.
    case changeSpeed(faster: Bool)
    /// A speed typed on the command line (`:speed 0.5`).
    case setSpeed(Double)
    /// While paused on the simulated runtime: run on to the next event.
    case stepEvent
    /// A replay: move by these seconds (back when negative).
    case seek(Double)
    /// A replay: go to its start or its end.
    case seekEdge(end: Bool)
    /// The global abort: heal every fault, stop a drill's schedule.
    case abort
    /// Write the session so far as a drill in the user's drill folder (`:save NAME`).
    case saveDrill(String)
}
