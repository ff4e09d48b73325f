import Engine
import Foundation

/// An independent check of the Flink payments job's committed output. It reads only
/// committed part files (never the in-progress ones, whose names start with `.`), each once
/// (a committed file never changes), and judges transfers in id order up to the frontier
/// every sink subtask has committed past: each must have its two legs exactly once, with the
/// closed-form account and amount and the running balance the account must have after it.
public final class LedgerAuditor: @unchecked Sendable {
    /// The verdict so far.
    public struct Verdict: Sendable, Equatable, Codable {
        /// Transfers judged (every id below `judgedThrough`).
        public var transfers: Int64 = 0
        /// Legs missing (a transfer whose row never came: a gap).
        public var lost: Int64 = 0
        /// Legs present more than once.
        public var duplicated: Int64 = 0
        /// Legs with the wrong account, amount or running balance.
        public var wrong: Int64 = 0
        /// Transfers with no committed leg at all.
        public var missing: Int64 = 0
        /// Accounts with at least one wrong row.
        public var accountsWrong: Int = 0
        /// The judged legs sum to zero (money moves, it is never made or lost).
        public var moneyConserved = true
        public var committedMoney: Int64 = 0
        /// Committed part files read, and rows in them.
        public var files = 0
        public var rows: Int64 = 0
        /// Lines that are not `id,account,delta,balance` (file:line of the first).
        public var malformed: Int = 0
        public var firstMalformed: String? = nil
        /// The first wrong thing seen, in words.
        public var firstProblem: String? = nil

        public var exact: Bool { lost == 0 && duplicated == 0 && wrong == 0 && malformed == 0 && moneyConserved }

        public init() {}
    }

    public let directory: String
    public let ledger: PaymentsLedger
    public private(set) var verdict = Verdict()
    var readFiles: Set<String> = []
    /// The committed part files read so far (names in the directory), in the order read.
    public private(set) var filesRead: [String] = []
    /// Per file read, the highest transfer id in it (its rows are proven once `next` passes it).
    public private(set) var fileMaxId: [String: Int64] = [:]
    /// Rows not yet judged, by transfer id.
    var pending: [Int64: [(account: Int, delta: Int64, balance: Int64)]] = [:]
    /// Per sink subtask (from the part file's name), the highest id it committed.
    var frontierBySubtask: [Int: Int64] = [:]
    /// The next transfer to judge.
    public private(set) var next: Int64 = 0
    var balances: [Int64]
    var wrongAccounts: Set<Int> = []

    public init(directory: String, ledger: PaymentsLedger) {
        self.directory = directory
        self.ledger = ledger
        balances = Array(repeating: 0, count: ledger.accounts)
    }

    /// Reads the part files committed since the last call and judges what became complete.
    /// `final`: the job ended; judge everything read. Returns the number of new files.
    @discardableResult
    public func refresh(final: Bool = false) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var fresh = 0
        for name in names.sorted() where !name.hasPrefix(".") && name.hasPrefix("part-") && !readFiles.contains(name) {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
            readFiles.insert(name)
            filesRead.append(name)
            fresh += 1
            verdict.files += 1
            read(data, file: name, subtask: Self.subtask(of: name))
        }
        judge(through: final ? (pending.keys.max() ?? next - 1) : frontier())
        return fresh
    }

    /// `part-<uuid>-<subtask>-<count>[.ext]`: the subtask index.
    static func subtask(of name: String) -> Int {
        let parts = name.split(separator: "-")
        guard parts.count >= 3 else { return -1 }
        return Int(parts[parts.count - 2]) ?? -1
    }

    func frontier() -> Int64 {
        guard let low = frontierBySubtask.values.min() else { return next - 1 }
        return low
    }

    func read(_ data: Data, file: String, subtask: Int) {
        var line = 0
        var maxId: Int64 = -1
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var fields = [Int64](repeating: 0, count: 4)
            var field = 0, value: Int64 = 0, negative = false, digits = 0, bad = false
            func endLine() {
                line += 1
                if field == 3 && digits > 0 && !bad {
                    fields[3] = negative ? -value : value
                    take(id: fields[0], account: fields[1], delta: fields[2], balance: fields[3])
                    maxId = max(maxId, fields[0])
                } else if field > 0 || digits > 0 || bad {
                    verdict.malformed += 1
                    if verdict.firstMalformed == nil { verdict.firstMalformed = "\(directory)/\(file):\(line)" }
                }
                field = 0; value = 0; negative = false; digits = 0; bad = false
            }
            for byte in raw {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    if digits > 18 { bad = true }
                    value = value &* 10 &+ Int64(byte - 48); digits += 1
                case UInt8(ascii: "-") where digits == 0 && !negative: negative = true
                case UInt8(ascii: ","):
                    if digits == 0 || field >= 3 { bad = true } else { fields[field] = negative ? -value : value; field += 1 }
                    value = 0; negative = false; digits = 0
                case UInt8(ascii: "\n"): endLine()
                case UInt8(ascii: "\r"): break
                default: bad = true
                }
            }
            if field > 0 || digits > 0 { endLine() }
        }
        if subtask >= 0, maxId >= 0 { frontierBySubtask[subtask] = max(frontierBySubtask[subtask] ?? -1, maxId) }
        fileMaxId[file] = maxId
    }

    func take(id: Int64, account: Int64, delta: Int64, balance: Int64) {
        verdict.rows += 1
        guard id >= 0, account >= 0, account < Int64(ledger.accounts) else {
            note(wrong: "a row of transfer \(id) names account \(account): accounts are 0-\(ledger.accounts - 1)")
            verdict.wrong += 1
            return
        }
        if id < next {
            // Judged already: a row committed again after its transfer was proven.
            verdict.duplicated += 1
            note(wrong: "transfer \(id) committed again after it was judged")
            return
        }
        pending[id, default: []].append((Int(account), delta, balance))
    }

    func note(wrong: String) { if verdict.firstProblem == nil { verdict.firstProblem = wrong } }

    func judge(through last: Int64) {
        guard last >= next else { return }
        var id = next
        while id <= last {
            let from = ledger.from(id), to = ledger.to(id), amount = ledger.amount(id)
            balances[from] -= amount
            balances[to] += amount
            let rows = pending.removeValue(forKey: id) ?? []
            verdict.transfers += 1
            if rows.isEmpty {
                verdict.missing += 1
                verdict.lost += 2
                note(wrong: "transfer \(id) is missing (a gap)")
            } else {
                for (account, expectedDelta) in [(from, -amount), (to, amount)] {
                    let mine = rows.filter { $0.account == account }
                    if mine.isEmpty { verdict.lost += 1; note(wrong: "transfer \(id) has no leg on account \(account)"); continue }
                    if mine.count > 1 { verdict.duplicated += Int64(mine.count - 1); note(wrong: "transfer \(id) has account \(account)'s leg \(mine.count) times") }
                    if let r = mine.first, r.delta != expectedDelta || r.balance != balances[account] {
                        verdict.wrong += 1
                        wrongAccounts.insert(account)
                        note(wrong: "transfer \(id), account \(account): committed \(r.delta) → balance \(r.balance), expected \(expectedDelta) → \(balances[account])")
                    }
                }
                let strays = rows.filter { $0.account != from && $0.account != to }.count
                if strays > 0 { verdict.wrong += Int64(strays); note(wrong: "transfer \(id) has a leg on an account it does not touch") }
            }
            for r in rows { verdict.committedMoney += r.delta }
            id += 1
        }
        next = last + 1
        verdict.accountsWrong = wrongAccounts.count
        verdict.moneyConserved = verdict.committedMoney == 0
    }

    /// The verdict in the embedded engine's shape (the dashboard's header reads it).
    public var auditVerdict: AuditVerdict {
        var a = verdict.plainAuditVerdict
        a.mismatchedAccounts = verdict.accountsWrong
        a.committedMoney = verdict.committedMoney
        return a
    }
}
