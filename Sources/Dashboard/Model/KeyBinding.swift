/// Where the dashboard's data comes from, for the keys that act there.
public enum KeyMode: Sendable, Hashable, CaseIterable {
    /// The embedded engine (threaded or simulated).
    case engine
    /// An attached Apache Flink cluster.
    case attached
    /// A record played back (`firedrill replay`).
    case replay
}

/// One key (or one set of presses) the table holds: presses it answers, what it does, where
/// it applies, its help line and its place in the footer.
public struct KeyBinding: Sendable {
    /// A key and the action it triggers, when a condition holds.
    public struct Press: Sendable {
        /// When a press applies; a conditional press wins over an unconditional one.
        public enum Condition: Sendable, Equatable {
            case always
            /// Playing a record back.
            case replay
            /// `--presenter`.
            case presenter
        }
        public var key: Key
        public var action: KeyAction
        public var condition: Condition

        public init(_ key: Key, _ action: KeyAction, when condition: Condition = .always) {
            self.key = key
            self.action = action
            self.condition = condition
        }
    }

    /// The keys as the help, the docs and `--help` show them (`↑ ↓  j k`).
    public var label: String
    /// The keys as the footer shows them (`↑↓`).
    public var footerLabel: String
    public var presses: [Press]
    /// A word or two: the footer hint, `--help`, the read-only refusal.
    public var name: String
    /// The help overlay's line.
    public var help: String
    /// Where it acts (before read-only takes the cluster-changing ones away).
    public var modes: Set<KeyMode>
    /// Its rank in each mode's footer (0 first); not in a mode's footer when absent.
    public var footer: [KeyMode: Int]

    public init(_ label: String, footerLabel: String? = nil, _ presses: [Press], name: String, help: String,
                modes: Set<KeyMode>, footer: [KeyMode: Int] = [:]) {
        self.label = label
        self.footerLabel = footerLabel ?? label
        self.presses = presses
        self.name = name
        self.help = help
        self.modes = modes
        self.footer = footer
    }

    /// Whether it injects a fault or changes the cluster (every press's action does).
    public var changesCluster: Bool { presses.contains { $0.action.changesCluster } }
}
