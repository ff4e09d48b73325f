import Engine

/// A live session written down as a drill (`:save NAME` in the dashboard, `--save-drill` on
/// quit): the job as it ran, each operator command at its time, and draft expectations from
/// what was measured — detection and recovery with headroom, where state came back from, the
/// events that appeared, exactly-once — so an improvised game day becomes a regression test.
public enum SessionDrill {
    /// A drill name a file may have: letters, digits, '-' and '_'.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// The drill file for a session. `steps` are the commands with their times (seconds since
    /// the engine started); `snapshot` is the engine at the end (its events, recoveries, audit).
    public static func text(name: String, config: JobConfig, replicas: Int, steps: [(at: Double, command: Command)],
                            snapshot: ClusterSnapshot, runtime: String) -> String {
        let m = DrillMeasurements.measure(verdict: snapshot.audit, events: snapshot.events, recoveries: snapshot.recoveries,
                                          steps: steps, samples: [], stepErrors: [])
        let last = steps.last?.at ?? 0
        let settle = max(5, (m.recoveries.max() ?? 0) + 3)
        let duration = min(3600, (last + settle).rounded(.up))
        var t: [String] = [
            "# Saved from a dashboard session (\(runtime)): the faults an operator tried, at their times,",
            "# with draft expectations from what was measured. Edit freely; `firedrill drill \(name)` runs it.",
            "name = \(quoted(name))",
            "description = \(quoted("A saved game day: \(steps.map { $0.command.description }.joined(separator: ", "))."))",
            "hypothesis = \(quoted("These faults lose no transfer and count none twice; each is detected and repaired as in the session."))",
            "duration = \(quoted(seconds(duration)))",
            "",
            "[job]",
            "nodes = \(config.nodes)",
            "rate = \(config.rate.map { String(Int($0)) } ?? "\"max\"")",
            "accounts = \(config.accounts)",
            "ec = \"\(config.dataShards)+\(config.parityShards)\"",
            "replicas = \(replicas)",
            "checkpoint_interval = \(config.checkpointInterval.map { quoted(seconds($0)) } ?? "\"off\"")",
            "seed = \(config.seed)",
        ]
        for s in steps {
            t += ["", "[[step]]", "at = \(quoted(seconds(s.at)))", "command = \(quoted(s.command.description))"]
        }
        t += ["", "[expect]", "exactly_once = true", "money_conserved = true"]
        if let worst = m.detections.max() { t.append("max_detection = \(quoted(seconds(headroom(worst, factor: 2, plus: 0.1))))  # measured \(ms(worst))") }
        if let worst = m.recoveries.max() { t.append("max_recovery = \(quoted(seconds(headroom(worst, factor: 2, plus: 0.5))))  # measured \(ms(worst))") }
        if let from = m.restoredFrom.first { t.append("restored_from = \(quoted(from.rawValue))") }
        if !m.seenEvents.isEmpty { t.append("events = [\(m.seenEvents.map { quoted($0.rawValue) }.joined(separator: ", "))]") }
        t += ["", "[abort]", "max_lost = 0"]
        return t.joined(separator: "\n") + "\n"
    }

    /// `v` times `factor` plus `plus`, rounded up to 100 ms.
    static func headroom(_ v: Double, factor: Double, plus: Double) -> Double { ((v * factor + plus) * 10).rounded(.up) / 10 }

    /// A duration the parser reads back exactly: `2.5s`, `300ms`.
    static func seconds(_ s: Double) -> String {
        let millis = Int((s * 1000).rounded())
        return millis % 1000 == 0 ? "\(millis / 1000)s" : "\(millis)ms"
    }

    static func ms(_ s: Double) -> String { "\(Int((s * 1000).rounded())) ms" }

    /// Writes the session as drill `name` into the user's drill folder (created when
    /// missing); returns the path.
    public static func save(name: String, text: String, directory: String? = DrillLibrary.userDirectory) throws(FileError) -> String {
        guard isValidName(name) else { throw FileError(file: name, line: 0, "a drill name is letters, digits, '-' and '_', like game-day-1") }
        guard let directory else { throw FileError(file: name, line: 0, "no folder for your drills: set HOME or XDG_CONFIG_HOME") }
        try AtomicFile.makeDirectories(directory)
        let path = directory + "/" + name + ".toml"
        try AtomicFile.write(path, text)
        return path
    }

    /// A TOML basic string: JSON's escapes are TOML's.
    static func quoted(_ s: String) -> String { JSON.string(s) }
}
