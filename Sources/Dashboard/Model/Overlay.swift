import Engine

/// What is drawn over the panels, taking the keys while it is open.
public enum Overlay: Sendable, Equatable {
    case none
    /// The help screen listing every key.
    case help
    /// The `:` command line with the text typed so far.
    case commandLine(String)
    /// The `/` filter line with the text typed so far.
    case filterLine(String)
    /// The abort key waiting for `y`.
    case confirmAbort
    /// A destructive command waiting for `y`.
    case confirm(Command, prompt: String)
}
