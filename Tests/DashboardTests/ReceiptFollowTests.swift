@testable import Dashboard
@testable import Engine
import Testing

/// The receipt the operator chose stays chosen while new ones arrive; unprovoked receipts
/// (no fault injected) fold into one line per burst unless one of them is selected.
@Suite("Receipt selection and unprovoked bursts")
struct ReceiptFollowTests {
    static func receipts(_ n: Int, unprovoked: Set<Int> = [], start: Double = 10) -> [FaultReceipt] {
        (1...n).map { id in
            FaultReceipt(id: id, fault: unprovoked.contains(id) ? nil : .kill(id % 6), subject: .node(id % 6), at: start + Double(id))
        }
    }

    static func shown(_ r: [FaultReceipt]) -> [FaultReceipt] { ReceiptsPanel.visible(r, filter: nil) }

    @Test("untouched, the selection follows the newest; once moved it stays on its receipt as new ones arrive")
    func sticky() {
        var follow = ReceiptFollow()
        var selection = 0
        follow.apply(to: &selection, shown: Self.shown(Self.receipts(3)))
        #expect(selection == 0)
        follow.apply(to: &selection, shown: Self.shown(Self.receipts(4)))
        #expect(selection == 0, "the newest is followed")
        #expect(!follow.pinned)
        // The operator moves down to #3 (index 1 of 4).
        selection = 1
        follow.apply(to: &selection, shown: Self.shown(Self.receipts(4)))
        #expect(Self.shown(Self.receipts(4))[selection].id == 3)
        // Two more arrive: still #3.
        for n in [5, 6] {
            follow.apply(to: &selection, shown: Self.shown(Self.receipts(n)))
            #expect(Self.shown(Self.receipts(n))[selection].id == 3, "with \(n) receipts")
        }
        #expect(follow.pinned)
    }

    @Test("unprovoked receipts of one burst are one line; a selected one opens on its own")
    func bursts() throws {
        var s = Fixtures.snapshot()
        s.receipts = Self.receipts(6, unprovoked: [2, 3, 4, 5])
        let c = Fixtures.render(s)
        let line = try #require(Fixtures.find("#2–#5 4 unprovoked (no fault injected)", in: c))
        #expect(c.row(line.y).contains("nodes 2, 3, 4, 5"))
        #expect(Fixtures.find("#3 ", in: c) == nil, "no unprovoked receipt on its own line")
        #expect(Fixtures.find("#1 ", in: c) != nil, "a receipt of an injected fault keeps its own line")
        // Selecting #4 (index 2 from the newest) opens it and splits the burst around it.
        var state = DashboardState()
        state.receiptSelection = 2
        let open = Fixtures.render(s, state: state)
        #expect(Fixtures.find("▸ #4 ", in: open) != nil)
        #expect(Fixtures.find("#2–#3 2 unprovoked", in: open) != nil)
        #expect(Fixtures.find("4 unprovoked", in: open) == nil)
    }
}
