import Drills
import Engine
import Flink
import Foundation
import Synchronization

/// Runs a drill whose target is a Flink cluster: the URL it names, else the lab in
/// `labDirectory` (the running one, or one started for the drill and stopped after it).
struct FlinkDrill {
    var drill: Drill
    var target: FlinkTarget
    var labDirectory: String
    var progress: (String) -> Void

    /// Runs it to its verdict.
    func run(_ runner: DrillRunner) throws(RuntimeFailure) -> DrillResult {
        var started = false
        let lab: LabState?
        let client: FlinkClient
        do throws(FlinkError) {
            if let url = target.url {
                lab = nil
                client = try FlinkClient(url: url)
            } else {
                let dir = FlinkLab(directory: labDirectory).directory
                if let s = try LabState.load(dir), ProcessControl.alive(s.jobManager.pid) {
                    progress("on the lab in \(dir) (\(s.url), \(s.taskManagers.count) TaskManagers)")
                    lab = s
                } else {
                    progress("starting a lab in \(dir) for the drill (stopped after it)")
                    let l = FlinkLab(directory: dir, taskManagers: target.taskManagers, slots: target.slots)
                    lab = try l.up { progress("  " + $0) }
                    started = true
                }
                client = try FlinkClient(url: lab?.url ?? "")
            }
        } catch {
            throw RuntimeFailure("drill \(drill.name): \(error.description)")
        }
        defer {
            if started, let dir = lab?.directory {
                if let s = try? FlinkLab.down(directory: dir) { for l in s.lines { progress(l) } }
                progress("lab in \(dir) stopped")
            }
        }
        let job: FlinkModel.JobsOverview.Job
        do throws(FlinkError) {
            _ = try client.overview()
            job = try client.resolveJob(target.job ?? lab?.jobId)
        } catch {
            throw RuntimeFailure("drill \(drill.name): \(error.description)")
        }
        guard job.state == "RUNNING" else {
            let hint = lab.map { " (firedrill flink down --dir \($0.directory), then flink up, gives the lab a fresh job)" } ?? ""
            throw RuntimeFailure("drill \(drill.name): job \(job.jid) at \(client.base) is \(job.state), not RUNNING: nothing to drill\(hint)")
        }
        // The last fault's tail (a replacement registering, a restart) is not this drill's.
        do throws(FlinkError) {
            try FlinkSteady.wait(client: client, job: job.jid, taskManagers: lab?.taskManagers.map(\.id) ?? [], seconds: 120)
        } catch { throw RuntimeFailure("drill \(drill.name): \(error.description)") }
        var template: CommandTemplate?
        if let k = target.killCommand {
            do { template = try CommandTemplate(k) } catch { throw RuntimeFailure("drill \(drill.name): [target] kill_command: \(error.description)") }
        }
        let output = target.output ?? (lab?.jobId == job.jid ? lab?.output : nil)
        let observer = FlinkObserver(client: client, job: job.jid, lab: lab, output: output, accounts: lab?.accounts ?? PaymentsLedger().accounts)
        let actions = FlinkActions(observer: observer, killTemplate: template, checkpointDir: target.checkpointDir ?? lab?.checkpoints)
        observer.start()
        observer.waitForFirstPoll(timeout: 15)
        // The auditor's first look covers the job's past; the drill starts after it.
        let end = Date().addingTimeInterval(20)
        while observer.snapshot().attached?.audited != true && output != nil && Date() < end { Thread.sleep(forTimeInterval: 0.1) }
        // The guard, when the drill asks for it: its events in the drill's log.
        let said = Mutex<(events: [String], repaired: [UInt64])>(([], []))
        var guardian: CheckpointGuardian?
        if target.guardCheckpoints {
            guard let dir = target.checkpointDir ?? lab?.checkpoints else { throw RuntimeFailure("drill \(drill.name): [target] guard needs checkpoint_dir") }
            let root = dir.hasPrefix("file:") ? String(dir.dropFirst(5)) : dir
            let g = CheckpointGuardian(checkpointRoot: root, parityRoot: root + ".guard", client: client, job: job.jid)
            g.onEvent = { [observer] _, e in
                if !e.isRoutine { observer.record(EngineEvent(time: observer.now, kind: e.engineKind, message: "guard: " + e.text)) }
                said.withLock { s in
                    if case .guarded = e {} else { s.events.append(e.text) }
                    if case let .finding(f) = e, f.outcome == .repaired, !s.repaired.contains(f.checkpoint) { s.repaired.append(f.checkpoint) }
                }
            }
            g.start()
            guardian = g
            let cg = CheckpointGuard(jobDirectory: root + "/" + job.jid, parityDirectory: root + ".guard/" + job.jid)
            actions.isGuarded = { cg.guarded().contains($0) }
            progress("guarding the job's checkpoints: parity in \(root).guard")
        }
        let runtime = FlinkRuntime(observer: observer, actions: actions)
        var result = runner.run(on: DrillTarget(runtime))
        guardian?.stop()
        observer.stop()
        var outcome = runtime.result
        (outcome.guardEvents, outcome.guardRepaired) = said.withLock { $0 }
        result.judgeFlink(outcome)
        return result
    }
}
