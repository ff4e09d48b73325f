import Foundation

/// A second, independent count of the payments job's committed output, to check the live
/// auditor against: it reads the given part files whole (split into lines and fields with
/// the standard library, not the auditor's byte scanner), groups every row by transfer and
/// account, and replays the ledger for transfers `0..<through` in one pass. What a drill
/// compares to decide whether firedrill told the truth about what Flink committed.
public struct LedgerRecount: Sendable, Equatable {
    public var transfers: Int64 = 0
    public var lost: Int64 = 0
    public var duplicated: Int64 = 0
    public var wrong: Int64 = 0
    public var missing: Int64 = 0
    public var malformed: Int = 0

    public init() {}

    /// Recounts `files` (names in `directory`, in the order given: the auditor's, so that of
    /// two rows of one leg both take the same one as first) for transfers below `through`.
    public static func count(directory: String, files: some Sequence<String>, through: Int64, ledger: PaymentsLedger) -> LedgerRecount {
        var r = LedgerRecount()
        // (id, account) → the rows' (delta, balance), in file and line order.
        var legs: [Int64: [(account: Int64, delta: Int64, balance: Int64)]] = [:]
        for name in files {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map { Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                guard f.count == 4, let id = f[0], let account = f[1], let delta = f[2], let balance = f[3] else { r.malformed += 1; continue }
                guard id >= 0, account >= 0, account < Int64(ledger.accounts) else { r.wrong += 1; continue }
                if id < through { legs[id, default: []].append((account, delta, balance)) }
            }
        }
        var balances = [Int64](repeating: 0, count: ledger.accounts)
        for id in 0..<max(0, through) {
            let from = ledger.from(id), to = ledger.to(id), amount = ledger.amount(id)
            balances[from] -= amount
            balances[to] += amount
            r.transfers += 1
            let rows = legs[id] ?? []
            if rows.isEmpty { r.missing += 1; r.lost += 2; continue }
            for (account, delta) in [(from, -amount), (to, amount)] {
                let mine = rows.filter { $0.account == Int64(account) }
                guard let first = mine.first else { r.lost += 1; continue }
                r.duplicated += Int64(mine.count - 1)
                if first.delta != delta || first.balance != balances[account] { r.wrong += 1 }
            }
            r.wrong += Int64(rows.filter { $0.account != Int64(from) && $0.account != Int64(to) }.count)
        }
        return r
    }

    /// Whether the live auditor's verdict says the same.
    public func agrees(with v: LedgerAuditor.Verdict) -> Bool {
        transfers == v.transfers && lost == v.lost && duplicated == v.duplicated && wrong == v.wrong && missing == v.missing && malformed == v.malformed
    }

    /// `transfers, lost, duplicated, wrong, missing` for a report.
    public var summary: String { "\(transfers) transfers: \(lost) lost, \(duplicated) duplicated, \(wrong) wrong, \(missing) missing" }
}
