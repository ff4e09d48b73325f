/// Restarts failed nodes the Erlang/OTP way: at once the first time, then with exponential
/// backoff, and at most `maxRestarts` in `window` seconds — past that the node is
/// quarantined until an operator heals it, instead of flapping forever.
public struct Supervisor: Sendable {
    public var maxRestarts = 5
    public var window = 30.0
    public var baseBackoff = 0.1
    public var maxBackoff = 5.0
    var restarts: [[Double]]
    public private(set) var quarantined: [Bool]
    /// When each node's pending restart is due.
    public private(set) var due: [Double?]

    public init(nodes: Int) {
        restarts = Array(repeating: [], count: nodes)
        quarantined = Array(repeating: false, count: nodes)
        due = Array(repeating: nil, count: nodes)
    }

    /// What the supervisor decided about a node that went down.
    public enum Decision: Equatable, Sendable {
        case restart(at: Double, backoff: Double)
        case quarantine(restarts: Int)
        case alreadyHandled
    }

    /// Node `i` is down at `now`.
    public mutating func down(_ i: Int, now: Double) -> Decision {
        if quarantined[i] || due[i] != nil { return .alreadyHandled }
        restarts[i].removeAll { now - $0 > window }
        if restarts[i].count >= maxRestarts {
            quarantined[i] = true
            return .quarantine(restarts: restarts[i].count)
        }
        let k = restarts[i].count
        let backoff = k == 0 ? 0 : min(maxBackoff, baseBackoff * Double(1 << min(k - 1, 20)))
        due[i] = now + backoff
        return .restart(at: now + backoff, backoff: backoff)
    }

    /// Nodes whose restart is due at `now` (they are marked restarted).
    public mutating func dueRestarts(now: Double) -> [Int] {
        var out: [Int] = []
        for i in due.indices {
            if let d = due[i], d <= now {
                due[i] = nil
                restarts[i].append(now)
                out.append(i)
            }
        }
        return out
    }

    /// Restarts of node `i` within the window.
    public func recentRestarts(_ i: Int, now: Double) -> Int { restarts[i].filter { now - $0 <= window }.count }

    /// An operator healed node `i` (nil: all): quarantine ends, the restart history too.
    public mutating func heal(_ i: Int?) {
        for n in quarantined.indices where i == nil || i == n {
            quarantined[n] = false
            restarts[n].removeAll()
        }
    }
}
