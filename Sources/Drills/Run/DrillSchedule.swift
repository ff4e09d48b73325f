import Engine

/// The one schedule player: a drill's steps, its steady-state and abort guards, its
/// timeline, step errors and verdict, as a pure value with no clock and no thread — the way
/// the control plane is one pure type driven by two runtimes. A driver (the headless
/// `DrillRunner` in virtual or real time, the live `DrillPlayer` beside the dashboard, the
/// chaos soak, `attach --do`) tells it the time, carries out what it returns and reports
/// back; so a live and a headless run of the same drill are judged by the same code.
///
/// Times given to it are seconds since the drill started on the driver's clock, paused time
/// included; the schedule subtracts the time it spent paused.
public struct DrillSchedule: Sendable {
    /// What the driver must do now.
    public enum Action: Sendable, Equatable {
        /// Carry out step `index` of the drill, then report it with `applied(_:at:error:)`.
        case apply(index: Int, step: Drill.Step)
        /// The guards stopped the schedule: for `.abort`, heal every fault; the drill ends.
        case stop(DrillGuard.Verdict)
        /// The schedule has run its whole duration: finish and judge.
        case finished
    }

    /// Seconds between two looks of the guards (and between two throughput samples).
    public static let tick = 0.1

    public let drill: Drill
    /// The index of the next step due.
    public private(set) var next = 0
    /// The steps carried out, at the drill's time they were.
    public private(set) var applied: [(at: Double, command: Command)] = []
    /// Steps the target refused, with why.
    public private(set) var stepErrors: [String] = []
    /// The steps (and a stop) as timeline lines.
    public private(set) var entries: [TimelineEntry] = []
    /// Transfers read, sampled about every tick, for the throughput expectations.
    public private(set) var samples: [(time: Double, produced: Int64)] = []
    /// Why the schedule stopped early (`.ok` while it has not).
    public private(set) var stoppedBy = DrillGuard.Verdict.ok
    /// The last step's caption or the stop's reason, and the drill time it was said at.
    public private(set) var caption: (text: String, at: Double)?
    /// Whether the schedule has run its full duration or stopped.
    public private(set) var ended = false
    private var guardian: DrillGuard
    private var lastGuardCheck = -Double.infinity
    private var lastSample = -Double.infinity
    private var pausedAt: Double?
    private var pausedTotal = 0.0

    /// Seconds the schedule has spent paused (not counting a pause under way).
    public var pausedSeconds: Double { pausedTotal }

    public init(_ drill: Drill) {
        self.drill = drill
        guardian = DrillGuard(drill)
    }

    /// The drill's time at `clock` (the driver's seconds since the start, pauses included).
    public func elapsed(at clock: Double) -> Double { min(drill.duration, (pausedAt ?? clock) - pausedTotal) }

    /// Whether the schedule is paused.
    public var isPaused: Bool { pausedAt != nil }

    /// The drill's time of the next step, if one is left.
    public var nextStep: Drill.Step? { next < drill.steps.count ? drill.steps[next] : nil }

    /// Whether `advance(to:)` at `clock` will look at a snapshot (the guards are due, or a
    /// throughput sample is): a driver that pays for snapshots asks first.
    public func wantsSnapshot(at clock: Double) -> Bool {
        guard !ended, pausedAt == nil else { return false }
        let t = clock - pausedTotal
        return t - lastSample >= Self.tick - 1e-9 || (guardian.watches && (t - lastGuardCheck >= Self.tick - 1e-9 || stepDue(t)))
    }

    private func stepDue(_ t: Double) -> Bool { next < drill.steps.count && drill.steps[next].at <= t + 1e-9 }

    /// Moves the schedule to `clock`: samples the throughput, asks the guards (before the
    /// first step, whether the steady state held; at every tick, whether an abort condition
    /// fired), and returns the steps now due, a stop, or the end. `snapshot` is called only
    /// when the guards or a sample need it.
    public mutating func advance(to clock: Double, snapshot: () -> ClusterSnapshot) -> [Action] {
        guard !ended, pausedAt == nil else { return [] }
        let t = clock - pausedTotal
        var look: ClusterSnapshot?
        func current() -> ClusterSnapshot {
            if let look { return look }
            let s = snapshot()
            look = s
            return s
        }
        if t - lastSample >= Self.tick - 1e-9 {
            samples.append((t, current().produced))
            lastSample = t
        }
        if guardian.watches && (t - lastGuardCheck >= Self.tick - 1e-9 || stepDue(t)) {
            lastGuardCheck = t
            let verdict = guardian.check(current(), now: t, stepDue: stepDue(t) && next == 0)
            switch verdict {
            case .ok: break
            case let .notSteady(miss):
                stop(verdict, text: "steady state did not hold: \(miss.description); nothing injected", at: t)
                return [.stop(verdict)]
            case let .abort(miss):
                stop(verdict, text: "abort: \(miss.description); healed all, schedule stopped", at: t)
                return [.stop(verdict)]
            }
        }
        var out: [Action] = []
        while stepDue(t) {
            out.append(.apply(index: next, step: drill.steps[next]))
            next += 1
        }
        if t >= drill.duration - 1e-9 {
            ended = true
            out.append(.finished)
        }
        return out
    }

    /// Reports a step carried out at drill time `at` (`error`: the target refused it).
    public mutating func applied(_ step: Drill.Step, at: Double, error: CommandError?) {
        var text = "\(step.command)"
        if let error {
            stepErrors.append("step at \(DurationText.format(step.at)) (\(step.command)): \(error.description)")
            text += " — refused: \(error.description)"
            caption = ("\(step.command) refused: \(error.description)", at)
        } else {
            applied.append((at, step.command))
            if let c = step.caption { caption = (c, at) }
        }
        if let c = step.caption { text += " — \(c)" }
        entries.append(TimelineEntry(time: at, kind: "step", text: text))
    }

    /// Pauses the schedule at `clock` (the engine runs on); steps wait.
    public mutating func pause(at clock: Double) {
        if pausedAt == nil, !ended { pausedAt = clock }
    }

    /// Resumes a paused schedule: the time paused does not count.
    public mutating func resume(at clock: Double) {
        if let p = pausedAt {
            pausedTotal += clock - p
            pausedAt = nil
        }
    }

    /// The operator's abort (the dashboard's `!`): the schedule stops at once, the abort in
    /// its verdict. The driver heals. Returns false when the schedule had already ended.
    @discardableResult
    public mutating func abort(reason: String, at clock: Double) -> Bool {
        guard !ended else { return false }
        resume(at: clock)
        let t = clock - pausedTotal
        let miss = GuardMiss(check: "abort key", measured: reason, limit: "no abort", at: t)
        stop(.abort(miss), text: "ABORTED (\(reason)): healed all, schedule stopped", at: t)
        return true
    }

    private mutating func stop(_ verdict: DrillGuard.Verdict, text: String, at t: Double) {
        stoppedBy = verdict
        ended = true
        caption = (text, t)
        entries.append(TimelineEntry(time: t, kind: "abort", text: text))
    }

    /// Judges the finished run: the measurements from the engine's audit, events and
    /// recoveries (times since the drill started), every expectation, the guards' verdicts.
    public func result(runtime: String, verdict: AuditVerdict, events: [EngineEvent], recoveries: [ClusterSnapshot.Recovery],
                       receipts: [FaultReceipt], config: JobConfig?, wallSeconds: Double) -> DrillResult {
        var result = DrillResult(drill: drill, runtime: runtime, verdict: verdict, events: events, recoveries: recoveries,
                                 applied: applied, samples: samples, stepErrors: stepErrors, stepEntries: entries,
                                 wallSeconds: wallSeconds, receipts: receipts, rate: config?.rate)
        result.config = config
        result.judgeGuards(stoppedBy)
        if case let .abort(m) = stoppedBy, m.check == "abort key", drill.abort == nil {
            result.verdicts.append(ExpectationVerdict(name: "abort", expected: "no abort", measured: "\(m.description); healed, schedule stopped", passed: false))
        }
        return result
    }
}
