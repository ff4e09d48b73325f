/// Gray failure: a node whose heartbeats still come but whose work loop has not turned
/// (stuck on I/O, a lock, a page fault, a starved CPU). Its heartbeats say it lives, so the
/// failure detector never fires; silence of its work is watched here instead. Heartbeats
/// come from a sender of their own that never waits behind the node's work, so a stalled
/// node is told apart from a dead one: the first is *stalled*, the second *down*.
///
/// A stall is shown once the work has been silent `showAfter` seconds, and ends when it
/// turns again. One that lasts `limit` seconds (plus what a slow host is allowed) has
/// stopped mattering as "late": the node is restarted like a failed one.
public struct StallWatch: Sendable, Equatable {
    /// Seconds without progress before a heartbeating node is shown stalled.
    public var showAfter: Double
    /// Seconds without progress after which the node is restarted.
    public var limit: Double
    /// Per node, the longest silence of its work in the stall shown now (nil: none shown).
    public private(set) var shown: [Double?]
    private var limited: [Bool]

    public init(nodes: Int, showAfter: Double = 0.3, limit: Double = 2) {
        self.showAfter = showAfter
        self.limit = limit
        shown = Array(repeating: nil, count: nodes)
        limited = Array(repeating: false, count: nodes)
    }

    /// What changed for one node in one pass.
    public enum Verdict: Sendable, Equatable {
        case none
        /// The node is stalled: its work has been silent this many seconds.
        case began(Double)
        /// Its work turned again after this many seconds.
        case ended(Double)
        /// Stalled this many seconds: past the limit.
        case limit(Double)
    }

    /// Judges node `i` at `now`: its work last turned `stuck` seconds ago; `watched` says
    /// whether it is a live node the detector does not already hold for dead, hung or
    /// recovering; `extra` seconds are added to the limit (a slow host's allowance).
    public mutating func judge(_ i: Int, stuck: Double, watched: Bool, extra: Double) -> Verdict {
        guard i < shown.count else { return .none }
        guard watched else {
            shown[i] = nil
            limited[i] = false
            return .none
        }
        if stuck < showAfter {
            defer { shown[i] = nil; limited[i] = false }
            return shown[i].map { .ended($0) } ?? .none
        }
        guard let longest = shown[i] else {
            shown[i] = stuck
            return .began(stuck)
        }
        shown[i] = max(longest, stuck)
        if stuck >= limit + max(0, extra) && !limited[i] {
            limited[i] = true
            return .limit(stuck)
        }
        return .none
    }

    /// Whether node `i` is shown stalled now.
    public func isStalled(_ i: Int) -> Bool { i < shown.count && shown[i] != nil }

    /// Node `i` starts again (a new incarnation or a rollback): no stall carries over.
    public mutating func reset(_ i: Int) {
        guard i < shown.count else { return }
        shown[i] = nil
        limited[i] = false
    }
}
