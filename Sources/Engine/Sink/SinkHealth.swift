/// What the sink's readers found wrong with its file, for the commit path to heal: the
/// auditor's read failing with `SQLITE_CORRUPT`, or its periodic `PRAGMA quick_check`
/// finding a damaged page. The commit thread takes the report before its next commit and
/// rebuilds the sink from the checkpoint it is about to commit.
final class SinkHealth: Sendable {
    private let found = EngineMutex<String?>(nil)

    /// Records damage (the first report stands until it is taken).
    func report(_ why: String) { found.withLock { if $0 == nil { $0 = why } } }

    /// The damage reported since the last call, if any.
    func take() -> String? { found.withLock { f in defer { f = nil }; return f } }
}
