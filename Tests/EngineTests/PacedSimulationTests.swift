@testable import Engine
import Testing

/// The simulated runtime at a person's pace: speed within 0.1×–10×, pause, one event at a time.
@Suite("Paced simulation")
struct PacedSimulationTests {
    @Test("a speed outside 0.1×–10× is refused with the range and changes nothing; steps go 0.1 … 10")
    func speed() throws {
        let p = try PacedSimulation(config: simConfig(), seed: 1, replicas: 1)
        #expect(throws: SpeedError(speed: 20)) { try p.setSpeed(20) }
        #expect(SpeedError(speed: 20).description == "speed 20× is outside 0.1×–10×")
        #expect(SpeedError(speed: 0.05).description == "speed 0.05× is outside 0.1×–10×")
        #expect(p.speed == 1)
        try p.setSpeed(0.5)
        #expect(p.speed == 0.5)
        #expect(p.stepSpeed(faster: true) == 1 && p.stepSpeed(faster: true) == 2)
        for _ in 0..<10 { _ = p.stepSpeed(faster: true) }
        #expect(p.speed == 10)
        for _ in 0..<10 { _ = p.stepSpeed(faster: false) }
        #expect(p.speed == 0.1)
        _ = p.finish()
    }

    @Test("paused, time stands still; a step runs to exactly the next event and stops there")
    func pauseAndStep() throws {
        let p = try PacedSimulation(config: simConfig(), seed: 1, replicas: 1)
        p.setPaused(true)
        p.start()
        sleepNanos(100_000_000)
        #expect(p.uptime == 0)
        #expect(p.snapshot().events.count == 1)  // started
        p.setPaused(false)
        while p.uptime < 0.5 { sleepNanos(10_000_000) }  // heartbeats for the detector to learn from
        p.setPaused(true)
        let killedAt = p.uptime
        try p.apply(.kill(1))
        var steps: [EngineEvent] = []
        while steps.count < 20, !steps.contains(where: { $0.name == "node-down" }) {
            let events = p.stepToNextEvents(maxSeconds: 10)
            guard let first = events.first else { break }
            #expect(p.snapshot().events.suffix(events.count) == events[...])
            // One millisecond of virtual time per step (a recovery, stop-the-world, carries its own few ms).
            #expect(events.allSatisfy { $0.time - first.time <= 0.005 }, "\(events.map(\.name)) from \(first.time)")
            #expect(first.time >= (steps.last?.time ?? killedAt))
            steps += events
        }
        let e = try #require(steps.first { $0.name == "node-down" })
        // 50 ms heartbeats, phi 8: down within 186 ms of the last heartbeat.
        #expect(e.time > killedAt && e.time - killedAt <= 0.19)
        let at = p.uptime
        sleepNanos(50_000_000)
        #expect(p.uptime == at, "still paused after the step")
        let next = try #require(p.stepToNextEvents(maxSeconds: 10).first)
        #expect(next.time >= e.time)
        p.setPaused(false)
        sleepNanos(100_000_000)
        #expect(p.uptime > at)
        _ = p.finish()
    }
}
