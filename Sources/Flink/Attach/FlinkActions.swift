#if canImport(Glibc)
import Glibc
#endif
import Engine
import Foundation
import Integrity
import Synchronization

/// The operator's faults and actions on an attached Flink cluster, in the dashboard's and
/// drills' command vocabulary: `kill N` (SIGKILL), `hang N` (SIGSTOP; `heal` sends SIGCONT),
/// `restart N` (a replacement with the same id; lab only), `checkpoint`, `savepoint`,
/// `corrupt checkpoint latest [FILE]`. Local signals go to a PID checked to be that
/// TaskManager; remote clusters need a command template.
public final class FlinkActions: @unchecked Sendable {
    public let observer: FlinkObserver
    public let killTemplate: CommandTemplate?
    /// For a remote cluster: the commands that hang and heal (resume) a TaskManager.
    public var hangTemplate: CommandTemplate?
    public var healTemplate: CommandTemplate?
    /// Seconds a template may run before it is killed (`--command-timeout`).
    public var commandTimeout: Double = 10
    /// Whether templates run on a thread of their own (the dashboard: the screen never
    /// waits on them); the fault is counted when the command has succeeded.
    public var background = false
    /// Every fault and action refused (`--read-only`).
    public var readOnly = false
    public let checkpointDir: String?
    /// With a checkpoint guard on: whether it has recorded checkpoint N. `corrupt checkpoint
    /// latest` then waits (up to 2 s) until the newest checkpoint is guarded: rot comes to
    /// files at rest, after the guard took their CRCs, not in the 100 ms before it looks.
    public var isGuarded: (@Sendable (UInt64) -> Bool)?
    /// The checkpoints `corrupt checkpoint` flipped a bit in, in order.
    public var corrupted: [UInt64] { rots.withLock { $0.map(\.checkpoint) } }
    /// Every bit `corrupt checkpoint` flipped, in order.
    let rots = Mutex<[CheckpointRot]>([])

    public init(observer: FlinkObserver, killTemplate: CommandTemplate?, checkpointDir: String?) {
        self.observer = observer
        self.killTemplate = killTemplate
        self.checkpointDir = checkpointDir ?? observer.lab?.checkpoints
    }

    var isLocal: Bool {
        guard let host = URL(string: observer.client.base)?.host else { return false }
        return host == "127.0.0.1" || host == "localhost" || host == "::1"
    }

    /// The command with `busiest` replaced by the TaskManager hosting the most subtasks now
    /// (the first of those tied).
    public func resolve(_ command: Command) throws(CommandError) -> Command {
        switch command {
        case .kill(Command.busiest), .hang(Command.busiest):
            let nodes = observer.snapshot().nodes.filter { $0.state != .stopped }
            guard let top = nodes.max(by: { ($0.subtasks ?? 0, -$0.id) < ($1.subtasks ?? 0, -$1.id) }), (top.subtasks ?? 0) > 0 else {
                throw CommandError("no TaskManager hosts a subtask yet: nothing is the busiest")
            }
            if case .kill = command { return .kill(top.id) }
            return .hang(top.id)
        default: return command
        }
    }

    /// Carries out `command`; says what it did.
    @discardableResult
    public func apply(_ command: Command) throws(CommandError) -> String {
        if readOnly { throw CommandError("read-only session (--read-only): '\(command)' is not run; nothing was changed") }
        let command = try resolve(command)
        let said: String
        do throws(FlinkError) { said = try act(command) } catch { throw CommandError(error.description) }
        // A template run in the background records the command itself, once it succeeded.
        if !said.hasPrefix(Self.runningPrefix) { observer.record(EngineEvent(time: observer.now, node: command.node, .command(command))) }
        observer.record(EngineEvent(time: observer.now, node: command.node, kind: .operatorAction, message: said))
        return said
    }

    func tm(_ n: Int) throws(FlinkError) -> String {
        let ids = observer.taskManagerIds
        guard n >= 0, n < ids.count else { throw .taskManager("no TaskManager \(n): the cluster has \(ids.count) (\(ids.joined(separator: ", ")))") }
        return ids[n]
    }

    func process(_ id: String) throws(FlinkError) -> TaskManagerProcess {
        let hint = observer.lab?.taskManagers.first { $0.id == id }?.pid
        let fresh = (try? LabState.load(observer.lab?.directory ?? ""))??.taskManagers.first { $0.id == id }?.pid
        return try TaskManagerProcess.find(id: id, hint: fresh ?? hint)
    }

    func act(_ command: Command) throws(FlinkError) -> String {
        switch command {
        case let .kill(n):
            let id = try tm(n)
            if let t = killTemplate {
                return try runTemplate(t, id: id, command: command, what: "kill") { [observer] in
                    observer.hung.withLock { _ = $0.removeValue(forKey: id) }
                    try? observer.saveHung()
                    observer.faultInjected(node: n)
                }
            }
            guard isLocal else { throw .taskManager("\(observer.client.base) is not this machine: give --kill-command 'TEMPLATE with {id}' to kill TaskManager \(id)") }
            let p = try process(id)
            try ProcessControl.signal(p.pid, SIGCONT, what: "TaskManager \(id)")
            try ProcessControl.signal(p.pid, SIGKILL, what: "TaskManager \(id)")
            observer.hung.withLock { _ = $0.removeValue(forKey: id) }
            try observer.saveHung()
            observer.faultInjected(node: n)
            return "SIGKILL to TaskManager \(id) (PID \(p.pid))"
        case let .hang(n):
            let id = try tm(n)
            if let t = hangTemplate {
                return try runTemplate(t, id: id, command: command, what: "hang") { [observer] in
                    observer.hung.withLock { $0[id] = HungTaskManagers.Entry(id: id, pid: nil, since: Date().timeIntervalSince1970) }
                    try? observer.saveHung()
                    observer.faultInjected(node: n)
                }
            }
            guard isLocal else { throw .taskManager("\(observer.client.base) is not this machine: give --hang-command 'TEMPLATE with {id}' (and --heal-command) to hang TaskManager \(id)") }
            let p = try process(id)
            try ProcessControl.signal(p.pid, SIGSTOP, what: "TaskManager \(id)")
            observer.hung.withLock { $0[id] = HungTaskManagers.Entry(id: id, pid: p.pid, since: Date().timeIntervalSince1970) }
            try observer.saveHung()
            observer.faultInjected(node: n)
            return "SIGSTOP to TaskManager \(id) (PID \(p.pid)): it keeps its memory and sockets but answers nothing"
        case let .heal(n):
            // SIGCONT to the hung; in the lab, a replacement for each TaskManager that is gone.
            // A TaskManager hung by an earlier session counts too (the record keeps it).
            var ids = Array(Set(observer.taskManagerIds).union(observer.hung.withLock { $0.keys })).sorted()
            if let n { ids = [try tm(n)] }
            var said: [String] = []
            for id in ids {
                if let entry = observer.hung.withLock({ $0[id] }) {
                    said.append(try resume(entry, command: command))
                } else if gone(id) {
                    said.append(try replace(id))
                }
            }
            return said.isEmpty ? "nothing to heal: no TaskManager is hung\(observer.lab == nil ? "" : " or gone")" : said.joined(separator: "; ")
        case let .restart(n):
            return try replace(try tm(n))
        case .checkpointNow:
            guard let jid = observer.job else { throw .noJob(url: observer.client.base, running: []) }
            let t = try observer.client.send("POST", "/jobs/\(jid)/checkpoints", body: "{}", as: FlinkModel.TriggerId.self, expected: "a trigger id")
            follow("/jobs/\(jid)/checkpoints/\(t.requestId)", what: "checkpoint")
            return "asked Flink for a checkpoint (trigger \(t.requestId.prefix(8)))"
        case .savepoint:
            guard let jid = observer.job else { throw .noJob(url: observer.client.base, running: []) }
            let t = try observer.client.send("POST", "/jobs/\(jid)/savepoints", body: "{\"cancel-job\": false}", as: FlinkModel.TriggerId.self, expected: "a trigger id")
            follow("/jobs/\(jid)/savepoints/\(t.requestId)", what: "savepoint")
            return "asked Flink for a savepoint (trigger \(t.requestId.prefix(8)))"
        case let .corruptCheckpoint(ref, file):
            return try corrupt(ref, file: file)
        default:
            throw .taskManager("'\(command)' has no meaning on a Flink cluster; it understands: \(Command.flinkGrammar.joined(separator: ", "))")
        }
    }

    /// Whether the lab's TaskManager `id` is gone: not registered with Flink, and neither the
    /// process the lab last started for it (perhaps still a starting script) nor any
    /// TaskManager with its id runs.
    func gone(_ id: String) -> Bool {
        guard let lab = observer.lab else { return false }
        let registered = observer.snapshot().nodes.contains { $0.name == id && $0.state != .stopped }
        let recorded = ((try? LabState.load(lab.directory)) ?? nil)?.taskManagers.first { $0.id == id }?.pid
        return !registered && !(recorded.map(ProcessControl.alive) ?? false) && (try? process(id)) == nil
    }

    /// Starts a replacement TaskManager `id` in the lab (refused while one runs).
    func replace(_ id: String) throws(FlinkError) -> String {
        guard let lab = observer.lab else {
            throw .taskManager("restart starts a replacement TaskManager in the lab only (firedrill flink up); this cluster is not one")
        }
        let m = try FlinkLab.replaceTaskManager(id, directory: lab.directory)
        return "started a replacement TaskManager \(id) (PID \(m.pid))"
    }

    /// Polls an asynchronous trigger to its end on a thread of its own, then logs the outcome.
    func follow(_ path: String, what: String) {
        let client = observer.client, observer = observer
        Thread.detachNewThread {
            for _ in 0..<120 {
                if let op = try? client.get(path, as: FlinkModel.AsyncOperation.self, expected: "an operation's status"), op.status.id == "COMPLETED" {
                    if let cause = op.operation?.failureCause {
                        let why = (cause.stackTrace ?? "").split(separator: "\n").first.map(String.init) ?? "no reason given"
                        observer.record(EngineEvent(time: observer.now, kind: .error, message: "the asked-for \(what) failed: \(why)"))
                    } else if let id = op.operation?.checkpointId {
                        observer.record(EngineEvent(time: observer.now, kind: .checkpoint, message: "the asked-for \(what) completed: checkpoint \(id)"))
                    } else {
                        observer.record(EngineEvent(time: observer.now, kind: .checkpoint, message: "the asked-for \(what) completed\(op.operation?.location.map { " at \($0)" } ?? "")"))
                    }
                    return
                }
                Thread.sleep(forTimeInterval: 0.25)
            }
            observer.record(EngineEvent(time: observer.now, kind: .error, message: "the asked-for \(what) did not complete within 30 s"))
        }
    }

    /// Flips one bit of a file of a retained checkpoint (`CheckpointRot`); says which file and byte.
    func corrupt(_ ref: CheckpointRef, file: String?) throws(FlinkError) -> String {
        guard let dir = checkpointDir else { throw .checkpoint("no checkpoint directory: give --checkpoint-dir (the job's execution.checkpointing.dir)") }
        let jobDir = jobDirectory(dir)
        if let isGuarded, case .latest = ref { CheckpointRot.waitUntilNewestGuarded(jobDirectory: jobDir, isGuarded) }
        let rot = try CheckpointRot.flip(jobDirectory: jobDir, ref, file: file, seed: UInt64(observer.now * 1_000_003))
        rots.withLock { $0.append(rot) }
        return rot.description
    }

    /// The job's directory below checkpoint directory `dir`.
    func jobDirectory(_ dir: String) -> String {
        let root = dir.hasPrefix("file:") ? String(dir.dropFirst(5)) : dir
        return observer.job.map { root + "/" + $0 } ?? root
    }

    /// The rot checkpoint `id` holds, if any: it is the checkpoint corrupted, or an
    /// incremental one after it that refers to the same rotten `shared/` file (what Flink
    /// restores from a checkpoint taken after the rot still carries it).
    public func rot(carriedBy id: UInt64) -> CheckpointRot? {
        let all = rots.withLock { $0 }
        guard !all.isEmpty, let dir = checkpointDir else { return nil }
        let jobDir = jobDirectory(dir)
        return all.last { $0.isCarried(by: id, jobDirectory: jobDir) }
    }
}
