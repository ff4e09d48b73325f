/// The Flink lab's payments job in closed form: transfer `id` moves `amount(id)` cents from
/// account `from(id)` to `to(id)`. The job's SQL computes the same three formulas
/// (`FlinkPaymentsJob.sql`), so the auditor knows every row the job must write without
/// reading its input.
public struct PaymentsLedger: Sendable, Equatable {
    public var accounts: Int

    public init(accounts: Int = 100) { self.accounts = max(2, accounts) }

    @inline(__always) public func from(_ id: Int64) -> Int { Int(id % Int64(accounts)) }
    @inline(__always) public func to(_ id: Int64) -> Int {
        let a = Int64(accounts)
        return Int((id % a + 1 + (id / a) % (a - 1)) % a)
    }
    @inline(__always) public func amount(_ id: Int64) -> Int64 { 1 + (id &* 7919) % 1000 }

    /// The SQL expressions of the three formulas over a column `id` (kept beside them so the
    /// two cannot drift apart: a test runs both).
    public var fromSQL: String { "CAST(t.id % \(accounts) AS INT)" }
    public var toSQL: String { "CAST((t.id % \(accounts) + 1 + (t.id / \(accounts)) % \(accounts - 1)) % \(accounts) AS INT)" }
    public var amountSQL: String { "(1 + (t.id * 7919) % 1000)" }
}
