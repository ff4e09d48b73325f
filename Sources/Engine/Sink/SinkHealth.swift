/// What the sink's readers found wrong with its file, for the commit path to heal: the
/// auditor's read failing with `SQLITE_CORRUPT`, or its periodic `PRAGMA quick_check`
/// finding a damaged page. The commit thread takes the report before its next commit and
/// rebuilds the sink from the checkpoint it is about to commit. Each rebuild starts a new
/// generation: a report from a read that began before it (of the old, damaged pages) is
/// dropped, so one rot is healed once.
final class SinkHealth: Sendable {
    private struct State {
        var generation = 0
        var found: String?
    }
    private let state = EngineMutex(State())

    /// The generation a read starting now belongs to.
    var generation: Int { state.withLock { $0.generation } }

    /// Records damage a read of `generation` found (the first report stands until taken).
    func report(_ why: String, generation: Int) {
        state.withLock { s in if s.generation == generation && s.found == nil { s.found = why } }
    }

    /// The damage reported since the last call, if any.
    func take() -> String? { state.withLock { s in defer { s.found = nil }; return s.found } }

    /// A rebuild is done: reports of reads that began before it are stale.
    func rebuilt() { state.withLock { s in s.generation += 1; s.found = nil } }
}
