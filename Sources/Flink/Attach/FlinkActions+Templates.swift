#if canImport(Glibc)
import Glibc
#endif
import Engine
import Foundation

extension FlinkActions {
    /// How what a background template says begins (its outcome is logged when it ends).
    static let runningPrefix = "running "

    /// Runs a user's template for TaskManager `id` with the timeout; `onSuccess` (the fault
    /// counted, the hung record changed) only when it exited 0. In the background the outcome
    /// and the command are logged as events when it ends; else a failure is an error.
    func runTemplate(_ t: CommandTemplate, id: String, command: Command, what: String,
                     onSuccess: @escaping @Sendable () -> Void) throws(FlinkError) -> String {
        let argv = t.arguments(id: id)
        let timeout = commandTimeout
        guard background else {
            let outcome = TemplateRunner.run(argv, timeout: timeout)
            guard outcome.succeeded else { throw .taskManager("the \(what) command for TaskManager \(id) failed, nothing counted: \(outcome)") }
            onSuccess()
            return "the \(what) command for TaskManager \(id) \(outcome)"
        }
        let observer = observer
        Thread.detachNewThread {
            let outcome = TemplateRunner.run(argv, timeout: timeout)
            if outcome.succeeded {
                onSuccess()
                observer.record(EngineEvent(time: observer.now, node: command.node, .command(command)))
                observer.record(EngineEvent(time: observer.now, node: command.node, kind: .operatorAction, message: "the \(what) command for TaskManager \(id) \(outcome)"))
            } else {
                observer.record(EngineEvent(time: observer.now, node: command.node, kind: .error,
                                            message: "the \(what) command for TaskManager \(id) failed, the fault is not counted: \(outcome)"))
            }
        }
        return Self.runningPrefix + "the \(what) command for TaskManager \(id) in the background (at most \(String(format: "%g", timeout)) s): \(argv.joined(separator: " "))"
    }

    /// Resumes a hung TaskManager: SIGCONT to the process it was (checked to be that
    /// TaskManager still), or the heal template for one hung by a command.
    func resume(_ entry: HungTaskManagers.Entry, command: Command) throws(FlinkError) -> String {
        let id = entry.id
        let forget: @Sendable () -> Void = { [observer] in
            observer.hung.withLock { _ = $0.removeValue(forKey: id) }
            try? observer.saveHung()
        }
        if let pid = entry.pid {
            guard let p = try? TaskManagerProcess.find(id: id, hint: pid) else {
                forget()
                return "TaskManager \(id) (PID \(pid)) hung earlier is gone: its record is dropped"
            }
            try ProcessControl.signal(p.pid, SIGCONT, what: "TaskManager \(id)")
            forget()
            return "SIGCONT to \(id) (PID \(p.pid))"
        }
        guard let t = healTemplate else {
            throw .taskManager("TaskManager \(id) was hung by a command: give --heal-command 'TEMPLATE with {id}' to resume it")
        }
        return try runTemplate(t, id: id, command: command, what: "heal", onSuccess: forget)
    }
}

extension FlinkObserver {
    /// Writes the hung TaskManagers to `hungRecord`.
    public func saveHung() throws(FlinkError) {
        try hungRecord.save(hung.withLock { $0.values.sorted { $0.id < $1.id } })
    }

    /// The TaskManagers hung now (this session's or an earlier one's).
    public var hungTaskManagers: [HungTaskManagers.Entry] { hung.withLock { $0.values.sorted { $0.id < $1.id } } }
}
