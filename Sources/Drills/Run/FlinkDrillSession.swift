import Engine
import Flink
import Foundation
import Synchronization

/// A drill's Flink target made ready, the same way for a drill played headless
/// (`firedrill drill NAME`) and live (`firedrill attach flink --drill NAME`), so both are
/// judged alike: the job checked RUNNING with every subtask running and a checkpoint done
/// (a FAILED or starved job is refused before the first step), the observer's first full
/// look taken (so restores from before the drill are the job's past, not the drill's), the
/// auditor's first pass done, and the checkpoint guard started when the drill's `[target]`
/// asks for it (`guard = true`), its repairs in the drill's log and verdict.
public final class FlinkDrillSession: @unchecked Sendable {
    /// Why a drill cannot start on the cluster: nothing was done to it.
    public struct SetupError: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ d: String) { description = d }
    }

    public let drill: Drill
    public let observer: FlinkObserver
    public let actions: FlinkActions
    /// The attached job behind the one runtime interface the schedule plays on.
    public let runtime: FlinkRuntime
    let guardian: CheckpointGuardian?
    /// What the guard said and the checkpoints it rebuilt a file of, during the drill.
    let said = GuardLog()

    /// The guard's words and repairs, written from its thread.
    final class GuardLog: Sendable {
        let state = Mutex<(events: [String], repaired: [UInt64])>(([], []))
    }

    /// Prepares `drill` on job `job` of `client`'s cluster, watched by `observer` (started
    /// here if it is not) and acted on by `actions`. `checkpointDir` is the job's checkpoint
    /// directory (the guard needs it). `steadySeconds` bounds the wait for a steady job.
    /// - Throws: `SetupError` naming what is wrong (a job not RUNNING, subtasks not running,
    ///   a guard without a checkpoint directory) before any step.
    public init(drill: Drill, client: FlinkClient, job: String, taskManagers: [String], observer: FlinkObserver, actions: FlinkActions,
                checkpointDir: String?, steadySeconds: Double = 120, progress: (String) -> Void) throws(SetupError) {
        self.drill = drill
        self.observer = observer
        self.actions = actions
        let state: String
        do throws(FlinkError) { state = try client.job(job).state } catch { throw SetupError("drill \(drill.name): \(error.description)") }
        guard state == "RUNNING" else {
            throw SetupError("drill \(drill.name): job \(job) at \(client.base) is \(state), not RUNNING: nothing to drill")
        }
        // The last fault's tail (a replacement registering, a restart) is not this drill's; a
        // starved job (subtasks waiting for slots) is refused here.
        do throws(FlinkError) {
            try FlinkSteady.wait(client: client, job: job, taskManagers: taskManagers, seconds: steadySeconds)
        } catch { throw SetupError("drill \(drill.name): \(error.description)") }
        observer.start()
        observer.waitForFirstPoll(timeout: 15)
        // The slow tier (restarts, checkpoint history, the auditor's first pass over the job's
        // past) before the drill starts: what came before it is not the drill's.
        let end = Date().addingTimeInterval(20)
        while Date() < end {
            let s = observer.snapshot()
            let audited = observer.auditor == nil || s.attached?.audited == true
            if s.attached?.restarts != nil && audited { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let said = self.said
        if drill.flink?.guardCheckpoints == true {
            guard let dir = checkpointDir else { throw SetupError("drill \(drill.name): [target] guard needs checkpoint_dir (the job's execution.checkpointing.dir)") }
            let root = dir.hasPrefix("file:") ? String(dir.dropFirst(5)) : dir
            let g = CheckpointGuardian(checkpointRoot: root, parityRoot: root + ".guard", client: client, job: job)
            g.onEvent = { [observer] _, e in
                if !e.isRoutine { observer.record(EngineEvent(time: observer.now, kind: e.engineKind, message: "guard: " + e.text)) }
                said.state.withLock { s in
                    if case .guarded = e {} else { s.events.append(e.text) }
                    if case let .finding(f) = e, f.outcome == .repaired, !s.repaired.contains(f.checkpoint) { s.repaired.append(f.checkpoint) }
                }
            }
            g.start()
            guardian = g
            let cg = CheckpointGuard(jobDirectory: root + "/" + job, parityDirectory: root + ".guard/" + job)
            actions.isGuarded = { cg.guarded().contains($0) }
            progress("guarding the job's checkpoints: parity in \(root).guard")
        } else {
            guardian = nil
        }
        runtime = FlinkRuntime(observer: observer, actions: actions)
    }

    /// Adds Flink's own verdicts to a finished drill's result: the job's states, restarts and
    /// restores since the drill began, each recovery's phases, the live audit beside an
    /// independent recount, and the guard's repairs. `live`: the job runs on (a drill played
    /// in the dashboard), judged from what it did so far; else after `runtime.finish()`.
    public func judge(_ result: inout DrillResult, live: Bool) {
        var outcome = live ? runtime.outcomeNow() : runtime.result
        (outcome.guardEvents, outcome.guardRepaired) = said.state.withLock { $0 }
        result.judgeFlink(outcome)
    }

    /// Stops the guard and the observer.
    public func close() {
        guardian?.stop()
        observer.stop()
    }
}
