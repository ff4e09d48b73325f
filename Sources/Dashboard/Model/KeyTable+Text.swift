/// The key table as text: the help's lines, the footer's hints, `--help` and `docs/keys.md`.
extension KeyTable {
    /// A footer hint: the key as the footer shows it, a word or two, and its rank (0 first).
    public struct Hint: Sendable, Equatable {
        public var key: String
        public var action: String
        public var priority: Int

        public init(_ key: String, _ action: String, priority: Int) {
            self.key = key
            self.action = action
            self.priority = priority
        }

        /// Columns it takes with the gap after it.
        var width: Int { key.unicodeScalars.count + 1 + action.unicodeScalars.count + 2 }
    }

    /// The help overlay's lines, in the table's order.
    public static var helpLines: [(keys: String, action: String)] { all.map { ($0.label, $0.help) } }

    /// The help of the keys that act in `mode` (attached to Flink: only Flink's, in Flink's words).
    public static func helpLines(for mode: KeyMode) -> [(keys: String, action: String)] {
        all.filter { $0.modes.contains(mode) }.map { b in
            (b.label, mode == .attached ? attachedHelp[b.name] ?? b.help : b.help)
        }
    }

    /// What a key does on an attached Flink cluster, where the engine's words do not fit.
    static let attachedHelp: [String: String] = [
        "select": "select a TaskManager",
        "kill": "kill it (SIGKILL, or --kill-command); asks first, naming its host and jobs",
        "hang": "hang it (SIGSTOP, or --hang-command); asks first",
        "heal": "heal: resume the hung (SIGCONT or --heal-command); in the lab, replace the lost",
        "rot shard": "flip a bit in a file of the newest checkpoint; asks first",
        "checkpoint": "checkpoint now (Flink's REST)",
        "abort": "abort (asks first): heal all",
    ]

    /// The footer's hints in `mode` (in the table's order; `fitted` ranks them), without the
    /// cluster-changing keys when read-only.
    public static func footer(_ mode: KeyMode, readOnly: Bool) -> [Hint] {
        all.compactMap { b in
            guard let rank = b.footer[mode], !(readOnly && b.changesCluster) else { return nil }
            return Hint(b.footerLabel, b.name, priority: rank)
        }
    }

    /// Hints by priority; equal ranks keep their order.
    static func ranked(_ hints: [Hint]) -> [Hint] {
        hints.enumerated().sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }.map(\.element)
    }

    /// The hints that fit in `width` columns, taken by priority (a hint that does not fit is
    /// left out whole, and a smaller one after it may still come in), shown in priority order.
    public static func fitted(_ hints: [Hint], width: Int) -> [Hint] {
        var left = width
        var kept: [Hint] = []
        for h in ranked(hints) where h.width - 2 <= left {
            kept.append(h)
            left -= h.width
        }
        return kept
    }

    /// One line for `firedrill dashboard --help`.
    public static var summary: String {
        "Keys: " + all.map { "\($0.label) \($0.name)" }.joined(separator: ", ") + ". Press ? in the dashboard for the whole help."
    }

    /// `docs/keys.md`: every key, what it does, where it applies, its footer rank.
    public static var markdown: String {
        func cell(_ s: String) -> String { String(s.flatMap { $0 == "|" ? ["\\", "|"] : [$0] }) }
        func applies(_ b: KeyBinding, _ mode: KeyMode) -> String { b.modes.contains(mode) ? (b.footer[mode].map { "yes (\($0))" } ?? "yes") : "·" }
        var lines = [
            "# Dashboard keys",
            "",
            "Generated from the dashboard's key table (`Sources/Dashboard/Model/KeyTable.swift`); do not edit by hand.",
            "Regenerate it with `FIREDRILL_WRITE_KEYS=1 swift test --filter KeyTableTests`; a test fails while it is out of date.",
            "",
            "Lowercase keys look, capitals break things. A column says where a key acts: the embedded engine,",
            "an attached Flink cluster, a replayed record; in brackets its rank in that footer (0 first: the",
            "footer shows the most important keys that fit the width, `?` always). Read-only sessions",
            "(`--read-only`, and every replay) refuse the keys that change the cluster.",
            "",
            "| keys | what it does | engine | Flink | replay | read-only |",
            "|---|---|---|---|---|---|",
        ]
        for b in all {
            lines.append("| `\(cell(b.label))` | \(cell(b.help)) | \(applies(b, .engine)) | \(applies(b, .attached)) | \(applies(b, .replay)) | \(b.changesCluster ? "off" : "yes") |")
        }
        lines += [
            "",
            "Also: `h` opens the help, `Home` `End` select the first and last node, `=` and `_` change the",
            "refresh like `+` and `-`, Ctrl-C quits, a click selects a node. `:` opens the command line",
            "(the same commands a drill scripts); `y` confirms what asks first, any other key cancels.",
            "",
        ]
        return lines.joined(separator: "\n")
    }
}
