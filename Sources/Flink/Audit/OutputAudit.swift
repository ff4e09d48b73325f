import Engine

/// A judge of a job's committed output, read again and again while the job runs: the lab's
/// payments auditor, an `--audit` spec over any job's files, or a user's `--audit-command`.
/// Each answers in one verdict shape, so the badge, receipts and drills read them alike.
public protocol OutputAudit: AnyObject, Sendable {
    /// Reads what was committed since the last call; `final`: the job ended.
    @discardableResult func refresh(final: Bool) -> Int
    /// The counts so far.
    var verdict: LedgerAuditor.Verdict { get }
    /// The verdict in the embedded engine's shape (the dashboard's header reads it).
    var auditVerdict: AuditVerdict { get }
    /// Why there is no verdict to trust (the command failed, the directory is gone); nil: none.
    var failure: String? { get }
}

extension LedgerAuditor: OutputAudit {
    public var failure: String? { nil }
}

extension LedgerAuditor.Verdict {
    /// The engine's verdict shape for a verdict with no money in it.
    public var plainAuditVerdict: AuditVerdict {
        var a = AuditVerdict.initial(expectedMoney: 0)
        a.exact = exact
        a.lost = lost
        a.duplicated = duplicated
        a.moneyConserved = moneyConserved
        a.committedTransfers = transfers
        return a
    }
}
