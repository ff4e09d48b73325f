/// What a key does on the dashboard's main screen. `DashboardState` switches over every
/// case, so a new action is a compile error until it is handled.
public enum KeyAction: Sendable, Equatable {
    case selectPrevious, selectNext, firstNode, lastNode
    /// Scroll the panel under the graph back (positive) or forward by this many lines.
    case scroll(by: Int)
    /// Switch the panel under the graph between fault receipts and the event log.
    case toggleBottom
    case filter
    case abort
    case togglePause, slower, faster, stepEvent
    case seekBack, seekForward, seekStart, seekEnd
    case kill, hang, slow, bitFlip, partition, corruptShard, wipeDisk, heal, checkpoint, recover
    case freeze
    case refreshFaster, refreshSlower
    case nextTheme
    case toggleSchedule
    case help
    case commandLine
    /// Close an overlay, clear the filter or the message.
    case escape
    case quit

    /// Whether it injects a fault or changes the cluster: off in read-only sessions and replays.
    public var changesCluster: Bool {
        switch self {
        case .kill, .hang, .slow, .bitFlip, .partition, .corruptShard, .wipeDisk, .heal, .checkpoint, .recover: return true
        case .selectPrevious, .selectNext, .firstNode, .lastNode, .scroll, .toggleBottom, .filter, .abort,
             .togglePause, .slower, .faster, .stepEvent, .seekBack, .seekForward, .seekStart, .seekEnd,
             .freeze, .refreshFaster, .refreshSlower, .nextTheme, .toggleSchedule, .help, .commandLine, .escape, .quit:
            return false
        }
    }
}
