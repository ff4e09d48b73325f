import ArgumentParser
import Engine

/// The job flags `run`, the dashboard and the benchmarks share.
struct JobOptions: ParsableArguments {
    @Option(help: "Nodes in the cluster (1-64).")
    var nodes: Int = 6

    @Option(help: "Source partitions (default: twice the nodes).")
    var partitions: Int?

    @Option(help: "Accounts (keyed state).")
    var accounts: Int = 10_000

    @Option(parsing: .unconditional, help: "Transfers per second over all partitions, or 'max'.")
    var rate: String = "max"

    /// Where the job keeps its data unless told otherwise.
    static let defaultData = "./firedrill-data"

    @Option(help: "Data directory (node disks, manifests, sink.db).")
    var data: String = defaultData

    @Option(help: "Reed-Solomon coding of checkpoints as K+M (K data, M parity shards).")
    var ec: String = "4+2"

    @Option(name: .customLong("checkpoint-interval"), help: "Time between checkpoints (e.g. 1s, 500ms), or 'off'.")
    var checkpointInterval: String = "1s"

    @Option(help: "Seed of the source: the same seed gives the same transfers.")
    var seed: UInt64 = 1

    /// The configuration, or a usage error naming the flag.
    func config() throws -> JobConfig {
        var c = JobConfig()
        c.nodes = nodes
        c.partitions = partitions ?? nodes * 2
        c.accounts = accounts
        c.seed = seed
        if rate != "max" {
            guard let r = Double(rate), r > 0, r.isFinite else { throw ValidationError("--rate must be a positive number of transfers per second or 'max', got '\(rate)'") }
            c.rate = r
        }
        let parts = ec.split(separator: "+")
        guard parts.count == 2, let k = Int(parts[0]), let m = Int(parts[1]) else {
            throw ValidationError("--ec must look like K+M (for example 4+2), got '\(ec)'")
        }
        c.dataShards = k
        c.parityShards = m
        if checkpointInterval == "off" {
            c.checkpointInterval = nil
        } else {
            guard let s = DurationText.parse(checkpointInterval) else {
                throw ValidationError("--checkpoint-interval must be a duration like 1s or 500ms, or 'off'; got '\(checkpointInterval)'")
            }
            c.checkpointInterval = s
        }
        do { try c.validate() } catch { throw ValidationError(error.description) }
        return c
    }
}
