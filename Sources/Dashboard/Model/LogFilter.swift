import Engine

/// What `/` filters by: a node (`n2`, `node 2`), an event kind (`detection`, `repair`…), an
/// event or receipt-step name (`node-down`, `restored`), a technique (`replication`), or
/// else any text in the line, case-insensitively.
public enum LogFilter {
    enum Match: Equatable {
        case node(Int)
        case kind(EngineEvent.Kind)
        case text(String)
    }

    static func parse(_ filter: String) -> Match {
        let f = filter.lowercased().trimmed
        let words = f.split(separator: " ")
        if words.count == 2, words[0] == "node", let n = Int(words[1]) { return .node(n) }
        if f.hasPrefix("n"), let n = Int(f.dropFirst()) { return .node(n) }
        if let k = EngineEvent.Kind(rawValue: f) { return .kind(k) }
        return .text(f)
    }

    /// The filter in words, for the footer.
    public static func describe(_ filter: String) -> String {
        switch parse(filter) {
        case let .node(n): "node \(n)"
        case let .kind(k): "kind \(k.rawValue)"
        case let .text(t): "text '\(t)'"
        }
    }

    /// Whether an event matches.
    public static func matches(_ e: EngineEvent, _ filter: String) -> Bool {
        switch parse(filter) {
        case let .node(n): e.node == n
        case let .kind(k): e.kind == k
        case let .text(t): e.name == t || e.message.lowercased().contains(t) || e.kind.rawValue == t
        }
    }

    /// Whether a receipt matches: its node, the kinds of its steps, or its words.
    public static func matches(_ r: FaultReceipt, _ filter: String) -> Bool {
        switch parse(filter) {
        case let .node(n):
            // The node it is about, or a disk a shard of it was found on.
            return r.node == n || r.entries.contains { if case let .shardFound(_, _, node, _, _) = $0.step { node == n } else { false } }
        case let .kind(k):
            switch k {
            case .operatorAction: return r.fault != nil
            case .detection: return r.entries.contains { if case .detected = $0.step { true } else if case .shardFound = $0.step { true } else if case .frameCaught = $0.step { true } else { false } }
            case .recovery, .restore: return r.entries.contains { $0.step.technique == .checkpoint || $0.step.technique == .replication }
            case .repair: return r.entries.contains { $0.step.technique == .erasureCode || $0.step.technique == .checkAndCorrect }
            case .audit: return r.entries.contains { $0.step.technique == .audit }
            case .error: return r.status == .beyondTolerance || r.status == .disproved || r.status == .stuck
            default: return false
            }
        case let .text(t):
            return r.line.lowercased().contains(t) || r.entries.contains { $0.step.name == t || $0.step.technique.rawValue == t }
                || r.status.rawValue == t
        }
    }
}
