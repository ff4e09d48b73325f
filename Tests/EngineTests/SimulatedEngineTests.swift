@testable import Engine
import Testing

/// A small, throttled job that checkpoints often, for fast simulated runs.
func simConfig(nodes: Int = 6) -> JobConfig {
    var c = JobConfig()
    c.nodes = nodes
    c.partitions = nodes * 2
    c.accounts = 500
    c.rate = 200_000
    c.batchSize = 64
    c.channelCapacity = 8
    c.checkpointInterval = 0.05
    return c
}

@Suite("Simulated runtime")
struct SimulatedEngineTests {
    @Test("a simulated run checkpoints, commits and audits exactly")
    func runsExactly() throws {
        let sim = try SimulatedEngine(config: simConfig(), seed: 1)
        sim.run(for: 0.5)
        let v = sim.finish()
        #expect(v.exact)
        #expect(v.moneyConserved)
        #expect(v.lost == 0 && v.duplicated == 0)
        #expect(v.committedTransfers == sim.produced)
        #expect(sim.produced > 50_000)
        #expect(sim.checkpoints.filter { $0.status == .complete }.count >= 5)
    }

    @Test("the same seed gives the same trace; another seed another")
    func deterministic() throws {
        func trace(_ seed: UInt64) throws -> [String] {
            let sim = try SimulatedEngine(config: simConfig(), seed: seed)
            sim.run(for: 0.3)
            sim.finish()
            return sim.trace
        }
        let a = try trace(42), b = try trace(42), c = try trace(43)
        #expect(a == b)
        #expect(a != c)
        #expect(a.count > 10)
    }

    @Test("a restart on the same disk and sink restores the newest checkpoint and stays exact")
    func restart() throws {
        let disk = MemoryDisk()
        let first = try SimulatedEngine(config: simConfig(), seed: 5, disk: disk)
        first.run(for: 0.3)  // stops mid-flight: no final checkpoint, like a crash
        let committed = first.verdict.checkpoint
        #expect(committed != nil)
        let second = try SimulatedEngine(config: simConfig(), seed: 6, disk: disk, sinkName: first.sinkName)
        #expect(second.restoredFrom != nil)
        #expect(second.restoredFrom! >= committed!)
        second.run(for: 0.3)
        let v = second.finish()
        #expect(v.exact && v.moneyConserved)
        // Everything read, before the restart and after, is committed exactly once.
        #expect(v.committedTransfers == second.cores.reduce(0) { $0 + $1.offsets.reduce(0, +) })
        #expect(v.committedTransfers > second.produced)
        _ = first
    }
}

@Suite("Simulated faults")
struct ChaosSoakTests {
    @Test("a kill in the simulated runtime is detected and recovered from a standby copy")
    func simulatedKill() throws {
        let sim = try SimulatedEngine(config: simConfig(), seed: 3)
        sim.run(for: 0.3)
        try sim.apply(.kill(2))
        sim.run(for: 0.5)
        #expect(sim.events.contains { $0.kind == .detection && $0.message.contains("node 2") })
        let r = try #require(sim.recoveries.first)
        #expect(r.sources.contains("node 2: standby copy on node 3"), "\(r.sources)")
        #expect((r.detect ?? 9) < 0.3)
        let v = sim.finish()
        #expect(v.exact && v.moneyConserved)
    }

    @Test("a partitioned node stops reading once its links are full, as behind a dead socket; it does not read into the void")
    func partitionedStopsReading() throws {
        var config = simConfig()
        config.rate = 2_000_000  // a queue's worth (4 frames of 64 to each of 6 nodes) is far less than 0.1 s of reading
        config.channelCapacity = 4
        let sim = try SimulatedEngine(config: config, seed: 5)
        sim.run(for: 0.3)
        let before = sim.drivers[2].core.produced
        sim.run(for: 0.1)
        let healthy = sim.drivers[2].core.produced - before
        try sim.apply(.partition(2))
        let cut = sim.drivers[2].core.produced
        sim.run(for: 0.1)  // before the detector's 186 ms of silence (its last beat may be 50 ms old)
        let partitioned = sim.drivers[2].core.produced - cut
        #expect(healthy > 10_000, "\(healthy)")
        // At most a queue's worth to each node, and the batch it was reading (2,368 before).
        #expect(partitioned <= 4 * 6 * 64 + 64, "read \(partitioned) while cut off, \(healthy) in as long before")
        try sim.apply(.heal(nil))
        sim.run(for: 0.5)
        let v = sim.finish()
        #expect(v.exact && v.moneyConserved)
    }

    @Test("with standby copies that land late, a node lost just after a checkpoint has none of it: its restore reads the shards, exact")
    func lateStandby() throws {
        func killJustAfterCheckpoint(delay: Double) throws -> [String] {
            let sim = try SimulatedEngine(config: simConfig(), seed: 3)
            sim.standbyDelay = delay
            sim.run(for: 0.3)
            let done = sim.checkpoints.filter { $0.status == .complete }.count
            while sim.checkpoints.filter({ $0.status == .complete }).count == done { sim.run(for: 0.001) }
            try sim.apply(.kill(2))
            sim.run(for: 0.5)
            let v = sim.finish()
            #expect(v.exact && v.moneyConserved)
            return try #require(sim.recoveries.first).sources
        }
        let atOnce = try killJustAfterCheckpoint(delay: 0)
        #expect(atOnce.contains("node 2: standby copy on node 3"), "\(atOnce)")
        let late = try killJustAfterCheckpoint(delay: 1.0)  // longer than the detection takes
        #expect(!late.contains { $0.hasPrefix("node 2: standby") }, "\(late)")
    }

    @Test("a recovery during a slow checkpoint write gives that checkpoint up: it is removed when the write lands, never committed, exact")
    func slowWrite() throws {
        let sim = try SimulatedEngine(config: simConfig(), seed: 5)
        sim.writeDelay = 1.0  // far longer than a detection: a write is under way at the kill
        // A checkpoint stored, and the next being written for at least 0.5 s more.
        func writing() -> Bool { sim.writesInFlight.first.map { $0.due > sim.clock.nanos() + 500_000_000 } ?? false }
        while sim.checkpoints.filter({ $0.status == .complete }).isEmpty || !writing() { sim.run(for: 0.01) }
        let writing = try #require(sim.writesInFlight.first?.job.state.checkpoint)
        try sim.apply(.kill(2))
        sim.run(for: 0.5)
        let recovery = try #require(sim.recoveries.first)
        let given = sim.checkpoints.filter { $0.status == .failed && $0.note == EngineEvent.CheckpointFailure.abandonedByRecovery.text }.map(\.id)
        #expect(given.contains(writing), "\(sim.checkpoints)")
        #expect((recovery.checkpoint ?? 0) < writing)
        sim.run(for: 2.5)  // every write under way lands
        #expect(sim.writesInFlight.isEmpty || sim.writesInFlight.allSatisfy { $0.job.state.checkpoint > writing })
        #expect(try !sim.store.checkpointIDs().contains(writing))
        let v = sim.finish()
        #expect(v.exact && v.moneyConserved)
    }

    @Test("with nothing stored yet, a recovery waits for the write under way rather than start the job over")
    func slowFirstWrite() throws {
        let sim = try SimulatedEngine(config: simConfig(), seed: 5)
        sim.writeDelay = 1.0
        while sim.writesInFlight.isEmpty { sim.run(for: 0.01) }
        let writing = try #require(sim.writesInFlight.first?.job.state.checkpoint)
        try sim.apply(.kill(2))
        sim.run(for: 0.5)
        #expect(try #require(sim.recoveries.first).checkpoint == writing)
        #expect(sim.finish().exact)
    }

    @Test("losing more shards than parity falls back to the previous checkpoint and says so")
    func beyondTolerance() throws {
        let sim = try SimulatedEngine(config: simConfig(), seed: 4, replicas: 0)
        sim.run(for: 0.3)
        for s in 0..<3 { try sim.apply(.deleteShard(.latest, s)) }
        try sim.apply(.kill(1))
        sim.run(for: 0.5)
        #expect(sim.events.contains { $0.message.contains("unrecoverable") && $0.message.contains("rolled back to checkpoint") })
        let v = sim.finish()
        #expect(v.exact && v.moneyConserved)
    }
}
