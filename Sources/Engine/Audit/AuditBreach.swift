/// An invariant of the committed sink that holds whatever the balances are, checked beside
/// the auditor's row-by-row comparison as a second, cheap oracle: a bug in the comparison
/// itself still trips one of these.
public enum AuditBreach: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Every transfer is one debit and one credit: the update counts of all committed rows
    /// must add up to twice the committed transfers.
    case updatesNotTwiceTransfers(updates: Int64, transfers: Int64)
    /// A partition's committed offset went back between two audited epochs with no
    /// rebuild of the sink between them (offsets only move forward while epochs add up).
    case offsetWentBack(partition: Int, from: Int64, to: Int64)

    public var description: String {
        switch self {
        case let .updatesNotTwiceTransfers(updates, transfers):
            "committed rows count \(updates) updates for \(transfers) transfers (must be \(2 * transfers))"
        case let .offsetWentBack(partition, from, to): "partition \(partition)'s committed offset went back from \(from) to \(to)"
        }
    }
}
