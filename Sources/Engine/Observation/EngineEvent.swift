/// Something that happened, for the event log: a typed case with its data (`detail`), and
/// the text shown for it, rendered from the case in one place (`EngineEvent.Detail.text`).
/// Drills, reports and the dashboard read the case, never the words.
public struct EngineEvent: Sendable, Equatable, CustomStringConvertible {
    /// What kind of thing happened; the dashboard colours by it.
    public enum Kind: String, Sendable, Equatable {
        case info, checkpoint, commit, restore, audit, error, operatorAction = "operator", detection, recovery, repair
    }

    /// Seconds since the engine started.
    public var time: Double
    /// The node concerned, if one is.
    public var node: Int?
    /// What happened, with its data.
    public var detail: Detail
    /// The colour class, from the case.
    public var kind: Kind
    /// The text shown, rendered from the case.
    public var message: String

    /// An event of a typed case.
    public init(time: Double, node: Int? = nil, _ detail: Detail) {
        self.time = time
        self.node = node ?? detail.node
        self.detail = detail
        kind = detail.kind
        message = detail.text
    }

    /// A free-text event (`Detail.note`), for things no drill or receipt judges.
    public init(time: Double, node: Int? = nil, kind: Kind, message: String) {
        self.init(time: time, node: node, .note(kind, message))
    }

    /// The case's name (`node-down`, `rolled-back`, …), for records and reports.
    public var name: String { detail.name }

    public var description: String {
        let t = (time * 1000).rounded() / 1000
        return "[\(t)s] \(kind.rawValue)\(node.map { " node \($0)" } ?? ""): \(message)"
    }
}

extension Array where Element == EngineEvent {
    /// The events after `last` in a log that keeps only its newest entries: those after its
    /// place, or, when it has scrolled out, those newer than its time; all when nil. Readers
    /// that follow a log remember the last event they took, never an index into it.
    public func after(_ last: EngineEvent?) -> [EngineEvent] {
        guard let last else { return self }
        guard let i = lastIndex(of: last) else { return filter { $0.time > last.time } }
        return Array(self[(i + 1)...])
    }
}
