#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A TaskManager process on this machine, found from its resource id.
public struct TaskManagerProcess: Sendable, Equatable {
    public static let mainClass = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"
    public var id: String
    public var pid: pid_t

    /// Whether `argv` is a TaskManager with resource id `id`.
    public static func matches(_ argv: [String], id: String) -> Bool {
        guard argv.contains(mainClass) else { return false }
        let want = "taskmanager.resource-id=\(id)"
        for (i, a) in argv.enumerated() {
            if a == "-D" + want { return true }
            if a == "-D", i + 1 < argv.count, argv[i + 1] == want { return true }
        }
        return false
    }

    /// The local process of TaskManager `id`: `hint` first (the lab's record), else every
    /// process in /proc. It must run `TaskManagerRunner` with that resource id.
    public static func find(id: String, hint: pid_t? = nil) throws(FlinkError) -> TaskManagerProcess {
        if let hint, let argv = ProcessControl.commandLine(hint), matches(argv, id: id), ProcessControl.alive(hint) {
            return TaskManagerProcess(id: id, pid: hint)
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var found: [pid_t] = []
        for e in entries {
            guard let p = pid_t(e), let argv = ProcessControl.commandLine(p), matches(argv, id: id), ProcessControl.alive(p) else { continue }
            found.append(p)
        }
        guard let first = found.first else {
            throw .taskManager("no local TaskManager process with resource id '\(id)' (looked for \(mainClass) with -Dtaskmanager.resource-id=\(id) in /proc); for a remote cluster give --kill-command")
        }
        guard found.count == 1 else { throw .taskManager("\(found.count) local processes claim TaskManager '\(id)' (PIDs \(found.map(String.init).joined(separator: ", "))); nothing done") }
        return TaskManagerProcess(id: id, pid: first)
    }
}
