#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// How a user's command (a kill, hang, heal or audit template) ended.
public struct TemplateOutcome: Sendable, Equatable, CustomStringConvertible {
    public enum End: Sendable, Equatable {
        /// It ran to its end with this status (128 + N: killed by signal N).
        case exited(Int32)
        /// It ran past the timeout and was killed with its whole process group.
        case timedOut(Double)
        /// It could not be started (no such program, not executable).
        case notStarted(String)
    }
    public var argv: [String]
    public var end: End
    /// Its standard output and error, at most the last 2,000 characters.
    public var output: String
    /// Seconds it ran.
    public var seconds: Double

    public var succeeded: Bool { end == .exited(0) }

    /// `'kubectl delete pod tm-0' exited 0 in 0.31 s: pod "tm-0" deleted`.
    public var description: String {
        let what = "'" + argv.joined(separator: " ") + "'"
        let how = switch end {
        case let .exited(rc): "exited \(rc) in \(String(format: "%.2f", seconds)) s"
        case let .timedOut(limit): "did not end within \(String(format: "%g", limit)) s and was killed"
        case let .notStarted(why): "could not start: \(why)"
        }
        let said = output.split(whereSeparator: \.isNewline).suffix(2).joined(separator: " / ").trimmingCharacters(in: .whitespaces)
        return what + " " + how + (said.isEmpty ? "" : ": " + String(said.suffix(200)))
    }
}

/// Runs a user's command with a timeout: never through a shell, in a process group of its
/// own (so a timeout ends what it started too), output kept for the event log.
public enum TemplateRunner {
    public static func run(_ argv: [String], timeout: Double) -> TemplateOutcome {
        let begin = Date()
        let log = NSTemporaryDirectory() + "/firedrill-command-\(getpid())-\(UUID().uuidString).log"
        defer { unlink(log) }
        let pid: pid_t
        do throws(FlinkError) { pid = try ProcessControl.spawn(argv, environment: [:], log: log, setsid: true) } catch {
            return TemplateOutcome(argv: argv, end: .notStarted(error.description), output: "", seconds: 0)
        }
        var status: Int32 = 0
        var end: TemplateOutcome.End?
        while end == nil {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                end = .exited(status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            } else if r < 0 && errno != EINTR {
                end = .exited(-1)
            } else if Date().timeIntervalSince(begin) >= timeout {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                end = .timedOut(timeout)
            } else {
                usleep(10_000)
            }
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return TemplateOutcome(argv: argv, end: end ?? .exited(-1), output: String(text.suffix(2000)), seconds: Date().timeIntervalSince(begin))
    }
}
