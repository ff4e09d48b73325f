import Flink

extension DrillReport {
    /// What Flink did, for the text report: the outcome, then each fault's recovery phases.
    static func flinkLines(_ o: FlinkRunOutcome) -> [String] {
        var lines = ["", "flink: \(o.story)"]
        lines.append("  job states seen: \(o.states.joined(separator: " → ")); restarts during the drill: \(o.restarts.map(String.init) ?? "?")")
        for t in o.trials {
            func ms(_ v: Double?) -> String { v.map { "\(Int(($0 * 1000).rounded())) ms" } ?? "not reached" }
            lines.append("  fault at \(JSON.number(t.faultAt))s\(t.taskManager.map { " on \($0)" } ?? ""): loss seen \(ms(t.toLoss)), RUNNING \(ms(t.toRunning)), all tasks \(ms(t.toAllTasks)), checkpoint \(t.checkpointId.map(String.init) ?? "-") \(ms(t.toCheckpoint))")
        }
        if let live = o.live, let re = o.recount {
            lines.append("  live audit: \(live.transfers) transfers, \(live.lost) lost, \(live.duplicated) duplicated, \(live.wrong) wrong, \(live.missing) missing; independent recount: \(re.summary)")
        }
        return lines
    }

    /// The outcome as a JSON object.
    static func flinkJSON(_ o: FlinkRunOutcome) -> String {
        let trials = o.trials.map { t in
            JSON.object([("faultAt", JSON.number(t.faultAt)), ("taskManager", t.taskManager.map(JSON.string) ?? "null"),
                         ("lossSeenMs", JSON.number(t.toLoss.map { $0 * 1000 })), ("runningMs", JSON.number(t.toRunning.map { $0 * 1000 })),
                         ("allTasksMs", JSON.number(t.toAllTasks.map { $0 * 1000 })), ("checkpointMs", JSON.number(t.toCheckpoint.map { $0 * 1000 })),
                         ("checkpoint", t.checkpointId.map { String($0) } ?? "null")])
        }
        func audit(_ a: (Int64, Int64, Int64, Int64, Int64)?) -> String {
            guard let a else { return "null" }
            return JSON.object([("transfers", String(a.0)), ("lost", String(a.1)), ("duplicated", String(a.2)), ("wrong", String(a.3)), ("missing", String(a.4))])
        }
        return JSON.object([
            ("story", JSON.string(o.story)), ("finalState", o.finalState.map(JSON.string) ?? "null"),
            ("states", JSON.array(o.states.map(JSON.string))), ("restarts", o.restarts.map(String.init) ?? "null"),
            ("restored", JSON.array(o.restored.map { String($0) })), ("corrupted", JSON.array(o.corrupted.map { String($0) })),
            ("restoredRot", JSON.array(o.restoredRot.map { JSON.object([("checkpoint", String($0.checkpoint)), ("corrupted", String($0.corrupted)), ("file", JSON.string($0.file))]) })),
            ("exceptions", JSON.array(o.exceptions.map(JSON.string))), ("trials", JSON.array(trials)),
            ("live", audit(o.live.map { ($0.transfers, $0.lost, $0.duplicated, $0.wrong, $0.missing) })),
            ("recount", audit(o.recount.map { ($0.transfers, $0.lost, $0.duplicated, $0.wrong, $0.missing) })),
        ])
    }
}
