import Engine
@testable import Flink
import Testing

@Suite("The recovery clock times each phase of a Flink restart")
struct FlinkRecoveryClockTests {
    func look(_ t: Double, _ state: String, tms: Set<String> = ["tm-0", "tm-1"], running: Int = 6, newest: UInt64 = 10,
              restartingAt: Double? = nil, runningAt: Double? = nil, done: [(UInt64, Double)] = []) -> FlinkRecoveryClock.Look {
        FlinkRecoveryClock.Look(time: t, jobState: state, tasksRunning: running, tasksTotal: 6, taskManagers: tms, newestCheckpoint: newest,
                                restartingAt: restartingAt, runningAt: runningAt, completions: done.map { .init(id: $0.0, at: $0.1) })
    }

    @Test("Flink's own timestamps time a restart shorter than the polls; the first checkpoint after RUNNING ends it")
    func phases() {
        var c = FlinkRecoveryClock()
        c.observe(look(0.9, "RUNNING", restartingAt: -50, runningAt: -49, done: [(10, 0.5)]))
        c.fault(at: 1.0, taskManager: "tm-0")
        #expect(c.trials[0].checkpointBefore == 10)
        // Still RUNNING, tm-0 still listed: nothing seen yet.
        c.observe(look(1.5, "RUNNING", restartingAt: -50, runningAt: -49))
        #expect(c.trials[0].lossSeen == nil)
        // Between two polls the job went RESTARTING (at 2.2) and RUNNING again (at 3.2).
        c.observe(look(3.6, "RUNNING", tms: ["tm-1"], running: 4, newest: 10, restartingAt: 2.2, runningAt: 3.2, done: [(10, 0.5)]))
        var t = c.trials[0]
        #expect(t.leftRunning == 2.2 && t.lossSeen == 2.2 && t.running == 3.2 && t.allTasks == nil)
        // A checkpoint completed after RUNNING while a poll still saw subtasks deploying: it
        // proves they ran by then.
        c.observe(look(5.0, "RUNNING", tms: ["tm-1"], running: 5, newest: 11, restartingAt: 2.2, runningAt: 3.2, done: [(10, 0.5), (11, 4.4)]))
        t = c.trials[0]
        #expect(t.checkpointId == 11 && t.checkpoint == 4.4 && t.allTasks == 4.4 && t.complete)
        #expect(abs((t.toRunning ?? 0) - 2.2) < 1e-9 && abs((t.toCheckpoint ?? 0) - 3.4) < 1e-9)
    }

    @Test("a job that never comes back leaves its phases unreached; a restart before the fault is not this one")
    func unreached() {
        var c = FlinkRecoveryClock()
        c.observe(look(0, "RUNNING", restartingAt: 0.98, runningAt: 0.99))
        c.fault(at: 1.5, taskManager: "tm-1")
        c.observe(look(2.0, "RUNNING", restartingAt: 0.98, runningAt: 0.99))
        #expect(c.trials[0].leftRunning == nil)
        c.observe(look(3.0, "RESTARTING", tms: ["tm-0"], restartingAt: 2.9, runningAt: 0.99))
        c.observe(look(9.0, "FAILED", tms: ["tm-0"], restartingAt: 2.9, runningAt: 0.99))
        let t = c.trials[0]
        #expect(t.lossSeen == 2.9 && t.running == nil && t.checkpoint == nil && !t.complete && t.lastState == "FAILED")
        #expect(t.rebased(by: 1).faultAt == 0.5 && t.rebased(by: 1).lossSeen == 1.9)
    }
}
