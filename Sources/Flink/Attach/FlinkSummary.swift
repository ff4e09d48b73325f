import Engine
import Foundation

/// What `attach flink --headless --json` prints: the run of a Flink job as a script reads it.
public struct FlinkSummary: Codable, Sendable, Equatable {
    public struct TaskManager: Codable, Sendable, Equatable {
        public var id: String
        /// Lost at some point while attached.
        public var lost: Bool
        /// Registered at the end (nil: unknown, the cluster did not answer).
        public var present: Bool?
    }
    public struct Event: Codable, Sendable, Equatable {
        public var time: Double
        public var kind: String
        public var node: Int?
        public var message: String
    }
    public struct Recovery: Codable, Sendable, Equatable {
        public var reason: String
        /// Fault to RESTARTING seen, seconds (nil: no fault of firedrill's).
        public var detect: Double?
        /// RESTARTING to RUNNING, seconds.
        public var restore: Double
        public var checkpoint: UInt64?
    }
    public var url: String
    public var flinkVersion: String?
    public var job: String?
    public var name: String?
    /// Flink's job state at the end (nil: unknown, the cluster did not answer).
    public var state: String?
    /// The state as it really is: `RUNNING · 0 of 6 subtasks running: no free slots`.
    public var status: String?
    public var tasksRunning: Int?
    public var tasksTotal: Int?
    /// Records read per second over a window of at least 5 s (nil: unknown).
    public var readPerSecond: Double?
    public var restarts: Int?
    public var taskmanagers: [TaskManager]
    public var checkpointsCompleted: Int
    public var restoredFrom: UInt64?
    public var recoveries: [Recovery]
    public var reachable: Bool
    public var problem: String?
    public var requestsPerSecond: Double
    public var events: [Event]
    /// The auditor's verdict, when the job's output is known (nil otherwise).
    public var exact: Bool?
    public var lost: Int64?
    public var duplicated: Int64?
    public var wrong: Int64?
    public var missing: Int64?
    public var audited: Int64?
    public var moneyConserved: Bool?
    public var firstProblem: String?
    /// Why the judge gave no verdict to trust (AUDIT FAILED); nil: none.
    public var auditFailure: String?

    public init(_ s: ClusterSnapshot) {
        let a = s.attached
        url = a?.url ?? ""
        flinkVersion = a?.version
        job = a?.jobId
        name = a?.jobName
        state = a?.jobState
        status = a?.jobStatus
        tasksRunning = a?.tasksRunning
        tasksTotal = a?.tasksTotal
        readPerSecond = a?.readRate
        restarts = a?.restarts
        let lostNodes = Set(s.events.filter { $0.kind == .detection && $0.message.hasPrefix("TaskManager ") }.compactMap(\.node))
        taskmanagers = s.nodes.map { TaskManager(id: $0.name ?? String($0.id), lost: lostNodes.contains($0.id), present: a?.reachable == true ? $0.state != .stopped : nil) }
        checkpointsCompleted = s.checkpointsCompleted
        restoredFrom = s.restoredFrom
        recoveries = s.recoveries.map { Recovery(reason: $0.reason, detect: $0.detect, restore: $0.restore, checkpoint: $0.checkpoint) }
        reachable = a?.reachable ?? false
        problem = a?.problem
        requestsPerSecond = a?.requestsPerSecond ?? 0
        events = s.events.map { Event(time: ($0.time * 1000).rounded() / 1000, kind: $0.kind.rawValue, node: $0.node, message: $0.message) }
        if a?.audited == true {
            exact = s.audit.exact
            lost = s.audit.lost
            duplicated = s.audit.duplicated
            wrong = a?.wrongRows
            missing = a?.missingTransfers
            audited = s.audit.committedTransfers
            moneyConserved = s.audit.moneyConserved
            firstProblem = a?.firstProblem
            auditFailure = a?.auditFailure
            if auditFailure != nil { exact = false }
        }
    }

    public var json: String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? e.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A few lines for people.
    public var text: String {
        var lines = ["\(url): Flink \(flinkVersion ?? "?"), job \(name ?? "?") \(job ?? "?") \(status ?? state ?? "unknown (no answer)"), \(restarts.map(String.init) ?? "?") restarts, \(checkpointsCompleted) checkpoints completed\(restoredFrom.map { ", restored \($0)" } ?? "")"]
        lines.append("taskmanagers: " + taskmanagers.map { "\($0.id)\($0.lost ? " (lost)" : "")\($0.present == false ? " (gone)" : $0.present == nil ? " (unknown)" : "")" }.joined(separator: ", "))
        for r in recoveries {
            lines.append("recovery: \(r.detect.map { String(format: "detected %.2f s, ", $0) } ?? "")running again after \(String(format: "%.2f", r.restore)) s from checkpoint \(r.checkpoint.map(String.init) ?? "none") (\(r.reason))")
        }
        if let auditFailure {
            lines.append("audit: FAILED: \(auditFailure)")
        } else if let exact {
            lines.append("audit: \(exact ? "EXACT" : "NOT EXACT") over \(audited ?? 0) transfers: \(lost ?? 0) lost, \(duplicated ?? 0) duplicated, \(wrong ?? 0) wrong, \(missing ?? 0) missing, money \(moneyConserved == true ? "conserved" : "NOT conserved")\(firstProblem.map { "; first: \($0)" } ?? "")")
        } else {
            lines.append("audit: NOT JUDGED: the job's output is not known (give --audit SPEC, --audit-command CMD, or --output DIR for the lab's payments job)")
        }
        if let problem { lines.append("last problem: \(problem)") }
        return lines.joined(separator: "\n")
    }
}
