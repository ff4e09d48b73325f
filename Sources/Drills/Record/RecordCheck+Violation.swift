import Engine

extension RecordCheck {
    /// A figure the screen shows that may only grow.
    public enum Figure: String, Sendable, Equatable, CaseIterable {
        case committedTransfers = "sink committed transfers"
        case auditedTransfers = "audited transfers"
        case committedCheckpoint = "committed checkpoint"
        case auditedCheckpoint = "audited checkpoint"
        case newestCheckpoint = "newest checkpoint"
    }

    /// One broken promise of the screen, with where the record shows it: `before` and
    /// `after` are the indices of the frames around it (the same one when it has no other).
    public enum Violation: Sendable, Equatable {
        /// A figure that may only grow is lower in frame `after` than in frame `before` (nil: none shown).
        case figureWentBack(Figure, from: Int64?, to: Int64?, before: Int, after: Int)
        /// A node's restarts went down from one frame to the next.
        case restartsWentBack(node: Int, from: Int, to: Int, before: Int, after: Int)
        /// A frame shows a node in `health` that no event of the engine put it in within a frame of it.
        case shownWithoutEvent(node: Int, health: ClusterSnapshot.Health, before: Int, after: Int)
        /// A receipt step is stamped before the fault it tells of.
        case stepBeforeFault(receipt: Int, step: String, stepAt: Double, faultAt: Double, before: Int, after: Int)
        /// A `node-down` event that no receipt of a fault on that node, nor an unprovoked one, holds.
        case detectionWithoutReceipt(node: Int, at: Double, before: Int, after: Int)
        /// The verdict's age went down while the audited checkpoint stayed the same: the screen
        /// told a fresher verdict than it had.
        case verdictAgeReset(checkpoint: UInt64?, from: Double, to: Double, before: Int, after: Int)

        /// The frames around it (indices into the record's frames).
        public var frames: (before: Int, after: Int) {
            switch self {
            case let .figureWentBack(_, _, _, b, a), let .restartsWentBack(_, _, _, b, a), let .shownWithoutEvent(_, _, b, a),
                 let .stepBeforeFault(_, _, _, _, b, a), let .detectionWithoutReceipt(_, _, b, a), let .verdictAgeReset(_, _, _, b, a):
                (b, a)
            }
        }

        /// What broke, in one line.
        public var text: String {
            func id(_ v: Int64?) -> String { v.map(String.init) ?? "none" }
            switch self {
            case let .figureWentBack(figure, from, to, _, _):
                return "\(figure.rawValue) went back from \(id(from)) to \(id(to))"
            case let .restartsWentBack(node, from, to, _, _):
                return "node \(node)'s restarts went back from \(from) to \(to)"
            case let .shownWithoutEvent(node, health, _, _):
                return "node \(node) is shown \(health.rawValue), but no event of the engine within a frame made it \(health.rawValue)"
                    + (health == .down ? " (no node-down for it that no recovery had ended)" : health == .hung ? " (no 'hang \(node)' that no heal or kill had ended)" : "")
            case let .stepBeforeFault(receipt, step, stepAt, faultAt, _, _):
                return "receipt #\(receipt): step '\(step)' at \(RecordCheck.seconds(stepAt)) comes before its fault at \(RecordCheck.seconds(faultAt))"
            case let .detectionWithoutReceipt(node, at, _, _):
                return "node-down of node \(node) at \(RecordCheck.seconds(at)) is in no receipt of a fault on node \(node) and no unprovoked receipt of it"
            case let .verdictAgeReset(checkpoint, from, to, _, _):
                return "the verdict's age went from \(RecordCheck.seconds(from)) to \(RecordCheck.seconds(to)) with no newer audit (still checkpoint \(checkpoint.map(String.init) ?? "none"))"
            }
        }
    }
}
