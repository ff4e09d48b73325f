/// A runtime whose committed sink an independent recount can read (`SinkRecount`): the
/// engine's own runtimes. An attached Flink job is held against a recount of its own output
/// files instead.
public protocol SinkRecounting {
    /// Recounts the committed sink row by row from the source's pure function, through a
    /// connection of its own (call it after `finish`, while the engine is still open: the
    /// simulated sink lives in memory).
    /// - Throws: `SinkError` when the sink cannot be read or holds what the job cannot have.
    func recountSink() throws(SinkError) -> SinkRecount
}

extension ThreadedEngine: SinkRecounting {
    public func recountSink() throws(SinkError) -> SinkRecount { try SinkRecount.count(databasePath: sinkPath, config: config) }
}

extension SimulatedEngine: SinkRecounting {
    public func recountSink() throws(SinkError) -> SinkRecount { try SinkRecount.count(databasePath: sinkPath, config: config) }
}
