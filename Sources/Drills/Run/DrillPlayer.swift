import Engine
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Plays a drill on a running engine (threaded, or simulated at a watchable pace) in real time, beside the dashboard: steps at
/// their moments, pausable, and a verdict at the end (from the live audit; the engine
/// keeps running). Also records the session when given a `DrillRecord`.
public final class DrillPlayer: Sendable {
    /// What the dashboard shows of the drill.
    public struct Status: Sendable {
        public var name: String
        public var elapsed: Double
        public var duration: Double
        public var caption: String?
        /// Seconds into the drill when the caption's step ran.
        public var captionAt: Double?
        public var next: (at: Double, command: String)?
        public var paused: Bool
        public var result: DrillResult?
    }

    struct State {
        /// The one schedule player, driven here by the wall clock.
        var schedule: DrillSchedule?
        var result: DrillResult?
        var stop = false
        var lastRecord = -1.0
    }

    public let engine: any EngineRuntime & Sendable
    public let drill: Drill?
    let base: Double
    let state = Mutex(State())
    let thread = Mutex<pthread_t?>(nil)
    let record: Mutex<DrillRecord?>
    /// What only the target can judge when the drill ends (an attached Flink job's states,
    /// restores and guard), added to the result.
    let judge: (@Sendable (inout DrillResult) -> Void)?

    /// `drill` nil: only records (an interactive session with `--record`). `judge` adds the
    /// target's own verdicts to the result when the drill ends.
    public init(engine: any EngineRuntime & Sendable, drill: Drill?, record: sending DrillRecord?,
                judge: (@Sendable (inout DrillResult) -> Void)? = nil) {
        self.engine = engine
        self.drill = drill
        self.judge = judge
        base = engine.uptime
        self.record = Mutex(record)
        if let drill { state.withLock { $0.schedule = DrillSchedule(drill) } }
    }

    /// The operator's abort (the dashboard's `!`): heals every fault and stops the schedule;
    /// a drill playing ends at once with the abort in its verdict. Returns what it did.
    @discardableResult
    public func abort(reason: String) -> String {
        try? engine.apply(.heal(nil))
        let now = engine.uptime - base
        state.withLock { s in _ = s.schedule?.abort(reason: reason, at: now) }
        turn()
        return drill == nil ? "aborted: healed all" : "aborted: healed all, the drill's schedule stopped"
    }

    /// Starts the player: on the paced simulation, turned by its pacing thread after every
    /// move of virtual time (so a drill live is carried out at the instants it is headless);
    /// elsewhere on a thread of its own, every 10 ms.
    public func start() {
        if let paced = engine as? PacedSimulation {
            turn()
            paced.setTurnHook { [self] in
                turn()
                return nextStepUptime
            }
            return
        }
        let t = OSThread.start { [self] in
            while !state.withLock({ $0.stop }) {
                turn()
                var ts = timespec(tv_sec: 0, tv_nsec: 10_000_000)
                nanosleep(&ts, nil)
            }
        }
        thread.withLock { $0 = t }
    }

    /// Stops the thread and closes the record (fsync, rename).
    public func stop() throws(FileError) {
        state.withLock { $0.stop = true }
        (engine as? PacedSimulation)?.setTurnHook(nil)
        if let t = thread.withLock({ t in defer { t = nil }; return t }) { OSThread.join(t) }
        let snap = engine.snapshot()
        let now = engine.uptime - base
        try record.withLock { (r: inout DrillRecord?) throws(FileError) in
            guard let rec = r else { return }
            r = nil
            rec.writeNewEvents(rebased(snap.events))
            rec.writeReceipts(snap.receipts.map { $0.rebased(by: base) }, time: now)
            rec.writeSnapshot(snap.rebased(by: base), time: now)
            try rec.close()
        }
    }

    /// Pauses or resumes the schedule (the engine runs on); returns whether it is paused.
    public func setPaused(_ paused: Bool) -> Bool {
        let now = engine.uptime - base
        return state.withLock { s in
            if paused { s.schedule?.pause(at: now) } else { s.schedule?.resume(at: now) }
            return s.schedule?.isPaused ?? false
        }
    }

    /// The drill's progress now.
    public func status() -> Status? {
        guard let drill else { return nil }
        let now = engine.uptime - base
        return state.withLock { s in
            guard let sch = s.schedule else { return nil }
            return Status(name: drill.name, elapsed: sch.elapsed(at: now), duration: drill.duration, caption: sch.caption?.text,
                          captionAt: sch.caption?.at, next: sch.nextStep.map { ($0.at, $0.command.description) },
                          paused: sch.isPaused, result: s.result)
        }
    }

    /// The engine's time of the drill's next step, while one is left.
    public var nextStepUptime: Double? {
        state.withLock { s in
            guard let sch = s.schedule, !sch.ended, !sch.isPaused, let step = sch.nextStep else { return nil }
            return base + sch.pausedSeconds + step.at
        }
    }

    /// The result once the drill has ended.
    public var result: DrillResult? { state.withLock { $0.result } }

    /// Once the engine has finished (the session stopped; its sink still open): holds the
    /// final audit against an independent recount, as the headless runner does, and adds
    /// that verdict (`tells_truth`) to the drill's result. Does nothing before the drill's
    /// end, or a second time.
    public func judgeTruth(finalVerdict: AuditVerdict) {
        guard drill != nil, state.withLock({ s in s.result.map { r in !r.verdicts.contains { $0.name == "tells_truth" } } ?? false }),
              let truth = TruthCheck.judge(finalVerdict, engine: engine) else { return }
        state.withLock { $0.result?.verdicts.append(truth) }
    }

    private func rebased(_ events: [EngineEvent]) -> [EngineEvent] { events.map { var e = $0; e.time -= base; return e } }

    /// One turn of the player: a record frame when one is due, then the schedule moved to
    /// now, its steps carried out, and the verdict once it has ended. Its thread turns it
    /// every 10 ms; a test in virtual time turns it after each move of a simulated engine.
    public func turn() {
        let now = engine.uptime - base
        let frameDue = state.withLock { s in
            guard now - s.lastRecord >= DrillRecord.frameInterval - 1e-9 else { return false }
            s.lastRecord = now
            return true
        }
        if frameDue {
            let snap = engine.snapshot()
            record.withLock { r in
                r?.writeNewEvents(rebased(snap.events))
                r?.writeReceipts(snap.receipts.map { $0.rebased(by: base) }, time: now)
                r?.writeSnapshot(snap.rebased(by: base), time: now)
            }
        }
        guard drill != nil else { return }
        // The schedule decides under the lock; its steps are carried out outside it.
        let actions: [DrillSchedule.Action] = state.withLock { s in
            guard s.result == nil, var sch = s.schedule else { return [] }
            let a = sch.advance(to: now, snapshot: { engine.snapshot() })
            s.schedule = sch
            return a
        }
        for action in actions {
            switch action {
            case let .apply(_, step):
                let at = engine.uptime - base
                var refused: CommandError?
                do throws(CommandError) { try engine.apply(step.command) } catch { refused = error }
                state.withLock { $0.schedule?.applied(step, at: at, error: refused) }
            case let .stop(verdict):
                if case .abort = verdict { try? engine.apply(.heal(nil)) }
            case .finished: break
            }
        }
        guard let schedule = state.withLock({ s in s.result == nil && s.schedule?.ended == true ? s.schedule : nil }) else { return }
        let snap = engine.snapshot()
        var result = schedule.result(runtime: "\(engine.runtimeName) (live)", verdict: snap.audit, events: rebased(snap.events),
                                     recoveries: snap.recoveries.map { var r = $0; r.at -= base; return r },
                                     receipts: snap.receipts.map { $0.rebased(by: base) }, config: engine.config, wallSeconds: now)
        judge?(&result)
        state.withLock { $0.result = result }
    }
}
