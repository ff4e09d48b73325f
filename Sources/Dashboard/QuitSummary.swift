import Engine

/// Figures of the summary printed when a session ends, worded as the screen words them, so
/// the last thing a person reads agrees with what they just saw.
public enum QuitSummary {
    /// A count as the screen shows it, with the exact figure beside it: `536M (536231936)`.
    public static func count(_ v: Int64) -> String {
        let shown = Format.count(Double(v))
        return shown == String(v) ? shown : "\(shown) (\(v))"
    }

    /// Where the job's state came from: the checkpoint restored at start, and every recovery's
    /// restore with its sources (`6 recoveries, the last to checkpoint 58; restores: 5 standby, 1 shards`).
    public static func restoreLine(_ s: ClusterSnapshot) -> String {
        var line = "checkpoints: \(s.checkpointsCompleted) completed; at start: "
        line += s.restoredFrom.map { "restored from checkpoint \($0)" } ?? "started fresh"
        guard !s.recoveries.isEmpty else { return line + "; no recovery" }
        let n = s.recoveries.count
        line += "; \(n) recover\(n == 1 ? "y" : "ies")"
        if let last = s.recoveries.last(where: { $0.checkpoint != nil })?.checkpoint {
            line += ", the last restored from checkpoint \(last)"
        }
        var standby = 0, shards = 0, local = 0
        for r in s.recoveries {
            for source in r.restoredFrom {
                switch source {
                case .standby?: standby += 1
                case .shards?: shards += 1
                case .local?: local += 1
                case nil: continue
                }
            }
        }
        let parts = [(standby, "from standby copies"), (shards, "from shards"), (local, "from local copies")].filter { $0.0 > 0 }
        if !parts.isEmpty { line += " (node restores: " + parts.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")" }
        return line
    }
}
