/// Every key of the dashboard's main screen, declared once: the key handler, the `?` help,
/// the footer, `firedrill dashboard --help` and `docs/keys.md` all come from it.
public enum KeyTable {
    typealias P = KeyBinding.Press
    static let everywhere: Set<KeyMode> = [.engine, .attached, .replay]
    static let live: Set<KeyMode> = [.engine, .attached]

    /// The keys in the order the help shows them.
    public static let all: [KeyBinding] = [
        KeyBinding("↑ ↓  j k", footerLabel: "↑↓", [P(.up, .selectPrevious), P(.character("k"), .selectPrevious), P(.down, .selectNext), P(.character("j"), .selectNext)],
                   name: "select", help: "select a node", modes: everywhere, footer: [.engine: 2, .attached: 2, .replay: 9]),
        KeyBinding("K", [P(.character("K"), .kill)], name: "kill", help: "kill the selected node (memory and queues lost)",
                   modes: live, footer: [.engine: 3, .attached: 3]),
        KeyBinding("P", [P(.character("P"), .hang)], name: "hang", help: "hang (pause) it: no processing, no heartbeats",
                   modes: live, footer: [.engine: 7, .attached: 6]),
        KeyBinding("S", [P(.character("S"), .slow)], name: "slow", help: "slow it by 5 ms a batch (backpressure)",
                   modes: [.engine], footer: [.engine: 12]),
        KeyBinding("B", [P(.character("B"), .bitFlip)], name: "bit flip", help: "flip a bit in a frame on its outgoing link",
                   modes: [.engine], footer: [.engine: 13]),
        KeyBinding("N", [P(.character("N"), .partition)], name: "partition", help: "partition it from the network",
                   modes: [.engine], footer: [.engine: 14]),
        KeyBinding("D", [P(.character("D"), .corruptShard)], name: "rot shard", help: "corrupt its shard of the latest checkpoint",
                   modes: live, footer: [.engine: 10, .attached: 9]),
        KeyBinding("W", [P(.character("W"), .wipeDisk)], name: "wipe", help: "wipe its disk (asks first)",
                   modes: [.engine], footer: [.engine: 11]),
        KeyBinding("H", [P(.character("H"), .heal)], name: "heal", help: "heal all faults",
                   modes: live, footer: [.engine: 6, .attached: 7]),
        KeyBinding("!", [P(.character("!"), .abort)], name: "abort", help: "abort (asks first): heal all, stop a drill's schedule",
                   modes: live, footer: [.engine: 18, .attached: 14]),
        KeyBinding("c", [P(.character("c"), .checkpoint)], name: "checkpoint", help: "checkpoint now",
                   modes: live, footer: [.engine: 9, .attached: 8]),
        KeyBinding("r", [P(.character("r"), .recover)], name: "recover", help: "recover now: roll back to the last checkpoint",
                   modes: [.engine], footer: [.engine: 15]),
        KeyBinding("space", [P(.character(" "), .togglePause, when: .presenter), P(.character(" "), .freeze)], name: "freeze",
                   help: "freeze / unfreeze the view (the engine runs on); presenter: pause", modes: everywhere, footer: [.engine: 16, .attached: 12]),
        KeyBinding("+ -", [P(.character("+"), .refreshFaster), P(.character("="), .refreshFaster), P(.character("-"), .refreshSlower), P(.character("_"), .refreshSlower)],
                   name: "refresh", help: "refresh faster / slower", modes: everywhere),
        KeyBinding("Tab", [P(.tab, .toggleBottom)], name: "log", help: "fault receipts ⇄ event log",
                   modes: everywhere, footer: [.engine: 5, .attached: 5, .replay: 7]),
        KeyBinding("PgUp PgDn", [P(.pageUp, .scroll(by: 5)), P(.pageDown, .scroll(by: -5)), P(.wheelUp, .scroll(by: 3)), P(.wheelDown, .scroll(by: -3))],
                   name: "scroll", help: "select a receipt / scroll the log (also the wheel)", modes: everywhere),
        KeyBinding("/", [P(.character("/"), .filter)], name: "filter", help: "filter receipts and events: n2, detection, node-down, any text",
                   modes: everywhere, footer: [.engine: 8, .attached: 10, .replay: 8]),
        KeyBinding(".", [P(.character("."), .togglePause)], name: "pause", help: "pause / resume (simulated or replay: time; else a drill's schedule)",
                   modes: everywhere, footer: [.replay: 2]),
        KeyBinding("[ ]", [P(.character("["), .slower), P(.character("]"), .faster)], name: "speed",
                   help: "slower / faster simulated or replayed time (0.1×–10×)", modes: [.engine, .replay], footer: [.replay: 6]),
        KeyBinding("n", [P(.character("n"), .stepEvent)], name: "next event", help: "while paused (simulated, replay): step to the next event",
                   modes: [.engine, .replay], footer: [.replay: 5]),
        KeyBinding("← →", footerLabel: "←→", [P(.left, .seekBack), P(.right, .seekForward)], name: "5 s", help: "replay: back / on 5 s",
                   modes: [.replay], footer: [.replay: 3]),
        KeyBinding("g G", [P(.character("g"), .seekStart, when: .replay), P(.character("G"), .seekEnd, when: .replay),
                           P(.character("g"), .firstNode), P(.home, .firstNode), P(.character("G"), .lastNode), P(.end, .lastNode)],
                   name: "start/end", help: "replay: to the start / the end (else: first / last node)", modes: everywhere, footer: [.replay: 4]),
        KeyBinding("t", [P(.character("t"), .nextTheme)], name: "theme", help: "next theme",
                   modes: everywhere, footer: [.engine: 17, .attached: 13, .replay: 10]),
        KeyBinding("p", [P(.character("p"), .toggleSchedule)], name: "pause drill", help: "pause / resume a drill's schedule", modes: live),
        KeyBinding(":", [P(.character(":"), .commandLine)], name: "command", help: "command line: kill 2, corrupt shard latest 3, heal all, speed 0.5",
                   modes: everywhere, footer: [.engine: 4, .attached: 4]),
        KeyBinding("?", [P(.character("?"), .help), P(.character("h"), .help)], name: "help", help: "this help",
                   modes: everywhere, footer: [.engine: 0, .attached: 0, .replay: 0]),
        KeyBinding("Esc", [P(.escape, .escape)], name: "close", help: "close an overlay, clear the message", modes: everywhere),
        KeyBinding("q", [P(.character("q"), .quit), P(.interrupt, .quit)], name: "quit", help: "quit (stops the engine cleanly)",
                   modes: everywhere, footer: [.engine: 1, .attached: 1, .replay: 1]),
    ]

    /// The action `key` triggers (a press whose condition holds wins over an unconditional one).
    public static func action(for key: Key, replay: Bool, presenter: Bool) -> KeyAction? {
        var fallback: KeyAction?
        for binding in all {
            for press in binding.presses where press.key == key {
                switch press.condition {
                case .always: if fallback == nil { fallback = press.action }
                case .replay: if replay { return press.action }
                case .presenter: if presenter { return press.action }
                }
            }
        }
        return fallback
    }

    /// The character keys that change the cluster, with their names: refused when read-only.
    public static let faultKeys: [Character: String] = {
        var keys: [Character: String] = [:]
        for binding in all where binding.changesCluster {
            for press in binding.presses { if case let .character(c) = press.key { keys[c] = binding.name } }
        }
        return keys
    }()
}
