/// What can go wrong talking to a Flink cluster or running its lab, with the place and what
/// was expected; rendered to text in one place (`description`).
public enum FlinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer: connection refused, timed out, bad host.
    case unreachable(url: String, why: String)
    /// An HTTP answer other than 2xx.
    case http(url: String, status: Int, body: String)
    /// An answer that is not the JSON Flink sends there.
    case malformed(url: String, expected: String, why: String)
    /// No running job to attach to, or several and none chosen.
    case noJob(url: String, running: [String])
    case unknownJob(url: String, id: String)
    /// A TaskManager firedrill cannot find or act on.
    case taskManager(String)
    /// The lab could not be set up, started or stopped.
    case lab(String)
    /// A checkpoint file could not be found or changed.
    case checkpoint(String)
    /// The guard's own data (a manifest, parity) or a checkpoint directory it cannot use.
    case guardData(String)

    public var description: String {
        switch self {
        case let .unreachable(url, why): "\(url): no answer (\(why)); expected Flink's REST API there — is the cluster up? (firedrill flink up starts a local one)"
        case let .http(url, status, body): "\(url): HTTP \(status)\(body.isEmpty ? "" : ": " + String(body.prefix(200)))"
        case let .malformed(url, expected, why): "\(url): expected \(expected), got something else (\(why))"
        case let .noJob(url, running):
            running.isEmpty ? "\(url): no running job to attach to" : "\(url): \(running.count) jobs run; choose one with --job: \(running.joined(separator: ", "))"
        case let .unknownJob(url, id): "\(url): no job '\(id)' on this cluster"
        case let .taskManager(why): why
        case let .lab(why): why
        case let .checkpoint(why): why
        case let .guardData(why): why
        }
    }
}
