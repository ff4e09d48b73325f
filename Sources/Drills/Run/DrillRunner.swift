import Engine

/// Plays a drill's schedule on a target, samples it, and judges it at the end.
public struct DrillRunner {
    public var drill: Drill
    /// Where each step and notable event is reported as it happens (headless progress).
    public var onProgress: (String) -> Void = { _ in }
    /// Records snapshots and events as JSON Lines.
    public var record: DrillRecord?
    /// Asked at every turn: true stops the schedule there (an interrupt), as the abort key does.
    public var isCancelled: () -> Bool = { false }

    public init(drill: Drill) { self.drill = drill }

    /// Runs the drill to its end and returns the result: moves the target on the schedule's
    /// grid (every tick and every step's moment), carries out what the schedule says, then
    /// finishes the target (heal, a last checkpoint, the audit), has the schedule judge, and
    /// holds the final audit against an independent recount (`TruthCheck`).
    public func run(on target: DrillTarget) -> DrillResult {
        let wallStart = SystemClock.monotonicSeconds()
        var schedule = DrillSchedule(drill)
        var reported: EngineEvent?  // the last event reported (the log keeps only its newest)
        var ticks = 0
        var t = 0.0
        var lastRecord = -1.0
        while true {
            for action in schedule.advance(to: target.now, snapshot: { target.engine.snapshot() }) {
                switch action {
                case let .apply(_, step):
                    let at = target.now
                    do throws(CommandError) {
                        try target.apply(step.command)
                        schedule.applied(step, at: at, error: nil)
                    } catch {
                        schedule.applied(step, at: at, error: error)
                    }
                    onProgress("[\(Self.clock(at))] step      \(schedule.entries.last?.text ?? "")")
                case let .stop(verdict):
                    if case .abort = verdict { try? target.apply(.heal(nil)) }
                    onProgress("[\(Self.clock(target.now))] abort     \(schedule.entries.last?.text ?? "")")
                case .finished: break
                }
            }
            let events = target.events()
            let new = events.after(reported)
            for e in new where Self.isNotable(e) {
                onProgress("[\(Self.clock(e.time))] \(e.kind.rawValue.padding(9))\(e.node.map { " n\($0)" } ?? "") \(e.message)")
            }
            if let last = new.last { reported = last }
            if let record {
                record.writeNewEvents(events)
                record.writeReceipts(target.receipts(), time: target.now)
                if target.now - lastRecord >= DrillRecord.frameInterval - 1e-9 {
                    target.recordSnapshot(into: record)
                    lastRecord = target.now
                }
            }
            if !schedule.ended, isCancelled() {
                try? target.apply(.heal(nil))
                schedule.abort(reason: "interrupted", at: target.now)
                onProgress("[\(Self.clock(target.now))] abort     \(schedule.entries.last?.text ?? "")")
            }
            if schedule.ended { break }
            // The next tick (counted in integers, so rounding never stalls it) or step.
            while Double(ticks) * DrillSchedule.tick <= t + 1e-9 { ticks += 1 }
            t = min(drill.duration, min(schedule.nextStep?.at ?? .infinity, Double(ticks) * DrillSchedule.tick))
            target.advance(to: t)
        }
        let verdict = target.finish()
        let events = target.events()
        let receipts = target.receipts()
        record?.writeNewEvents(events)
        record?.writeReceipts(receipts, time: target.now)
        if let record { target.recordSnapshot(into: record) }
        var result = schedule.result(runtime: target.runtime, verdict: verdict, events: events, recoveries: target.recoveries(),
                                     receipts: receipts, config: target.engine.config, wallSeconds: SystemClock.monotonicSeconds() - wallStart)
        // The final audit against a second oracle, while the engine's sink is still open.
        if let truth = TruthCheck.judge(verdict, engine: target.engine) { result.verdicts.append(truth) }
        return result
    }

    /// Events worth a line in the timeline (not the routine checkpoint and commit ones). An
    /// attached cluster's account of an action in words (which file and byte a rot flipped,
    /// which PID a signal went to) is one; the typed command itself is already the step.
    static func isNotable(_ e: EngineEvent) -> Bool {
        switch e.kind {
        case .detection, .recovery, .repair, .error, .restore, .audit: true
        case .operatorAction: if case .note = e.detail { true } else { false }
        case .info, .checkpoint, .commit: false
        }
    }

    static func clock(_ t: Double) -> String {
        let ms = Int((t * 1000).rounded())
        let s = "\(ms / 1000).\(String(ms % 1000 + 1000).dropFirst())s"
        return String(repeating: " ", count: max(0, 8 - s.count)) + s
    }
}

extension String {
    func padding(_ w: Int) -> String { count >= w ? self + " " : self + String(repeating: " ", count: w - count) }
}
