import CNCurses
#if canImport(Glibc)
import Glibc
#endif
import Dashboard
import Drills
import Engine
import Synchronization

/// The dashboard's loop: owns the screen, reads keys, takes a snapshot each refresh,
/// renders it and flushes what changed. Runs on the calling thread until `q`, Ctrl-C or
/// SIGTERM; the engine runs beside it on its own threads.
public final class DashboardApp {
    /// How the loop ended.
    public enum Ending: Sendable, Equatable { case quit, signal }

    public struct Options: Sendable {
        public var refreshMillis: Int
        /// The themes `t` cycles through, the first one shown first.
        public var themes: [Theme]
        public var noColor: Bool
        public var job: ViewModel.Job
        /// A message for the footer at start (theme warnings, for instance).
        public var startMessage: (text: String, isError: Bool)?
        /// Every fault key and command refused (`--read-only`).
        public var readOnly = false
        /// Large captions, `.`/space pause, `[` `]` pace (`--presenter`).
        public var presenter = false
        /// The job as it runs and its standby copies, for `:save NAME`.
        public var config: JobConfig?
        public var replicas = 1
        /// Clicks select a node row, the wheel scrolls (off: `--no-mouse`).
        public var mouse = true

        public init(refreshMillis: Int, themes: [Theme], noColor: Bool, job: ViewModel.Job, startMessage: (text: String, isError: Bool)? = nil) {
            self.refreshMillis = refreshMillis
            self.themes = themes.isEmpty ? [.builtIn] : themes
            self.noColor = noColor
            self.job = job
            self.startMessage = startMessage
        }
    }

    let source: LiveSource
    let options: Options
    /// Where the session is recorded as asciicast v2 (`--cast`); the screen's thread writes it.
    let cast: CastRecorder?
    /// Every operator command carried out, with the engine's time: the session `:save` writes.
    public private(set) var session: [(at: Double, command: Command)] = []

    public init(source: LiveSource, options: Options, cast: CastRecorder? = nil) {
        self.source = source
        self.options = options
        self.cast = cast
    }

    /// Runs until the operator quits, then runs `onQuit` (the engine's shutdown: final
    /// checkpoint, commit, audit) on a thread of its own while the screen keeps drawing
    /// what it is doing; the screen is closed when this returns.
    public func run(onQuit: @escaping @Sendable () -> Void) throws(Screen.OpenError) -> Ending {
        let screen = try Screen(noColor: options.noColor, mouse: options.mouse)
        var marks = CastMarks()
        defer { screen.close() }
        var state = DashboardState(refreshMillis: options.refreshMillis)
        let replay = source as? ReplaySource
        state.readOnly = options.readOnly || replay != nil
        state.replay = replay != nil
        // An attached cluster (alone, or playing a drill) has no fault receipts: its log first.
        if source is FlinkSource || source.snapshot().attached != nil { state.bottom = .events }
        state.presenter = options.presenter
        let pacer = source.pacer()
        var themeIndex = 0
        let colors = screen.colors
        func theme() -> Theme { options.themes[themeIndex % options.themes.count].adapted(to: colors) }
        var current = theme()
        var snapshot = source.snapshot()
        var receiptFollow = ReceiptFollow()
        if let m = options.startMessage { state.say(m.text, error: m.isError, at: snapshot.uptime) }
        var nextFrame = 0.0
        var ending = Ending.quit
        loop: while true {
            if SignalGuard.stopRequested { ending = .signal; break }
            let wait = max(0, Int((nextFrame - monotonicSeconds()) * 1000))
            let (key, resized) = screen.readKey(timeoutMillis: wait)
            var redraw = resized
            if resized { screen.invalidate() }
            if let key {
                redraw = true
                let layout = DashboardView.Layout.make(width: screen.width, height: screen.height, nodes: snapshot.nodes.count, drill: source.drillStatus() != nil)
                var context = DashboardState.Context(
                    nodes: snapshot.nodes.count, shards: options.job.dataShards + options.job.parityShards,
                    latestCheckpoint: snapshot.checkpoints.last { $0.status == .complete }?.id,
                    receipts: ReceiptsPanel.visible(snapshot.receipts, filter: state.filter).count,
                    nodeRows: (layout.nodes.y + 2, max(0, layout.nodes.height - 3)))
                context.names = snapshot.nodes.compactMap(\.name)
                context.attached = snapshot.attached
                let now = snapshot.uptime
                for effect in state.handle(key, context: context, now: now) {
                    switch effect {
                    case let .command(c):
                        do throws(CommandError) {
                            try source.apply(c)
                            session.append((source.snapshot().uptime, c))
                            state.say("\(c): done", at: now)
                        } catch {
                            state.say("\(c): \(error.description)", error: true, at: now)
                        }
                    case .quit:
                        break loop
                    case .refreshChanged:
                        break
                    case .nextTheme:
                        themeIndex += 1
                        current = theme()
                        state.say("theme \(current.name)", at: now)
                    case .toggleSchedule:
                        toggleSchedule(&state, now: now)
                    case .togglePause:
                        if let replay {
                            replay.setPaused(!replay.isPaused)
                            state.timePaused = replay.isPaused
                            snapshot = source.snapshot()
                            state.say(state.timePaused ? "replay paused at \(Self.position(replay)); . plays, n steps to the next event, ← → move 5 s" : "replay plays at \(Self.speedText(replay.speed)) from \(Self.position(replay))", at: snapshot.uptime)
                        } else if let pacer {
                            pacer.setPaused(!pacer.isPaused)
                            state.timePaused = pacer.isPaused
                            state.say(state.timePaused ? "time paused (the simulation and any drill stand still); . resumes, n steps one event" : "time runs again at \(Self.speedText(pacer.speed))", at: now)
                        } else if source.drillStatus() != nil {
                            toggleSchedule(&state, now: now)
                        } else {
                            state.say("nothing to pause: the threaded engine runs in real time (--simulated can pause and step)", error: true, at: now)
                        }
                    case let .changeSpeed(faster):
                        guard let pacer else {
                            state.say("the pace changes on the simulated runtime only (firedrill --simulated)", error: true, at: now)
                            break
                        }
                        let speed = pacer.stepSpeed(faster: faster)
                        state.say("\(replay == nil ? "simulated" : "replayed") time at \(Self.speedText(speed)) (0.1×–10×)", at: now)
                    case let .setSpeed(x):
                        guard let pacer else {
                            state.say("the pace changes on the simulated runtime only (firedrill --simulated)", error: true, at: now)
                            break
                        }
                        do throws(SpeedError) {
                            try pacer.setSpeed(x)
                            state.say("\(replay == nil ? "simulated" : "replayed") time at \(Self.speedText(x))", at: now)
                        } catch {
                            state.say("\(error.description); nothing changed", error: true, at: now)
                        }
                    case let .saveDrill(name):
                        guard let config = options.config else {
                            state.say("this session cannot be saved as a drill", error: true, at: now)
                            break
                        }
                        guard !session.isEmpty else {
                            state.say("nothing to save yet: no fault or command in this session", error: true, at: now)
                            break
                        }
                        let text = SessionDrill.text(name: name, config: config, replicas: options.replicas, steps: session,
                                                     snapshot: source.snapshot(), runtime: source.pacer() == nil ? "threaded" : "simulated")
                        do throws(FileError) {
                            let path = try SessionDrill.save(name: name, text: text)
                            state.say("saved \(session.count) steps as drill \(name) (\(path)); run it: firedrill drill \(name)", at: now)
                        } catch {
                            state.say("save: \(error.description)", error: true, at: now)
                        }
                    case .abort:
                        let said = source.abort()
                        state.say(said, at: now)
                        cast?.marker("abort: \(said)")
                    case .stepEvent:
                        guard let pacer, pacer.isPaused else {
                            state.say(pacer == nil ? "stepping works on the simulated runtime only (firedrill --simulated)" : "pause first (.), then n steps one event", error: true, at: now)
                            break
                        }
                        // A replay steps to its next event however far; the simulation runs at most 10 s on.
                        let events = pacer.stepToNextEvents(maxSeconds: replay == nil ? 10 : .infinity)
                        snapshot = source.snapshot()
                        if let e = events.first {
                            let more = events.count > 1 ? " (+\(events.count - 1) more in the same millisecond)" : ""
                            // A record's frames are 200 ms apart: the tables show the last frame
                            // before the event, which may not show it yet. Say so.
                            let frame = replay != nil && e.time - snapshot.uptime > 0.001
                                ? " · tables as of \(Format.fixed(snapshot.uptime, 3))s, the frame before it" : ""
                            state.say("stepped to \(Format.fixed(e.time, 3))s: \(e.message)\(more)\(frame)", at: snapshot.uptime)
                        } else {
                            state.say(replay == nil ? "no event within 10 s of simulated time" : "no event after this in the record", at: now)
                        }
                    case let .seek(seconds):
                        guard let replay else {
                            state.say("← and → move through a record: firedrill replay FILE.jsonl (a live engine cannot go back)", error: true, at: now)
                            break
                        }
                        replay.seek(by: seconds)
                        snapshot = source.snapshot()
                        state.say("\(seconds < 0 ? "back" : "on") \(Format.fixed(abs(seconds), 0)) s: at \(Self.position(replay))", at: snapshot.uptime)
                    case let .seekEdge(end):
                        guard let replay else { break }
                        replay.seek(to: end ? replay.recording.end : replay.recording.start)
                        snapshot = source.snapshot()
                        state.say("at the \(end ? "end" : "start") of the record: \(Self.position(replay))", at: snapshot.uptime)
                    }
                }
            }
            let t = monotonicSeconds()
            if redraw || t >= nextFrame {
                if !state.frozen { snapshot = source.snapshot() }
                if let replay { state.timePaused = replay.isPaused }  // it pauses itself at the end
                // The receipt the operator chose stays chosen while new ones arrive.
                receiptFollow.apply(to: &state.receiptSelection, shown: ReceiptsPanel.visible(snapshot.receipts, filter: state.filter))
                if let cast = cast { for m in marks.new(snapshot, drill: source.drillStatus()) { cast.marker(m) } }
                draw(screen, snapshot: snapshot, state: state, theme: current, colors: colors)
                nextFrame = t + Double(state.refreshMillis) / 1000
            }
        }
        // Keep drawing while the engine stops, saying which step it is in: never a frozen frame.
        state.overlay = .none
        state.frozen = false
        cast?.marker("quit: stopping the engine")
        let began = monotonicSeconds()
        let done = DoneFlag()
        guard let thread = OSThread.start({ onQuit(); done.set() }) else {
            state.say("stopping: final checkpoint, commit and audit…", at: snapshot.uptime)
            draw(screen, snapshot: source.snapshot(), state: state, theme: current, colors: colors)
            onQuit()
            return ending
        }
        while !done.isSet {
            snapshot = source.snapshot()
            let phase = snapshot.stopPhase.map(\.rawValue) ?? "pausing the sources"
            state.say("stopping: \(phase)… \(Int((monotonicSeconds() - began) * 1000)) ms", at: snapshot.uptime)
            draw(screen, snapshot: snapshot, state: state, theme: current, colors: colors)
            _ = screen.readKey(timeoutMillis: min(50, state.refreshMillis))  // keys are ignored now
        }
        OSThread.join(thread)
        return ending
    }

    private func toggleSchedule(_ state: inout DashboardState, now: Double) {
        if source.drillStatus() == nil {
            state.say("no drill is playing (start one with --drill NAME)", error: true, at: now)
        } else {
            state.schedulePaused = source.setSchedulePaused(!state.schedulePaused)
            let key = state.presenter ? "." : "p"
            state.say(state.schedulePaused ? "drill schedule paused; \(key) resumes" : "drill schedule resumed", at: now)
        }
    }

    static func speedText(_ x: Double) -> String {
        TimeSpeed.text(x)
    }

    /// Where a replay stands, as the footer says it.
    static func position(_ r: ReplaySource) -> String {
        "\(Format.fixed(r.now, 1)) s of \(Format.fixed(r.recording.end, 1)) s"
    }

    private func draw(_ screen: Screen, snapshot: ClusterSnapshot, state: DashboardState, theme: Theme, colors: Int) {
        var canvas = Canvas(width: screen.width, height: screen.height)
        var vm = ViewModel(snapshot: snapshot, state: state, theme: theme, job: options.job, drill: source.drillStatus(), color: colors > 0)
        vm.speed = source.pacer()?.speed
        if let r = source as? ReplaySource {
            let name = r.recording.file.split(separator: "/").last.map(String.init) ?? r.recording.file
            vm.replay = ViewModel.ReplayStatus(file: name, position: r.now, end: r.recording.end)
        }
        DashboardView.render(vm, into: &canvas)
        screen.flush(canvas)
        cast?.frame(canvas)
    }
}

/// Set once by the thread that stops the engine, read by the screen's thread.
final class DoneFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double { SystemClock.monotonicSeconds() }
