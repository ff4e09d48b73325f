import ArgumentParser
import Engine
import Flink

extension AttachCommand.Flink {
    /// The attach flags that need reading (durations, headers, templates, TLS), checked before
    /// anything talks to the cluster: a bad one is a usage error naming the flag (exit 2).
    struct Settings {
        var poll: Double
        var commandTimeout: Double
        var headers: [FlinkClient.Header]
        var tls: FlinkClient.TLS
        var hang: CommandTemplate?
        var heal: CommandTemplate?
        var readOnly: Bool
        /// The judge of a job that is not the lab's payments job (`--audit`, `--audit-command`).
        var judge: (any OutputAudit)?

        init(_ c: AttachCommand.Flink) throws {
            guard let p = DurationText.parse(c.poll), p >= 0.2, p <= 60 else {
                throw ValidationError("--poll must be a duration from 200ms to 60s, like 1s or 5s; got '\(c.poll)'")
            }
            poll = p
            guard let t = DurationText.parse(c.commandTimeout), t > 0, t <= 600 else {
                throw ValidationError("--command-timeout must be a duration up to 10m, like 10s; got '\(c.commandTimeout)'")
            }
            commandTimeout = t
            do throws(FlinkError) {
                var hs: [FlinkClient.Header] = []
                for text in c.headers { hs.append(try FlinkClient.Header(text)) }
                headers = hs
                hang = nil
                heal = nil
                if let text = c.hangCommand { hang = try CommandTemplate(text) }
                if let text = c.healCommand { heal = try CommandTemplate(text) }
            } catch { throw ValidationError(error.description) }
            if c.insecure && c.cacert != nil { throw ValidationError("--insecure and --cacert contradict each other: give one") }
            tls = c.insecure ? .insecure : c.cacert.map { .authority($0) } ?? .system
            readOnly = c.readOnly
            judge = try Self.judge(c, timeout: commandTimeout, poll: poll)
            if c.readOnly && !c.steps.isEmpty { throw ValidationError("--read-only refuses every fault: drop --do, or --read-only") }
            if c.readOnly && c.drill != nil { throw ValidationError("--read-only refuses every fault: a drill cannot play with it") }
        }

        /// `--audit SPEC` or `--audit-command CMD`, checked now: a column that is not in the
        /// files, a format that does not parse, a program that is not there, an object-store
        /// path are usage errors naming the flag, before anything talks to the cluster.
        static func judge(_ c: AttachCommand.Flink, timeout: Double, poll: Double) throws -> (any OutputAudit)? {
            if c.audit != nil && c.auditCommand != nil { throw ValidationError("--audit and --audit-command both judge the job: give one") }
            do throws(FlinkError) {
                if let text = c.audit {
                    let a = FileAudit(spec: try AuditSpec(text))
                    try a.check()
                    return a
                }
                if let text = c.auditCommand {
                    let t = try CommandTemplate(text, placeholder: "{output}")
                    guard t.program != nil else {
                        throw FlinkError.malformed(url: "--audit-command", expected: "a program on PATH or an executable path", why: "'\(t.words[0])' is not found")
                    }
                    if t.words.contains(where: { $0.contains("{output}") }), c.output == nil {
                        throw FlinkError.malformed(url: "--audit-command", expected: "--output DIR for {output}", why: "no --output given")
                    }
                    let output = try c.output.map { o throws(FlinkError) in try AuditSpec.localPath(o, flag: "--output") } ?? ""
                    return CommandAudit(template: t, output: output, timeout: timeout, every: max(5, poll))
                }
            } catch { throw ValidationError(error.description) }
            return nil
        }

        /// Carries the fault settings over to the cluster's actions.
        func apply(to actions: FlinkActions, headless: Bool) {
            actions.hangTemplate = hang
            actions.healTemplate = heal
            actions.commandTimeout = commandTimeout
            actions.readOnly = readOnly
            // The screen never waits on a template; a headless --do step does (its outcome decides the exit).
            actions.background = !headless
        }
    }
}
