import Foundation
@testable import Flink
import Testing

/// A directory of part files written by hand, as the payments job's sink would.
struct PartFiles {
    let dir: String
    let ledger = PaymentsLedger(accounts: 10)

    init() throws {
        dir = NSTemporaryDirectory() + "firedrill-ledger-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    /// The rows of transfers `ids` exactly as the job writes them, split by subtask
    /// (account parity); `balances` carries the running balances across calls.
    func rows(_ ids: Range<Int64>, balances: inout [Int64]) -> [Int: [String]] {
        var out: [Int: [String]] = [:]
        for id in ids {
            let f = ledger.from(id), t = ledger.to(id), a = ledger.amount(id)
            balances[f] -= a
            out[f % 2, default: []].append("\(id),\(f),\(-a),\(balances[f])")
            balances[t] += a
            out[t % 2, default: []].append("\(id),\(t),\(a),\(balances[t])")
        }
        return out
    }

    func write(_ name: String, _ lines: [String]) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
    }

    func clean() { try? FileManager.default.removeItem(atPath: dir) }
}

@Suite("The Flink auditor judges committed part files")
struct LedgerAuditorTests {
    @Test("the closed form never sends money to the account it came from")
    func closedForm() {
        for accounts in [2, 3, 10, 100] {
            let l = PaymentsLedger(accounts: accounts)
            for id in Int64(0)..<5000 {
                #expect(l.from(id) != l.to(id))
                #expect((1...1000).contains(l.amount(id)))
            }
        }
    }

    @Test("exact output is exact; the tail one subtask has not committed waits")
    func exact() throws {
        let p = try PartFiles()
        defer { p.clean() }
        var b = [Int64](repeating: 0, count: 10)
        let first = p.rows(0..<100, balances: &b)
        try p.write("part-u-0-0", first[0] ?? [])
        try p.write("part-u-1-0", first[1] ?? [])
        let a = LedgerAuditor(directory: p.dir, ledger: p.ledger)
        a.refresh()
        #expect(a.verdict.exact)
        #expect(a.verdict.transfers >= 98)
        let second = p.rows(100..<200, balances: &b)
        try p.write("part-u-0-1", second[0] ?? [])
        a.refresh()
        // Subtask 1 is behind: transfers past its frontier are not judged yet.
        #expect(a.verdict.transfers < 198)
        try p.write("part-u-1-1", second[1] ?? [])
        // In-progress files (a leading dot) are never read.
        try p.write(".part-u-0-2.inprogress.x", ["999,1,5,5"])
        a.refresh()
        #expect(a.verdict.exact, "\(a.verdict)")
        #expect(a.verdict.transfers >= 198)
        #expect(a.verdict.moneyConserved)
        #expect(a.verdict.files == 4)
    }

    @Test("a duplicated file, a gap, a wrong balance and a bad line are each found")
    func problems() throws {
        let p = try PartFiles()
        defer { p.clean() }
        var b = [Int64](repeating: 0, count: 10)
        let r = p.rows(0..<50, balances: &b)
        let even = r[0] ?? [], odd = r[1] ?? []
        // Duplicate: the same committed rows twice (a restore that rewrote them).
        try p.write("part-u-0-0", even)
        try p.write("part-u-1-0", odd)
        try p.write("part-v-1-0", Array(odd.prefix(3)))
        let a = LedgerAuditor(directory: p.dir, ledger: p.ledger)
        a.refresh(final: true)
        #expect(a.verdict.duplicated == 3)
        #expect(!a.verdict.exact)

        let q = try PartFiles()
        defer { q.clean() }
        var c = [Int64](repeating: 0, count: 10)
        let s = q.rows(0..<50, balances: &c)
        // Gap: transfer 10's rows never committed; transfer 20's balance is off by one.
        let evenGap = (s[0] ?? []).filter { !$0.hasPrefix("10,") }.map { $0.hasPrefix("20,") ? $0 + "1" : $0 }
        let oddGap = (s[1] ?? []).filter { !$0.hasPrefix("10,") }.map { $0.hasPrefix("20,") ? $0 + "1" : $0 }
        try q.write("part-u-0-0", evenGap + ["12,x,3,4"])
        try q.write("part-u-1-0", oddGap)
        let g = LedgerAuditor(directory: q.dir, ledger: q.ledger)
        g.refresh(final: true)
        #expect(g.verdict.missing == 1)
        #expect(g.verdict.lost == 2)
        #expect(g.verdict.wrong >= 1)
        #expect(g.verdict.malformed == 1)
        #expect(g.verdict.firstMalformed?.hasSuffix("part-u-0-0:\(evenGap.count + 1)") == true)
        #expect(g.verdict.firstProblem?.contains("transfer 10") == true)
        // A whole transfer missing moves no money: conservation holds, the gap does not.
        #expect(g.verdict.moneyConserved)
        #expect(!g.auditVerdict.exact)
    }
}
