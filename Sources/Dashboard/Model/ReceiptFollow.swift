import Engine

/// Keeps the receipt the operator selected selected while new receipts arrive. The selection
/// (`DashboardState.receiptSelection`) counts from the newest receipt, so on its own it would
/// slide to another receipt each time one arrives: it follows the newest only until the
/// operator moves, then stays on the receipt they chose.
public struct ReceiptFollow: Sendable, Equatable {
    /// The selection's place and the receipt it was on, at the last frame.
    var lastIndex: Int?
    var lastID: Int?
    /// Whether the operator has moved the selection (from then on it stays on its receipt).
    public private(set) var pinned = false

    public init() {}

    /// Once a frame, with the receipts shown (newest first): moves `selection` with the receipt
    /// it was on when new receipts arrived.
    public mutating func apply(to selection: inout Int, shown: [FaultReceipt]) {
        guard !shown.isEmpty else {
            lastIndex = nil
            lastID = nil
            return
        }
        if let li = lastIndex, selection != li { pinned = true }
        if pinned, selection == lastIndex, let id = lastID, let found = shown.firstIndex(where: { $0.id == id }) {
            selection = found
        }
        selection = min(max(0, selection), shown.count - 1)
        lastIndex = selection
        lastID = shown[selection].id
    }
}
