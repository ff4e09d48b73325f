import ArgumentParser
import Dashboard
import Drills
import Engine
import Terminal

/// `firedrill replay FILE.jsonl`: the dashboard on a record, with pause, step, seek and pace.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Open the dashboard on a record (--record FILE): every panel as it was, with pause, step, seek and speed. Nothing runs, nothing changes.",
        discussion: "Keys: . pause/play, n next event (paused), ← → 5 s back/on, g G start/end, [ ] slower/faster, Tab receipts/log, / filter, q quit. Exit 2 for a record that is missing, cut short, malformed or from a newer firedrill (the error names the line). --check: exit 1 at the first violation of the screen's promises."
    )

    @Argument(help: "The record: a JSON Lines file written by --record (or an asciicast written by --cast, FILE.cast: played on this terminal; --info lists its chapters).")
    var file: String

    @Option(help: "Start here: seconds into the record (e.g. 12s, 1m30s).")
    var at: String?

    @Option(help: "Seconds of the record per real second, 0.1 to 10 ('[' and ']' change it).")
    var speed: Double = 1

    @Flag(help: "Start paused.")
    var paused = false

    @Flag(help: "Print what the record holds (span, frames, events, receipts, verdict) instead of opening the dashboard.")
    var info = false

    @Flag(help: "Hold the record to the screen's promises instead of opening the dashboard: figures and checkpoint ids never go back, nor restarts; a node shown down or hung was so in the events; receipt steps after their fault; every node-down in a receipt; the verdict's age never reset without a newer audit. Exit 0 with a summary, 1 with the first violation and the frames around it, 2 for a record that cannot be read.")
    var check = false

    @OptionGroup var screen: ScreenOptions

    @Option(help: "Record the replay as an asciicast v2 file, with chapter marks.")
    var cast: String?

    func run() throws {
        guard TimeSpeed.range.contains(speed) else { throw ValidationError("--speed \(speed) is outside 0.1–10 (record seconds per real second)") }
        let refreshMillis = try screen.refreshMillis()
        var start: Double?
        if let at {
            guard let t = DurationText.parse(at), t >= 0 else { throw ValidationError("--at must be a duration like 12s or 1m30s; got '\(at)'") }
            start = t
        }
        if check && file.hasSuffix(".cast") { throw ValidationError("--check reads a record (--record FILE), not an asciicast") }
        if file.hasSuffix(".cast") {
            let cast: CastFile
            do { cast = try CastFile.read(file) } catch { throw ValidationError(error.description) }
            if let t = start, t > cast.duration + 1e-9 { throw ValidationError("--at \(at ?? ""): the cast ends at \(DurationText.format(cast.duration))") }
            if info || !TerminalCheck.isInteractive {
                print(CastPlayback.info(cast))
                return
            }
            CastPlayback.play(cast, speed: speed, from: start ?? 0)
            return
        }
        let recording: Recording
        do { recording = try RecordReader.read(file) } catch { throw ValidationError(error.description) }
        if let t = start, t > recording.end + 1e-9 {
            throw ValidationError("--at \(at ?? ""): the record ends at \(DurationText.format(recording.end))")
        }
        if info {
            print(Self.info(recording))
            return
        }
        if check {
            let result = RecordCheck.check(recording)
            print(RecordCheck.report(result, recording))
            if result.violation != nil { throw ExitCode(1) }
            return
        }
        let (themes, startMessage) = try DashboardCommand.themes(first: screen.theme)
        guard TerminalCheck.isInteractive else {
            var err = StandardError()
            print("firedrill: replay needs a terminal it can draw on (\(TerminalCheck.refusal ?? "")); without one, 'firedrill replay \(file) --info' says what the record holds", to: &err)
            throw ExitCode(2)
        }
        let source = ReplaySource(recording)
        try source.setSpeed(speed)
        if let t = start { source.seek(to: t) }
        if paused { source.setPaused(true) }
        let h = recording.header
        let job = ViewModel.Job(name: h.title, nodes: h.nodes, dataShards: h.dataShards, parityShards: h.parityShards,
                                replicas: h.replicas, queueCapacity: h.queueCapacity, expectedMoney: h.expectedMoney, accounts: h.accounts)
        var options = DashboardApp.Options(refreshMillis: refreshMillis, themes: themes, noColor: screen.colorless, job: job, startMessage: startMessage)
        options.mouse = !screen.noMouse
        if startMessage == nil {
            options.startMessage = ("replay of \(file) (\(DurationText.format(recording.end - recording.start))): . pauses, ← → move 5 s, g G start/end, n next event", false)
        }
        var recorder: CastRecorder?
        if let cast {
            do { recorder = try CastRecorder(path: cast, title: "firedrill replay · \(h.title)") } catch { throw ValidationError(error.description) }
        }
        let app = DashboardApp(source: source, options: options, cast: recorder)
        do { _ = try app.run(onQuit: {}) } catch { throw RuntimeFailure("cannot open the dashboard: \(error.description)") }
        do throws(CastRecorder.CastError) { try recorder?.finish() } catch { throw RuntimeFailure(error.description) }
    }

    /// What a record holds, in a few lines.
    static func info(_ r: Recording) -> String {
        let h = r.header
        let last = r.frames[r.frames.count - 1].snapshot
        let a = last.audit
        let faults = Set(r.receipts.map(\.receipt.id)).count
        var lines = [
            "\(r.file): \(RecordHeader.formatName) version \(h.version), \(h.runtime) runtime\(h.drill.map { ", drill \($0)" } ?? "")",
            "job: \(h.title), \(h.nodes) nodes, RS(\(h.dataShards)+\(h.parityShards)), \(h.replicas) standby, \(h.accounts) accounts",
            "span: \(DurationText.format(r.start)) to \(DurationText.format(r.end)) (\(r.frames.count) frames), \(r.events.count) events, \(faults) fault receipt\(faults == 1 ? "" : "s")",
        ]
        lines.append("last frame: \(last.sinkCommittedTransfers) committed, \(a.committedTransfers) audited at checkpoint \(a.checkpoint.map(String.init) ?? "none"): "
                     + (a.exact ? "exact" : "NOT exact") + ", \(a.lost) lost, \(a.duplicated) duplicated, money \(a.moneyConserved ? "conserved" : "NOT conserved")")
        return lines.joined(separator: "\n")
    }
}
