import Engine

/// What the dashboard watches and commands: the engine on its own, or the engine with a
/// drill playing on it.
public protocol LiveSource: AnyObject {
    /// The cluster now (never blocks the engine).
    func snapshot() -> ClusterSnapshot
    /// Carries out an operator command.
    func apply(_ command: Command) throws(CommandError)
    /// The drill playing, if any.
    func drillStatus() -> ViewModel.DrillStatus?
    /// Pauses or resumes the drill's schedule; returns the new paused state.
    func setSchedulePaused(_ paused: Bool) -> Bool
}

/// The engine on its own.
public final class EngineSource: LiveSource {
    public let engine: ThreadedEngine

    public init(_ engine: ThreadedEngine) { self.engine = engine }

    public func snapshot() -> ClusterSnapshot { engine.snapshot() }
    public func apply(_ command: Command) throws(CommandError) { try engine.apply(command) }
    public func drillStatus() -> ViewModel.DrillStatus? { nil }
    public func setSchedulePaused(_ paused: Bool) -> Bool { false }
}
