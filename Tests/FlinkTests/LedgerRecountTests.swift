import Foundation
@testable import Flink
import Testing

@Suite("An independent recount checks the live auditor")
struct LedgerRecountTests {
    @Test("on exact output, and on a duplicate, a gap, a wrong balance and a bad line, the recount and the auditor agree")
    func agrees() throws {
        let p = try PartFiles()
        defer { p.clean() }
        var b = [Int64](repeating: 0, count: 10)
        let r = p.rows(0..<300, balances: &b)
        try p.write("part-u-0-0", r[0] ?? [])
        try p.write("part-u-1-0", r[1] ?? [])
        let a = LedgerAuditor(directory: p.dir, ledger: p.ledger)
        a.refresh()
        let clean = LedgerRecount.count(directory: p.dir, files: a.filesRead, through: a.next, ledger: p.ledger)
        #expect(clean.agrees(with: a.verdict), "\(clean) vs \(a.verdict)")
        #expect(clean.transfers == a.verdict.transfers && clean.transfers > 250)

        // A later commit repeats rows (a restore that rewrote them), loses one transfer and
        // carries a wrong balance and a line that is not a row.
        var b2 = b
        let more = p.rows(300..<400, balances: &b2)
        let even = (more[0] ?? []).filter { !$0.hasPrefix("333,") }.map { $0.hasPrefix("350,") ? $0 + "7" : $0 }
        let odd = (more[1] ?? []).filter { !$0.hasPrefix("333,") }.map { $0.hasPrefix("350,") ? $0 + "7" : $0 }
        try p.write("part-u-0-1", even + ["not,a,row"])
        try p.write("part-u-1-1", odd + Array((r[1] ?? []).suffix(4)))
        a.refresh()
        let damaged = LedgerRecount.count(directory: p.dir, files: a.filesRead, through: a.next, ledger: p.ledger)
        #expect(!a.verdict.exact)
        #expect(a.verdict.missing == 1 && a.verdict.duplicated == 4 && a.verdict.wrong >= 1 && a.verdict.malformed == 1, "\(a.verdict)")
        #expect(damaged.agrees(with: a.verdict), "\(damaged.summary) vs \(a.verdict)")
    }

    @Test("a recount that differs says so")
    func disagrees() throws {
        let p = try PartFiles()
        defer { p.clean() }
        var b = [Int64](repeating: 0, count: 10)
        let r = p.rows(0..<100, balances: &b)
        try p.write("part-u-0-0", r[0] ?? [])
        try p.write("part-u-1-0", r[1] ?? [])
        let a = LedgerAuditor(directory: p.dir, ledger: p.ledger)
        a.refresh()
        // The files change under the auditor after it judged them: the recount sees it.
        try p.write("part-u-1-0", Array((r[1] ?? []).dropFirst(5)))
        let re = LedgerRecount.count(directory: p.dir, files: a.filesRead, through: a.next, ledger: p.ledger)
        #expect(!re.agrees(with: a.verdict))
        #expect(re.lost > 0)
    }
}
