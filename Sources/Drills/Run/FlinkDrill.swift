import Engine
import Flink

/// Runs a drill whose target is a Flink cluster headless: the URL it names, else the lab in
/// `labDirectory` (the running one, or one started for the drill and stopped after it),
/// prepared by `FlinkDrillSession` and played by the drill runner.
public struct FlinkDrill {
    public var drill: Drill
    public var target: FlinkTarget
    public var labDirectory: String
    public var progress: (String) -> Void

    public init(drill: Drill, target: FlinkTarget, labDirectory: String, progress: @escaping (String) -> Void) {
        self.drill = drill
        self.target = target
        self.labDirectory = labDirectory
        self.progress = progress
    }

    /// Runs it to its verdict.
    /// - Throws: `FlinkDrillSession.SetupError` when the cluster, the lab or the job is not
    ///   fit to drill (nothing was done to it then).
    public func run(_ runner: DrillRunner) throws(FlinkDrillSession.SetupError) -> DrillResult {
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
            throw .init("drill \(drill.name): \(error.description)")
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
            throw .init("drill \(drill.name): \(error.description)")
        }
        var template: CommandTemplate?
        if let k = target.killCommand {
            do { template = try CommandTemplate(k) } catch { throw .init("drill \(drill.name): [target] kill_command: \(error.description)") }
        }
        let output = target.output ?? (lab?.jobId == job.jid ? lab?.output : nil)
        let observer = FlinkObserver(client: client, job: job.jid, lab: lab, output: output, accounts: lab?.accounts ?? PaymentsLedger().accounts)
        let checkpointDir = target.checkpointDir ?? lab?.checkpoints
        let actions = FlinkActions(observer: observer, killTemplate: template, checkpointDir: checkpointDir)
        let session: FlinkDrillSession
        do {
            session = try FlinkDrillSession(drill: drill, client: client, job: job.jid, taskManagers: lab?.taskManagers.map(\.id) ?? [],
                                            observer: observer, actions: actions, checkpointDir: checkpointDir, progress: progress)
        } catch {
            observer.stop()
            if job.state != "RUNNING", let lab {
                throw .init(error.description + " (firedrill flink down --dir \(lab.directory), then flink up, gives the lab a fresh job)")
            }
            throw error
        }
        defer { session.close() }
        var result = runner.run(on: DrillTarget(session.runtime))
        session.judge(&result, live: false)
        return result
    }
}
