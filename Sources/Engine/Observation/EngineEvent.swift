/// Something that happened, for the event log.
public struct EngineEvent: Sendable, Equatable, CustomStringConvertible {
    /// What kind of thing happened; the dashboard colours by it.
    public enum Kind: String, Sendable, Equatable {
        case info, checkpoint, commit, restore, audit, error, operatorAction = "operator", detection, recovery, repair
    }

    /// Seconds since the engine started.
    public var time: Double
    /// The node concerned, if one is.
    public var node: Int?
    public var kind: Kind
    public var message: String

    public init(time: Double, node: Int? = nil, kind: Kind, message: String) {
        self.time = time
        self.node = node
        self.kind = kind
        self.message = message
    }

    public var description: String {
        let t = (time * 1000).rounded() / 1000
        return "[\(t)s] \(kind.rawValue)\(node.map { " node \($0)" } ?? ""): \(message)"
    }
}
