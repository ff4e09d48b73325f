/// The threaded engine's side of the live verdict: the audit lag bound's books, and how far
/// the auditor may work ahead.
extension ThreadedEngine {
    /// How far the auditor may regenerate ahead: up to the offsets published before the
    /// barrier of the oldest checkpoint still to be audited (which are at most that
    /// checkpoint's own, so the work is never wasted); with none open, what the nodes
    /// have read so far.
    func lookaheadCeiling() -> [Int64]? {
        // Without checkpoints nothing is committed until the end: no audit to prepare for.
        guard config.checkpointInterval != nil else { return nil }
        return board.state.withLock { s in
            if let first = s.gate.open.first { return s.barrierHints[first.id] }
            return publishedOffsets(s)
        }
    }
}
