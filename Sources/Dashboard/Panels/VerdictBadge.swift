import Engine

/// What the header's exactly-once badge says, decided in one place from the snapshot: the
/// verdict, which checkpoint it is about, and how old it is. A verdict older than
/// `staleAfter` no longer says EXACT: the audit is behind, and the badge says by how much.
public struct VerdictBadge: Equatable, Sendable {
    /// The verdict's state, most urgent first.
    public enum State: Equatable, Sendable {
        /// The auditor cannot read the sink.
        case failed(String)
        /// The audit found lost or duplicated updates, or money not conserved.
        case notExact
        /// The newest verdict is too old to speak for the present.
        case behind
        /// Exact, and fresh.
        case exact
    }

    /// Seconds after which a verdict is stale.
    public static let staleAfter = 3.0

    public var state: State
    /// The badge itself: ` ✓ EXACT `, ` ✗ NOT EXACT `, ` ⧗ AUDIT BEHIND `, ` ✗ AUDIT FAILED `.
    public var badge: String
    /// What the verdict covers and when: `as of ckpt 41, 0.7s ago`.
    public var detail: String
    public var role: Role

    public init(_ s: ClusterSnapshot) {
        let a = s.audit
        let which = a.checkpoint.map { "ckpt \($0)" } ?? "start"
        let final = !s.running || s.stopPhase == .stopped
        let age = Format.seconds(s.verdictAge)
        if let error = s.auditError {
            state = .failed(error)
            badge = " ✗ AUDIT FAILED "
            detail = "last verdict \(which): \(error)"
            role = .bad
        } else if !(a.exact && a.lost == 0 && a.duplicated == 0) || !a.moneyConserved {
            state = .notExact
            badge = " ✗ NOT EXACT "
            detail = final ? "at \(which) (final)" : "at \(which), \(age) ago"
            role = .bad
        } else if !final && s.verdictAge > Self.staleAfter {
            state = .behind
            badge = " ⧗ AUDIT BEHIND "
            let unaudited = s.unauditedCheckpoints
            detail = "by \(age): last exact \(which)" + (unaudited > 0 ? ", \(unaudited) ckpt\(unaudited == 1 ? "" : "s") unaudited" : "")
            role = .warning
        } else {
            state = .exact
            badge = " ✓ EXACT "
            detail = final ? "at \(which) (final)" : "as of \(which), \(age) ago"
            role = .ok
        }
    }
}
