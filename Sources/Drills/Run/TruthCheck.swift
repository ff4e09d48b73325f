import Engine

/// The final verdict held against a second oracle: an independent recount of the sink
/// (`SinkRecount`, which shares none of the auditor's code path), on every drill the
/// engine runs, headless or live, and every seed of the soak. A drill on an attached Flink
/// job has its own (`tells_truth` from `FlinkJudge`, against a recount of its files).
public enum TruthCheck {
    /// The most committed transfers the recount replays (it takes each one from the source's
    /// pure function, one at a time: about a second per 50 M in a release build).
    public static let limit: Int64 = 100_000_000

    /// The `tells_truth` expectation for `verdict`, the engine's final audit, by recounting
    /// `engine`'s sink now (after `finish`, before the engine is closed), and by holding the
    /// sink's epochs against the checkpoints that failed before they were stored, and the
    /// shards the scrubber said it repaired against the disk. nil for a
    /// runtime whose sink the recount cannot read.
    public static func judge(_ verdict: AuditVerdict, engine: any EngineRuntime) -> ExpectationVerdict? {
        guard let sink = engine as? any SinkRecounting else { return nil }
        let expected = "the final audit matches an independent recount of the sink"
        if verdict.committedTransfers > limit {
            return ExpectationVerdict(name: "tells_truth", expected: expected,
                                      measured: "not recounted: \(verdict.committedTransfers) transfers committed, more than the \(limit) the recount replays", passed: true)
        }
        do throws(SinkError) {
            let recount = try sink.recountSink()
            if let why = recount.disagreement(with: verdict) {
                return ExpectationVerdict(name: "tells_truth", expected: expected, measured: "DISAGREES: \(why)", passed: false)
            }
            // The second phase of the commit runs only after the first: an epoch of a
            // checkpoint that never stored was made visible without being durable.
            let snapshot = engine.snapshot()
            let neverStored = Set(snapshot.checkpointsNeverStored)
            if let bad = recount.epochs.first(where: { neverStored.contains($0) }) {
                return ExpectationVerdict(name: "tells_truth", expected: expected,
                                          measured: "DISAGREES: the sink holds epoch \(bad), a checkpoint that failed before it was stored", passed: false)
            }
            // A shard the scrubber said it rewrote, with no fault aimed at it since, must be
            // whole on disk: the event claimed a repair the disk has to show.
            var repairsHeld = 0
            if let shards = engine as? any StoredShardChecking {
                for s in snapshot.shardsReportedRepaired {
                    switch shards.storedShardHealth(s) {
                    case nil: continue
                    case .ok?: repairsHeld += 1
                    case .missing?, .corrupt?:
                        return ExpectationVerdict(name: "tells_truth", expected: expected,
                                                  measured: "DISAGREES: shard \(s.shard) of checkpoint \(s.checkpoint) on node \(s.node) was reported repaired and is not whole on disk", passed: false)
                    }
                }
            }
            let of = recount.checkpoint.map { "epoch \($0)" } ?? "nothing committed"
            let repairs = repairsHeld > 0 ? ", \(repairsHeld) repaired shards whole on disk" : ""
            return ExpectationVerdict(name: "tells_truth", expected: expected,
                                      measured: "agrees: \(of), \(recount.rows) rows, \(recount.transfers) transfers replayed one by one, \(recount.mismatchedAccounts) accounts wrong\(repairs)",
                                      passed: true)
        } catch {
            return ExpectationVerdict(name: "tells_truth", expected: expected, measured: "the recount cannot read the sink: \(error.description)", passed: false)
        }
    }
}
