/// The threaded engine's side of the live verdict: the audit lag bound's books, and how far
/// the auditor may work ahead.
extension ThreadedEngine {
    /// Source offsets per partition as the nodes last published them (a little behind).
    func publishedOffsets(_ s: StatusBoard.State) -> [Int64] {
        var offsets = [Int64](repeating: 0, count: config.partitions)
        for (i, n) in s.nodes.enumerated() {
            for (j, p) in config.partitions(of: i).enumerated() where j < n.offsets.count { offsets[p] = n.offsets[j] }
        }
        return offsets
    }

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

    /// Changes the audit lag bound's books and lets the sources go, or holds them, as it
    /// says now.
    func proof(_ change: (inout AuditGate) -> Void) {
        let now = clock.nanos()
        let hold = board.state.withLock { s in
            change(&s.gate)
            if s.gate.holdsSources != (s.heldSince != nil) {
                if let since = s.heldSince { s.heldNanos += now &- since; s.heldSince = nil } else { s.heldSince = now }
            }
            if let oldest = s.gate.open.first?.id { s.barrierHints = s.barrierHints.filter { $0.key >= oldest } } else { s.barrierHints.removeAll() }
            return s.gate.holdsSources
        }
        let was = heldForAudit.exchange(hold, ordering: .relaxed)
        if was && !hold { for h in handles { h.signal.wake() } }
    }
}
