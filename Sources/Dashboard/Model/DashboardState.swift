import Drills
import Engine

/// The dashboard's own state (selection, overlays, refresh, messages): everything on
/// screen that is not the engine's snapshot. Keys change it through `handle(_:context:)`.
public struct DashboardState: Sendable, Equatable {
    /// What the key handler needs to know about the cluster.
    public struct Context: Sendable, Equatable {
        public var nodes: Int
        public var shards: Int
        /// The newest complete checkpoint, for `D` (corrupt the shard on the selected disk).
        public var latestCheckpoint: UInt64?
        /// Receipts there are (for their selection).
        public var receipts: Int
        /// The screen row of node 0 in the nodes table, and how many rows it shows (for clicks).
        public var nodeRows: (top: Int, count: Int)?
        /// Node names an attached cluster gives (TaskManager ids), accepted in commands.
        public var names: [String] = []
        /// An attached cluster's facts: its faults ask first, naming what they hit.
        public var attached: AttachedCluster?

        public init(nodes: Int, shards: Int, latestCheckpoint: UInt64?, receipts: Int = 0, nodeRows: (top: Int, count: Int)? = nil) {
            self.nodes = nodes
            self.shards = shards
            self.latestCheckpoint = latestCheckpoint
            self.receipts = receipts
            self.nodeRows = nodeRows
        }

        public static func == (a: Context, b: Context) -> Bool {
            a.nodes == b.nodes && a.shards == b.shards && a.latestCheckpoint == b.latestCheckpoint && a.receipts == b.receipts
                && a.nodeRows?.top == b.nodeRows?.top && a.nodeRows?.count == b.nodeRows?.count && a.attached == b.attached
        }
    }

    /// What the panel under the graph shows.
    public enum BottomPanel: Sendable, Equatable { case receipts, events }

    /// A line shown in the footer for a while: the result of the last action.
    public struct Message: Sendable, Equatable {
        public var text: String
        public var isError: Bool
        /// Seconds since the engine started, when it was set.
        public var at: Double
    }

    public var selectedNode = 0
    public var overlay: Overlay = .none
    /// While frozen the view keeps the snapshot it had; the engine keeps running.
    public var frozen = false
    public var refreshMillis = 100
    /// Events scrolled back from the newest (0: the newest is at the top).
    public var eventScroll = 0
    public var message: Message?
    /// Whether a drill's schedule is paused (live drills only).
    public var schedulePaused = false
    /// The fault receipts, or the event log (`Tab` switches).
    public var bottom: BottomPanel = .receipts
    /// The selected receipt, counted from the newest (0).
    public var receiptSelection = 0
    /// Only events and receipts matching this (`/`); nil shows all.
    public var filter: String?
    /// Every fault key and command refused (`--read-only`): for audiences and shared screens.
    public var readOnly = false
    /// Large captions; `.` and space pause, `[` `]` change the simulated pace (`--presenter`).
    public var presenter = false
    /// Whether the simulated runtime's time (or a replay) stands still.
    public var timePaused = false
    /// Playing a record back (`firedrill replay`): `g` `G` go to its start and end, and no
    /// key changes anything but the view and the position.
    public var replay = false
    /// The keys that inject faults or change the cluster, refused when read-only (`KeyTable`).
    public static let faultKeys: [Character: String] = KeyTable.faultKeys
    /// Seconds `←` and `→` move a replay.
    public static let seekStep = 5.0
    /// The refresh intervals `+` and `-` step through.
    public static let refreshSteps = [50, 100, 200, 250, 500, 1000, 2000]

    public init(refreshMillis: Int = 100) { self.refreshMillis = refreshMillis }

    /// Shows a message in the footer.
    public mutating func say(_ text: String, error: Bool = false, at time: Double) {
        message = Message(text: text, isError: error, at: time)
    }

    /// Handles one key; returns what the application must do. `now` stamps messages.
    public mutating func handle(_ key: Key, context: Context, now: Double) -> [Effect] {
        if selectedNode >= context.nodes { selectedNode = max(0, context.nodes - 1) }
        switch overlay {
        case .help:
            // Any other key leaves the help open.
            if key == .interrupt { return [.quit] }
            if [.escape, .character("?"), .character("q"), .enter].contains(key) { overlay = .none }
            return []
        case let .commandLine(text):
            return handleCommandLine(key, text: text, context: context, now: now)
        case let .filterLine(text):
            return handleFilterLine(key, text: text, now: now)
        case .confirmAbort:
            // y confirms; any other key cancels.
            overlay = .none
            if key == .interrupt { return [.quit] }
            if Self.confirms(key) { return [.abort] }
            say("abort cancelled", at: now)
            return []
        case let .confirm(command, _):
            overlay = .none
            if key == .interrupt { return [.quit] }
            if Self.confirms(key) { return [.command(command)] }
            say("cancelled: \(command)", at: now)
            return []
        case .none:
            return handleNormal(key, context: context, now: now)
        }
    }

    /// `y` or `Y`: the answer that confirms.
    static func confirms(_ key: Key) -> Bool { key == .character("y") || key == .character("Y") }

    mutating func handleNormal(_ key: Key, context: Context, now: Double) -> [Effect] {
        let node = selectedNode
        if readOnly, case let .character(c) = key, let what = Self.faultKeys[c] {
            say(replay ? "a replay changes nothing: \(c) (\(what)) is off; ← → g G move through the record"
                : "read-only session: \(c) (\(what)) is off; nothing was changed", error: true, at: now)
            return []
        }
        if let attached = context.attached, case let .character(c) = key, let effects = handleAttached(c, attached, context: context, now: now) {
            return effects
        }
        if case let .click(_, y) = key {
            if let rows = context.nodeRows, y >= rows.top, y < rows.top + min(rows.count, context.nodes) { selectedNode = y - rows.top }
            return []
        }
        guard let action = KeyTable.action(for: key, replay: replay, presenter: presenter) else {
            if case let .character(c) = key { say("'\(c)' does nothing; ? lists the keys", error: true, at: now) }
            return []
        }
        switch action {
        case .selectPrevious: selectedNode = max(0, selectedNode - 1)
        case .selectNext: selectedNode = min(context.nodes - 1, selectedNode + 1)
        case .seekBack: return [.seek(-Self.seekStep)]
        case .seekForward: return [.seek(Self.seekStep)]
        case .seekStart: return [.seekEdge(end: false)]
        case .seekEnd: return [.seekEdge(end: true)]
        case .firstNode: selectedNode = 0
        case .lastNode: selectedNode = context.nodes - 1
        case let .scroll(by): scrollBack(by, context: context)
        case .toggleBottom:
            bottom = bottom == .receipts ? .events : .receipts
            say(bottom == .receipts ? "fault receipts (Tab: event log)" : "event log (Tab: fault receipts)", at: now)
        case .filter: overlay = .filterLine("")
        case .abort: overlay = .confirmAbort
        case .togglePause: return [.togglePause]
        case .slower: return [.changeSpeed(faster: false)]
        case .faster: return [.changeSpeed(faster: true)]
        case .stepEvent: return [.stepEvent]
        case .kill: return [.command(.kill(node))]
        case .hang: return [.command(.hang(node))]
        case .slow: return [.command(.slow(node, 0.005))]
        case .bitFlip: return [.command(.corruptFrame(node))]
        case .partition: return [.command(.partition(node))]
        case .corruptShard:
            guard let id = context.latestCheckpoint else {
                say("no complete checkpoint yet: nothing to corrupt", error: true, at: now)
                return []
            }
            guard let shard = ShardStore.shard(onDisk: node, checkpoint: id, nodes: context.nodes, shards: context.shards) else {
                say("node \(node)'s disk holds no shard of checkpoint \(id)", error: true, at: now)
                return []
            }
            return [.command(.corruptShard(.id(id), shard))]
        case .wipeDisk:
            overlay = .confirm(.wipeDisk(node), prompt: "Wipe node \(node)'s disk? Every shard on it is deleted.")
        case .heal: return [.command(.heal(nil))]
        case .checkpoint: return [.command(.checkpointNow)]
        case .recover: return [.command(.recoverNow)]
        case .freeze:
            frozen.toggle()
            say(frozen ? "view frozen (the engine keeps running); space resumes" : "view live", at: now)
        case .refreshFaster:
            // Faster refresh: a shorter interval.
            if let i = Self.refreshSteps.lastIndex(where: { $0 < refreshMillis }) { refreshMillis = Self.refreshSteps[i] }
            say("refresh every \(refreshMillis) ms", at: now)
            return [.refreshChanged]
        case .refreshSlower:
            if let i = Self.refreshSteps.firstIndex(where: { $0 > refreshMillis }) { refreshMillis = Self.refreshSteps[i] }
            say("refresh every \(refreshMillis) ms", at: now)
            return [.refreshChanged]
        case .nextTheme: return [.nextTheme]
        case .toggleSchedule: return [.toggleSchedule]
        case .help: overlay = .help
        case .commandLine: overlay = .commandLine("")
        case .escape:
            if filter != nil {
                filter = nil
                say("filter cleared: every event and receipt", at: now)
            } else {
                message = nil
            }
        case .quit: return [.quit]
        }
        return []
    }

    /// Moves back (positive) or forward through the panel under the graph.
    mutating func scrollBack(_ by: Int, context: Context) {
        switch bottom {
        case .events: eventScroll = max(0, eventScroll + by)
        case .receipts: receiptSelection = max(0, min(max(0, context.receipts - 1), receiptSelection + (by > 0 ? 1 : -1)))
        }
    }

    /// `0.5`, `2x`, `2×`.
    static func speed(_ text: String) -> Double? {
        var t = text
        if t.hasSuffix("x") || t.hasSuffix("×") { t.removeLast() }
        guard let v = Double(t), v.isFinite else { return nil }
        return v
    }

    mutating func handleFilterLine(_ key: Key, text: String, now: Double) -> [Effect] {
        switch key {
        case .escape: overlay = .none
        case .interrupt: return [.quit]
        case .backspace:
            if text.isEmpty { overlay = .none } else { overlay = .filterLine(String(text.dropLast())) }
        case .enter:
            overlay = .none
            let typed = text.trimmed
            filter = typed.isEmpty ? nil : typed
            eventScroll = 0
            receiptSelection = 0
            say(filter.map { "showing what matches '\($0)' (\(LogFilter.describe($0))); Esc clears" } ?? "filter cleared", at: now)
        case let .character(c):
            if text.count < 100 { overlay = .filterLine(text + String(c)) }
        case .up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .tab, .click, .wheelUp, .wheelDown: break
        }
        return []
    }

    mutating func handleCommandLine(_ key: Key, text: String, context: Context, now: Double) -> [Effect] {
        switch key {
        case .escape:
            overlay = .none
        case .interrupt:
            return [.quit]
        case .backspace:
            if text.isEmpty { overlay = .none } else { overlay = .commandLine(String(text.dropLast())) }
        case .enter:
            overlay = .none
            let typed = text.trimmed
            if typed.isEmpty { return [] }
            if typed == "q" || typed == "quit" { return [.quit] }
            if typed == "help" { overlay = .help; return [] }
            let words = typed.split(separator: " ")
            if words.first == "save" {
                guard words.count == 2, SessionDrill.isValidName(String(words[1])) else {
                    say(":\(typed): expected 'save NAME', NAME of letters, digits, '-' and '_'", error: true, at: now)
                    return []
                }
                return [.saveDrill(String(words[1]))]
            }
            if words.first == "speed" {
                guard words.count == 2, let x = Self.speed(String(words[1])) else {
                    say(":\(typed): expected a speed like 'speed 0.5' or 'speed 2x' (0.1×–10×)", error: true, at: now)
                    return []
                }
                return [.setSpeed(x)]
            }
            do {
                let command = try Command.parse(typed, nodes: context.nodes, shards: context.shards, names: context.names)
                if readOnly {
                    say(replay ? "a replay changes nothing: '\(command)' is not run" : "read-only session: '\(command)' is not run; nothing was changed", error: true, at: now)
                    return []
                }
                if let attached = context.attached, let prompt = FlinkConfirm.prompt(command, attached) {
                    overlay = .confirm(command, prompt: prompt)
                    return []
                }
                if command.isDestructive {
                    overlay = .confirm(command, prompt: "Run '\(command)'? It destroys stored data.")
                    return []
                }
                return [.command(command)]
            } catch {
                say(":\(typed): \(error.description)", error: true, at: now)
            }
        case let .character(c):
            if text.count < 200 { overlay = .commandLine(text + String(c)) }
        case .up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .tab, .click, .wheelUp, .wheelDown: break
        }
        return []
    }
}
