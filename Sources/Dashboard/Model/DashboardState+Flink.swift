import Engine

extension DashboardState {
    /// A key on an attached Flink cluster: `K`, `P` and `D` ask first, naming what they hit;
    /// the engine's keys that mean nothing there say so. nil: the key means what it means on
    /// the engine.
    mutating func handleAttached(_ c: Character, _ a: AttachedCluster, context: Context, now: Double) -> [Effect]? {
        let command: Command
        switch c {
        case "K": command = .kill(selectedNode)
        case "P": command = .hang(selectedNode)
        case "D": command = .corruptCheckpoint(.latest, file: nil)
        case "S", "B", "N", "W", "r":
            say("'\(c)' (\(Self.faultKeys[c] ?? "")) does not apply to a Flink cluster; here: K kill, P hang, H heal, c checkpoint, D rot the newest checkpoint, : commands",
                error: true, at: now)
            return []
        default: return nil
        }
        guard let prompt = FlinkConfirm.prompt(command, a) else { return [.command(command)] }
        overlay = .confirm(command, prompt: prompt)
        return []
    }
}
