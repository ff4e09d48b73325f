import Engine
import Foundation

/// Judges a job by a user's command (`--audit-command 'check-orders {output}'`): run in the
/// background with a timeout, at most once every `every` seconds, it prints one JSON object
/// `{"audited": N, "lost": N, "duplicated": N, "wrong": N, "message": "…"}` (message
/// optional). A command that fails, times out or prints anything else is an AUDIT FAILED,
/// with what it did; its last good answer is not shown as if it were current.
public final class CommandAudit: OutputAudit, @unchecked Sendable {
    public let template: CommandTemplate
    public let output: String
    public let timeout: Double
    public let every: Double
    let lock = NSLock()
    var current = LedgerAuditor.Verdict()
    var problem: String? = "the audit command has not answered yet"
    var running = false
    var lastStart: Date?

    /// The answer the command prints.
    public struct Answer: Decodable, Sendable, Equatable {
        public var audited: Int64
        public var lost: Int64
        public var duplicated: Int64
        public var wrong: Int64
        public var message: String?
    }

    public init(template: CommandTemplate, output: String, timeout: Double, every: Double = 5) {
        self.template = template
        self.output = output
        self.timeout = timeout
        self.every = every
    }

    public var verdict: LedgerAuditor.Verdict { lock.withLock { current } }
    public var auditVerdict: AuditVerdict { verdict.plainAuditVerdict }
    public var failure: String? { lock.withLock { problem } }

    /// Starts a run unless one runs or one started less than `every` seconds ago (`final`: now).
    @discardableResult
    public func refresh(final: Bool = false) -> Int {
        let start: Bool = lock.withLock {
            guard !running, final || lastStart.map({ Date().timeIntervalSince($0) >= every }) ?? true else { return false }
            running = true
            lastStart = Date()
            return true
        }
        guard start else { return 0 }
        if final { runOnce() } else { Thread.detachNewThread { [self] in runOnce() } }
        return 1
    }

    /// Waits for a run under way (up to the timeout), then runs once more to its end: the
    /// verdict of a last look is about the output as it is now.
    public func settle() {
        let end = Date().addingTimeInterval(timeout + 1)
        while lock.withLock({ running }) && Date() < end { Thread.sleep(forTimeInterval: 0.02) }
        lock.withLock { running = true }
        runOnce()
    }

    /// Runs the command to its end (or timeout) and takes its answer.
    public func runOnce() {
        let outcome = TemplateRunner.run(template.arguments(id: output), timeout: timeout)
        let judged = Self.judge(outcome)
        lock.withLock {
            running = false
            switch judged {
            case let .success(v):
                current = v
                problem = nil
            case let .failure(why):
                problem = why.description
            }
        }
    }

    /// The verdict in a command's outcome, or why there is none.
    public static func judge(_ outcome: TemplateOutcome) -> Result<LedgerAuditor.Verdict, FlinkError> {
        guard outcome.succeeded else { return .failure(.malformed(url: "--audit-command", expected: "exit 0 and one JSON object", why: outcome.description)) }
        let lines = outcome.output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let last = lines.last(where: { $0.hasPrefix("{") }) else {
            return .failure(.malformed(url: "--audit-command", expected: "one JSON object {audited, lost, duplicated, wrong[, message]}", why: "it printed none: \(outcome.output.suffix(120))"))
        }
        let a: Answer
        do { a = try JSONDecoder().decode(Answer.self, from: Data(last.utf8)) } catch {
            return .failure(.malformed(url: "--audit-command", expected: "one JSON object {audited, lost, duplicated, wrong[, message]}", why: FlinkClient.reason(error)))
        }
        guard a.audited >= 0, a.lost >= 0, a.duplicated >= 0, a.wrong >= 0 else {
            return .failure(.malformed(url: "--audit-command", expected: "counts of 0 or more", why: last))
        }
        var v = LedgerAuditor.Verdict()
        v.transfers = a.audited
        v.rows = a.audited
        v.lost = a.lost
        v.duplicated = a.duplicated
        v.wrong = a.wrong
        v.firstProblem = a.message
        return .success(v)
    }
}
