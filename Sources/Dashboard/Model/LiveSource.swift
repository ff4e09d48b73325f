import Drills
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
    /// The time a person can pause, step and pace: the simulated runtime's, or a replay's.
    func pacer() -> (any TimeControl)?
    /// The global abort: heals every fault (and stops a drill's schedule); says what it did.
    func abort() -> String
}

/// The engine on its own, on either runtime.
public final class EngineSource: LiveSource {
    public let engine: any EngineRuntime

    public init(_ engine: any EngineRuntime) { self.engine = engine }

    public func snapshot() -> ClusterSnapshot { engine.snapshot() }
    public func apply(_ command: Command) throws(CommandError) { try engine.apply(command) }
    public func drillStatus() -> ViewModel.DrillStatus? { nil }
    public func setSchedulePaused(_ paused: Bool) -> Bool { false }
    public func pacer() -> (any TimeControl)? { engine as? PacedSimulation }
    public func abort() -> String {
        do throws(CommandError) { try engine.apply(.heal(nil)); return "aborted: healed all" } catch { return "abort: \(error.description)" }
    }
}

/// The engine with a drill playing on it (the demo mode), or recording a session.
public final class DrillSource: LiveSource {
    public let player: DrillPlayer

    public init(_ player: DrillPlayer) { self.player = player }

    public func snapshot() -> ClusterSnapshot { player.engine.snapshot() }
    public func apply(_ command: Command) throws(CommandError) { try player.engine.apply(command) }
    public func setSchedulePaused(_ paused: Bool) -> Bool { player.setPaused(paused) }
    public func pacer() -> (any TimeControl)? { player.engine as? PacedSimulation }
    public func abort() -> String { player.abort(reason: "the operator pressed !") }

    public func drillStatus() -> ViewModel.DrillStatus? {
        guard let s = player.status() else { return nil }
        var verdict: (passed: Bool, summary: String)?
        if let r = s.result {
            let failed = r.verdicts.filter { !$0.passed }
            let summary = failed.isEmpty
                ? "all \(r.verdicts.count) expectations hold"
                : failed.map { "\($0.name): \($0.measured) (expected \($0.expected))" }.joined(separator: "; ")
            verdict = (r.passed, summary)
        }
        var status = ViewModel.DrillStatus(name: s.name, elapsed: s.elapsed, duration: s.duration,
                                           caption: s.paused ? "paused — p resumes" : s.caption, next: s.next, verdict: verdict)
        status.captionAt = s.paused ? nil : s.captionAt
        return status
    }
}
