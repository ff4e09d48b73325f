import Engine
import Flink
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
        var next = 0
        var caption: String?
        var captionAt: Double?
        var pausedAt: Double?
        var pausedTotal = 0.0
        var applied: [(at: Double, command: Command)] = []
        var errors: [String] = []
        var samples: [(time: Double, produced: Int64)] = []
        var result: DrillResult?
        var stop = false
        /// The steady state and abort conditions, watched every 100 ms.
        var guardian: DrillGuard?
        var lastGuardCheck = -1.0
        /// Why the schedule stopped early (the steady state, an abort condition, the abort key).
        var stoppedBy = DrillGuard.Verdict.ok
    }

    public let engine: any EngineRuntime & Sendable
    public let drill: Drill?
    let base: Double
    let state = Mutex(State())
    let thread = Mutex<pthread_t?>(nil)
    let record: Mutex<DrillRecord?>

    /// `drill` nil: only records (an interactive session with `--record`).
    public init(engine: any EngineRuntime & Sendable, drill: Drill?, record: sending DrillRecord?) {
        self.engine = engine
        self.drill = drill
        base = engine.uptime
        self.record = Mutex(record)
        if let drill { state.withLock { $0.guardian = DrillGuard(drill) } }
    }

    /// The operator's abort (the dashboard's `!`): heals every fault and stops the schedule;
    /// a drill playing ends at once with the abort in its verdict. Returns what it did.
    @discardableResult
    public func abort(reason: String) -> String {
        try? engine.apply(.heal(nil))
        let now = engine.uptime - base
        let miss = GuardMiss(check: "abort key", measured: reason, limit: "no abort", at: now)
        state.withLock { s in
            guard s.stoppedBy == .ok else { return }
            s.stoppedBy = .abort(miss)
            s.pausedAt = nil
            s.caption = "ABORTED (\(reason)): healed all, schedule stopped"
            s.captionAt = now
        }
        return drill == nil ? "aborted: healed all" : "aborted: healed all, the drill's schedule stopped"
    }

    /// Starts the schedule's thread.
    public func start() {
        let t = OSThread.start { [self] in loop() }
        thread.withLock { $0 = t }
    }

    /// Stops the thread and closes the record (fsync, rename).
    public func stop() throws(FileError) {
        state.withLock { $0.stop = true }
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
            if paused, s.pausedAt == nil, s.result == nil { s.pausedAt = now }
            if !paused, let at = s.pausedAt { s.pausedTotal += now - at; s.pausedAt = nil }
            return s.pausedAt != nil
        }
    }

    /// The drill's progress now.
    public func status() -> Status? {
        guard let drill else { return nil }
        let now = engine.uptime - base
        return state.withLock { s in
            let elapsed = min(drill.duration, (s.pausedAt ?? now) - s.pausedTotal)
            let next = s.next < drill.steps.count ? (drill.steps[s.next].at, drill.steps[s.next].command.description) : nil
            return Status(name: drill.name, elapsed: elapsed, duration: drill.duration, caption: s.caption, captionAt: s.captionAt, next: next,
                          paused: s.pausedAt != nil, result: s.result)
        }
    }

    /// The result once the drill has ended.
    public var result: DrillResult? { state.withLock { $0.result } }

    private func rebased(_ events: [EngineEvent]) -> [EngineEvent] { events.map { var e = $0; e.time -= base; return e } }

    private func loop() {
        var lastSample = -1.0, lastRecord = -1.0
        while !state.withLock({ $0.stop }) {
            let now = engine.uptime - base
            if now - lastSample >= 0.1 {
                let produced = engine.snapshot().produced
                state.withLock { $0.samples.append((now, produced)) }
                lastSample = now
            }
            if now - lastRecord >= DrillRecord.frameInterval - 1e-9 {
                lastRecord = now
                let snap = engine.snapshot()
                record.withLock { r in
                    r?.writeNewEvents(rebased(snap.events))
                    r?.writeReceipts(snap.receipts.map { $0.rebased(by: base) }, time: now)
                    r?.writeSnapshot(snap.rebased(by: base), time: now)
                }
            }
            if let drill { play(drill, now: now) }
            var ts = timespec(tv_sec: 0, tv_nsec: 10_000_000)
            nanosleep(&ts, nil)
        }
    }

    private func play(_ drill: Drill, now: Double) {
        // Due steps, taken under the lock, applied outside it.
        // The steady state and abort conditions, every 100 ms while the drill plays.
        let watch = state.withLock { s in s.result == nil && s.pausedAt == nil && s.stoppedBy == .ok && s.guardian != nil && now - s.lastGuardCheck >= 0.1 }
        if watch {
            let snap = engine.snapshot()
            let stop: DrillGuard.Verdict = state.withLock { s in
                s.lastGuardCheck = now
                let elapsed = now - s.pausedTotal
                let due = s.next == 0 && (drill.steps.first.map { $0.at <= elapsed } ?? false)
                guard var g = s.guardian else { return .ok }
                let v = g.check(snap, now: elapsed, stepDue: due)
                s.guardian = g
                switch v {
                case .ok: break
                case let .notSteady(m):
                    s.stoppedBy = v
                    s.caption = "STEADY STATE DID NOT HOLD: \(m.description); nothing injected"
                    s.captionAt = elapsed
                case let .abort(m):
                    s.stoppedBy = v
                    s.caption = "ABORTED: \(m.description); healed all, schedule stopped"
                    s.captionAt = elapsed
                }
                return v
            }
            if case .abort = stop { try? engine.apply(.heal(nil)) }
        }
        let due: [Drill.Step] = state.withLock { s in
            guard s.pausedAt == nil, s.result == nil, s.stoppedBy == .ok else { return [] }
            let elapsed = now - s.pausedTotal
            var out: [Drill.Step] = []
            while s.next < drill.steps.count && drill.steps[s.next].at <= elapsed {
                out.append(drill.steps[s.next])
                s.next += 1
            }
            return out
        }
        for step in due {
            do throws(CommandError) {
                try engine.apply(step.command)
                state.withLock { s in
                    s.applied.append((now, step.command))
                    if let c = step.caption { s.caption = c; s.captionAt = step.at }
                }
            } catch {
                state.withLock { s in
                    s.errors.append("step at \(DurationText.format(step.at)) (\(step.command)): \(error.description)")
                    s.caption = "\(step.command) refused: \(error.description)"
                    s.captionAt = step.at
                }
            }
        }
        let ended = state.withLock { s in s.result == nil && (s.stoppedBy != .ok || s.pausedAt == nil && now - s.pausedTotal >= drill.duration) }
        guard ended else { return }
        let snap = engine.snapshot()
        let (applied, samples, errors, stoppedBy) = state.withLock { ($0.applied, $0.samples, $0.errors, $0.stoppedBy) }
        let recoveries = snap.recoveries.map { var r = $0; r.at -= base; return r }
        let steps = applied.map { TimelineEntry(time: $0.at, kind: "step", text: $0.command.description) }
        var result = DrillResult(drill: drill, runtime: "\(engine.runtimeName) (live)", verdict: snap.audit, events: rebased(snap.events),
                                 recoveries: recoveries, applied: applied, samples: samples, stepErrors: errors,
                                 stepEntries: steps, wallSeconds: now)
        result.receipts = snap.receipts.map { $0.rebased(by: base) }
        result.config = engine.config
        result.judgeGuards(stoppedBy)
        // On Flink the job runs on: judged from what it did so far, recounted now.
        if let flink = engine as? FlinkRuntime { result.judgeFlink(flink.outcomeNow()) }
        if case let .abort(m) = stoppedBy, m.check == "abort key", drill.abort == nil {
            result.verdicts.append(ExpectationVerdict(name: "abort", expected: "no abort", measured: "\(m.description); healed, schedule stopped", passed: false))
        }
        state.withLock { $0.result = result }
    }
}

