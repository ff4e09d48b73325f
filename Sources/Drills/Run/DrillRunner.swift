import Engine
#if canImport(Glibc)
import Glibc
#endif

/// Plays a drill's schedule on a target, samples it, and judges it at the end.
public struct DrillRunner {
    public var drill: Drill
    /// Where each step and notable event is reported as it happens (headless progress).
    public var onProgress: (String) -> Void = { _ in }
    /// Records snapshots and events as JSON Lines.
    public var record: DrillRecord?

    public init(drill: Drill) { self.drill = drill }

    /// Runs the drill to its end and returns the result.
    public func run(on target: DrillTarget) -> DrillResult {
        let wallStart = Self.wallClock()
        var samples: [(time: Double, produced: Int64)] = [(target.now, target.produced)]
        var applied: [(at: Double, command: Command)] = []
        var errors: [String] = []
        var timeline: [TimelineEntry] = []
        var next = 0
        var reported = 0
        let tick = 0.1
        var ticks = 0
        var t = 0.0
        var lastRecord = -1.0
        var guardian = DrillGuard(drill)
        var stop = DrillGuard.Verdict.ok
        loop: while t < drill.duration {
            // The next tick (counted in integers, so rounding never stalls it) or step.
            let stepAt = next < drill.steps.count ? drill.steps[next].at : Double.infinity
            while Double(ticks) * tick <= t + 1e-9 { ticks += 1 }
            t = min(drill.duration, min(stepAt, Double(ticks) * tick))
            target.advance(to: t)
            let due = next < drill.steps.count && drill.steps[next].at <= target.now + 1e-9
            // A snapshot for the guard only when the drill has one to watch.
            if guardian.watches { stop = guardian.check(target.engine.snapshot(), now: target.now, stepDue: due && next == 0) }
            switch stop {
            case .ok: break
            case let .notSteady(miss):
                let text = "steady state did not hold: \(miss.description); nothing injected"
                timeline.append(TimelineEntry(time: target.now, kind: "abort", text: text))
                onProgress("[\(Self.clock(target.now))] abort     \(text)")
                break loop
            case let .abort(miss):
                try? target.apply(.heal(nil))
                let text = "abort: \(miss.description); healed all, schedule stopped"
                timeline.append(TimelineEntry(time: target.now, kind: "abort", text: text))
                onProgress("[\(Self.clock(target.now))] abort     \(text)")
                break loop
            }
            while next < drill.steps.count && drill.steps[next].at <= target.now + 1e-9 {
                let step = drill.steps[next]
                next += 1
                let at = target.now
                var text = "\(step.command)"
                do throws(CommandError) {
                    try target.apply(step.command)
                    applied.append((at, step.command))
                } catch {
                    errors.append("step at \(DurationText.format(step.at)) (\(step.command)): \(error.description)")
                    text += " — refused: \(error.description)"
                }
                if let c = step.caption { text += " — \(c)" }
                timeline.append(TimelineEntry(time: at, kind: "step", text: text))
                onProgress("[\(Self.clock(at))] step      \(text)")
            }
            samples.append((target.now, target.produced))
            let events = target.events()
            if events.count > reported {
                for e in events[reported...] where Self.isNotable(e) {
                    onProgress("[\(Self.clock(e.time))] \(e.kind.rawValue.padding(9))\(e.node.map { " n\($0)" } ?? "") \(e.message)")
                }
                reported = events.count
            }
            if let record {
                record.writeNewEvents(events)
                record.writeReceipts(target.receipts(), time: target.now)
                if target.now - lastRecord >= DrillRecord.frameInterval - 1e-9 {
                    target.recordSnapshot(into: record)
                    lastRecord = target.now
                }
            }
        }
        let verdict = target.finish()
        let events = target.events()
        let receipts = target.receipts()
        record?.writeNewEvents(events)
        record?.writeReceipts(receipts, time: target.now)
        if let record { target.recordSnapshot(into: record) }
        var result = DrillResult(drill: drill, runtime: target.runtime, verdict: verdict, events: events, recoveries: target.recoveries(),
                                 applied: applied, samples: samples, stepErrors: errors, stepEntries: timeline,
                                 wallSeconds: Self.wallClock() - wallStart)
        result.receipts = receipts
        result.config = target.engine.config
        result.judgeGuards(stop)
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

    static func wallClock() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

extension String {
    func padding(_ w: Int) -> String { count >= w ? self + " " : self + String(repeating: " ", count: w - count) }
}
