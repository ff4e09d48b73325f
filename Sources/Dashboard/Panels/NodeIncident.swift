import Engine

/// A node's last incident (marked down or hung, then restored), kept on its row for a while so a
/// person sees it: detection plus restore takes a few hundred milliseconds, far less than a
/// glance. Derived from the snapshot's events alone, so a replay shows it the same way.
public struct NodeIncident: Sendable, Equatable {
    /// How the node failed, as the row shows it.
    public enum Kind: Sendable, Equatable {
        case down
        case hung
    }

    /// Seconds a row keeps its last incident after it ended (after the restore).
    public static let holdSeconds = 3.0

    public var node: Int
    public var kind: Kind
    /// When the node was marked down (engine seconds).
    public var detectedAt: Double
    /// Where its state came from and when, once restored; nil while the incident is under way.
    public var restore: (source: RestoreSource?, at: Double)?

    public static func == (a: NodeIncident, b: NodeIncident) -> Bool {
        a.node == b.node && a.kind == b.kind && a.detectedAt == b.detectedAt
            && a.restore?.source == b.restore?.source && a.restore?.at == b.restore?.at
    }

    /// Whether the incident is over (the node restored).
    public var isOver: Bool { restore != nil }

    /// Whether the row still shows it at `now`.
    public func isShown(at now: Double) -> Bool {
        guard let r = restore else { return now >= detectedAt }
        return now - r.at < Self.holdSeconds
    }

    /// The node's newest incident in `events` (oldest first), with its restore when one followed.
    public static func latest(for node: Int, in events: [EngineEvent]) -> NodeIncident? {
        guard let i = events.lastIndex(where: { if case let .nodeDown(n, _, _) = $0.detail { n == node } else { false } }) else { return nil }
        let detected = events[i]
        var kind = Kind.down
        for e in events[..<i].reversed() where detected.time - e.time < 30 {
            if case let .command(c) = e.detail, c.node == node {
                if case .hang = c { kind = .hung }
                break
            }
        }
        var incident = NodeIncident(node: node, kind: kind, detectedAt: detected.time, restore: nil)
        for e in events[(i + 1)...] {
            if case let .rolledBack(_, _, sources) = e.detail {
                incident.restore = (node < sources.count ? sources[node] : nil, e.time)
                break
            }
            if case let .faultAbsorbed(n, _, source) = e.detail, n == node {
                incident.restore = (source, e.time)
                break
            }
        }
        return incident
    }

    /// The row's text at `now`: `✖ down 1.2s ago → ↻ standby 138ms`.
    public func text(at now: Double) -> String {
        let look = HealthLook.of(kind == .hung ? .hung : .down)
        var s = look.glyph + " " + look.word + " " + Format.fixed(max(0, now - detectedAt), 1) + "s ago"
        if let r = restore {
            let from: String
            switch r.source {
            case .standby?: from = "standby"
            case .shards?: from = "shards"
            case .local?: from = "local"
            case nil: from = "restored"
            }
            s += " → ↻ " + from + " " + Format.duration(max(0, r.at - detectedAt))
        }
        return s
    }

    /// The role it is drawn in: the failure's own while under way.
    public var role: Role { HealthLook.of(kind == .hung ? .hung : .down).role }
}
