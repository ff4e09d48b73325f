/// The key map as help text: one place, so the help overlay and the footer agree.
public enum KeyHelp {
    /// (keys, what they do) in the order the help shows them.
    public static let all: [(keys: String, action: String)] = [
        ("↑ ↓  j k", "select a node"),
        ("K", "kill the selected node (memory and queues lost)"),
        ("P", "hang (pause) it: no processing, no heartbeats"),
        ("S", "slow it by 5 ms a batch (backpressure)"),
        ("B", "flip a bit in a frame on its outgoing link"),
        ("N", "partition it from the network"),
        ("D", "corrupt its shard of the latest checkpoint"),
        ("W", "wipe its disk (asks first)"),
        ("H", "heal all faults"),
        ("!", "abort (asks first): heal all, stop a drill's schedule"),
        ("c", "checkpoint now"),
        ("r", "recover now: roll back to the last checkpoint"),
        ("space", "freeze / unfreeze the view (the engine runs on); presenter: pause"),
        ("+ -", "refresh faster / slower"),
        ("Tab", "fault receipts ⇄ event log"),
        ("PgUp PgDn", "select a receipt / scroll the log (also the wheel)"),
        ("/", "filter receipts and events: n2, detection, node-down, any text"),
        (".", "pause / resume (simulated or replay: time; else a drill's schedule)"),
        ("[ ]", "slower / faster simulated or replayed time (0.1×–10×)"),
        ("n", "while paused (simulated, replay): step to the next event"),
        ("← →", "replay: back / on 5 s"),
        ("g G", "replay: to the start / the end (else: first / last node)"),
        ("t", "next theme"),
        ("p", "pause / resume a drill's schedule"),
        (":", "command line: kill 2, corrupt shard latest 3, heal all, speed 0.5"),
        ("?", "this help"),
        ("Esc", "close an overlay, clear the message"),
        ("q", "quit (stops the engine cleanly)"),
    ]

    /// The footer's hints, most important first: (key, short action).
    public static let footer: [(key: String, action: String)] = [
        ("?", "help"), ("q", "quit"), ("↑↓", "select"), ("K", "kill"), ("P", "hang"), ("S", "slow"),
        ("B", "bitflip"), ("N", "partition"), ("D", "rot shard"), ("W", "wipe"), ("H", "heal"),
        ("c", "ckpt"), ("r", "recover"), (":", "cmd"), ("Tab", "log"), ("/", "filter"), ("space", "freeze"), ("t", "theme"),
    ]

    /// The help when attached to a Flink cluster: only the keys that act there.
    public static let attached: [(keys: String, action: String)] = [
        ("↑ ↓  j k", "select a TaskManager"),
        ("K", "kill it (SIGKILL, or --kill-command); asks first, naming its host and jobs"),
        ("P", "hang it (SIGSTOP, or --hang-command); asks first"),
        ("H", "heal: resume the hung (SIGCONT or --heal-command); in the lab, replace the lost"),
        ("D", "flip a bit in a file of the newest checkpoint; asks first"),
        ("c", "checkpoint now (Flink's REST)"),
        ("!", "abort (asks first): heal all"),
        ("space", "freeze / unfreeze the view (the job runs on)"),
        ("+ -", "refresh faster / slower"),
        ("Tab", "event log ⇄ fault receipts"),
        ("PgUp PgDn", "scroll the log (also the wheel)"),
        ("/", "filter events: n1, detection, any text"),
        ("t", "next theme"),
        (":", "command line: kill tm 1, hang tm-0, heal all, savepoint, corrupt checkpoint latest"),
        ("?", "this help"),
        ("Esc", "close an overlay, clear the message"),
        ("q", "quit (the job runs on)"),
    ]

    /// The footer's hints when attached to a Flink cluster (the keys that act there).
    public static let attachedFooter: [(key: String, action: String)] = [
        ("?", "help"), ("q", "quit"), ("↑↓", "select"), ("K", "kill tm"), ("P", "hang tm"), ("H", "heal"),
        ("c", "ckpt"), ("D", "rot ckpt"), (":", "cmd"), ("Tab", "receipts"), ("/", "filter"), ("space", "freeze"), ("t", "theme"),
    ]

    /// The footer's hints in a replay.
    public static let replayFooter: [(key: String, action: String)] = [
        ("?", "help"), ("q", "quit"), (".", "pause"), ("←→", "5 s"), ("g G", "start/end"), ("n", "next event"),
        ("[ ]", "speed"), ("Tab", "log"), ("/", "filter"), ("↑↓", "select"), ("t", "theme"),
    ]
}
