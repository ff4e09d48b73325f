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
            if c.readOnly && !c.steps.isEmpty { throw ValidationError("--read-only refuses every fault: drop --do, or --read-only") }
            if c.readOnly && c.drill != nil { throw ValidationError("--read-only refuses every fault: a drill cannot play with it") }
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
