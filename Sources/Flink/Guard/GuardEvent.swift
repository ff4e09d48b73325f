import Engine
import Foundation

/// Something the checkpoint guard did or found, as typed data; `text` and `json` render it
/// (the guard's log, `--json` lines, the dashboard's events).
public enum GuardEvent: Sendable, Equatable {
    /// Checkpoint `id` recorded: its own files, their bytes, parity bytes, the `shared/`
    /// files it refers to and the bytes of those that were new (guarded now), milliseconds.
    case guarded(id: UInt64, files: Int, bytes: Int, parity: Int, sharedFiles: Int = 0, sharedNewBytes: Int = 0, millis: Double)
    /// Guard data of checkpoints Flink no longer retains, dropped.
    case dropped([UInt64])
    /// A damaged file, and what became of it.
    case finding(GuardFinding)
    /// The job went RESTARTING: the checkpoint it will restore checked (and repaired) in
    /// `millis` after RESTARTING was seen; `inTime`: before the job was RUNNING again
    /// (nil: not known yet).
    case beforeRestore(id: UInt64, millis: Double, intact: Bool, inTime: Bool?)
    /// Nothing can make checkpoint `id` whole; `fallback` is the newest older one intact.
    case unrecoverable(id: UInt64, fallback: UInt64?, directory: String)
    /// A problem of the guard itself (a manifest that is corrupt, a parity dir it cannot write).
    case problem(String)

    /// Whether it is routine (a checkpoint guarded, old guard data dropped): the guard's own
    /// log has it, the dashboard's and a drill's do not.
    public var isRoutine: Bool {
        switch self {
        case .guarded, .dropped: true
        default: false
        }
    }

    /// The event's kind in the dashboard's log.
    public var engineKind: EngineEvent.Kind {
        switch self {
        case .guarded, .dropped: .info
        case let .finding(f): if case .repaired = f.outcome { .repair } else { .error }
        case let .beforeRestore(_, _, intact, inTime): intact && inTime != false ? .repair : .error
        case .unrecoverable, .problem: .error
        }
    }

    /// A line for a person.
    public var text: String {
        switch self {
        case let .guarded(id, files, bytes, parity, shared, sharedNew, ms):
            "guarded checkpoint \(id): \(files) files, \(bytes) bytes, \(parity) bytes of parity"
                + (shared > 0 ? "; refers to \(shared) shared files, \(sharedNew) bytes of them new" : "")
                + " (\(String(format: "%.1f", ms)) ms)"
        case let .dropped(ids): "dropped the guard data of checkpoint\(ids.count == 1 ? "" : "s") \(ids.map(String.init).joined(separator: ", ")) (Flink removed them)"
        case let .finding(f):
            switch f.outcome {
            case .found: "checkpoint \(f.checkpoint): \(f.path) is \(f.problem.rawValue)"
            case .repaired: "checkpoint \(f.checkpoint): \(f.path) was \(f.problem.rawValue); rebuilt from the parity, byte for byte"
            case let .unrecoverable(why): "checkpoint \(f.checkpoint): \(f.path) is \(f.problem.rawValue) and cannot be rebuilt: \(why)"
            case .gone: "checkpoint \(f.checkpoint): \(f.path) was \(f.problem.rawValue), but Flink deleted the checkpoint meanwhile"
            }
        case let .beforeRestore(id, ms, intact, inTime):
            "the job is RESTARTING: checkpoint \(id) \(intact ? "verified intact" : "NOT intact") \(String(format: "%.1f", ms)) ms after"
                + (inTime.map { $0 ? ", before the job ran again" : ", but the job was RUNNING again first" } ?? "")
        case let .unrecoverable(id, fallback, directory):
            "checkpoint \(id) is damaged beyond its parity; "
                + (fallback.map { "checkpoint \($0) is intact: restart the job from it with -Dexecution.state-recovery.path=\(directory)/chk-\($0)" }
                    ?? "no older retained checkpoint is intact")
        case let .problem(why): why
        }
    }

    /// The kind, for JSON lines.
    public var kind: String {
        switch self {
        case .guarded: "guarded"
        case .dropped: "dropped"
        case let .finding(f): if case .repaired = f.outcome { "repaired" } else { "damaged" }
        case .beforeRestore: "before-restore"
        case .unrecoverable: "unrecoverable"
        case .problem: "problem"
        }
    }

    /// One JSON object (`{"time": …, "kind": …, "text": …}` plus the case's numbers).
    public func json(time: Double) -> String {
        var fields: [String: Any] = ["time": (time * 1000).rounded() / 1000, "kind": kind, "text": text]
        switch self {
        case let .guarded(id, files, bytes, parity, shared, sharedNew, ms):
            fields.merge(["checkpoint": id, "files": files, "bytes": bytes, "parity": parity, "sharedFiles": shared, "sharedNewBytes": sharedNew, "ms": ms]) { $1 }
        case let .finding(f): fields.merge(["checkpoint": f.checkpoint, "path": f.path, "problem": f.problem.rawValue]) { $1 }
        case let .beforeRestore(id, ms, intact, inTime):
            fields.merge(["checkpoint": id, "ms": ms, "intact": intact]) { $1 }
            if let inTime { fields["inTime"] = inTime }
        case let .unrecoverable(id, fallback, _):
            fields["checkpoint"] = id
            if let fallback { fields["fallback"] = fallback }
        case .dropped, .problem: break
        }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
