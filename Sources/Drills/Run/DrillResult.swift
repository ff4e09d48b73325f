import Engine
import Flink

/// One expectation's outcome, with the measured value a person reads.
public struct ExpectationVerdict: Sendable, Equatable {
    /// The key in `[expect]` (or `steps` for the schedule itself).
    public var name: String
    public var expected: String
    public var measured: String
    public var passed: Bool
}

/// A line of a drill's timeline.
public struct TimelineEntry: Sendable, Equatable {
    public var time: Double
    /// `step`, or an event kind.
    public var kind: String
    public var text: String
    /// The event's case name (`node-down`, `rolled-back`, …); nil for a step.
    public var name: String? = nil
}

/// A finished drill: what ran, what was measured, and the verdict.
public struct DrillResult: Sendable {
    public var drill: Drill
    public var runtime: String
    public var measurements: DrillMeasurements
    public var verdicts: [ExpectationVerdict]
    public var timeline: [TimelineEntry]
    /// Seconds the run took on the wall clock.
    public var wallSeconds: Double
    /// A receipt per fault: what broke, each step the engine took, the proof.
    public var receipts: [FaultReceipt] = []
    /// The job as the engine ran it (the simulated runtime caps the rate and the accounts).
    public var config: JobConfig?
    /// Why the drill stopped early, if it did (the steady state did not hold, or an abort).
    public var stoppedBy: DrillGuard.Verdict = .ok
    /// On a Flink target: the job's states, restarts, restores, recovery phases and audits.
    public var flink: FlinkRunOutcome?

    public var passed: Bool { verdicts.allSatisfy(\.passed) }
}

extension DrillResult {
    /// Judges a finished run: measures it from the engine's audit, events and recoveries
    /// (times since the drill started), checks the expectations, and merges the steps'
    /// timeline entries with the notable events.
    public init(drill: Drill, runtime: String, verdict: AuditVerdict, events: [EngineEvent], recoveries: [ClusterSnapshot.Recovery],
                applied: [(at: Double, command: Command)], samples: [(time: Double, produced: Int64)], stepErrors: [String],
                stepEntries: [TimelineEntry], wallSeconds: Double, receipts: [FaultReceipt] = [], rate: Double? = nil) {
        let m = DrillMeasurements.measure(verdict: verdict, events: events, recoveries: recoveries, steps: applied,
                                          samples: samples, stepErrors: stepErrors, receipts: receipts, rate: rate)
        let notable = events.filter { DrillRunner.isNotable($0) && $0.time >= 0 && $0.time <= drill.duration + 60 }.map {
            TimelineEntry(time: $0.time, kind: $0.kind.rawValue, text: ($0.node.map { "node \($0): " } ?? "") + $0.message, name: $0.name)
        }
        self.init(drill: drill, runtime: runtime, measurements: m, verdicts: drill.expect.evaluate(m, steps: drill.steps.count),
                  timeline: (stepEntries + notable).sorted { $0.time < $1.time }, wallSeconds: wallSeconds)
        self.receipts = receipts
    }
}

extension DrillResult {
    /// Adds the steady state's and the abort conditions' verdicts.
    mutating func judgeGuards(_ stop: DrillGuard.Verdict) {
        stoppedBy = stop
        if stop != .ok, let i = verdicts.firstIndex(where: { $0.name == "steps" }) {
            let ran = timeline.filter { $0.kind == "step" }.count
            verdicts[i].measured = "stopped early: \(ran) of \(drill.steps.count) carried out"
            verdicts[i].passed = false
        }
        if let st = drill.steadyState {
            var checks: [String] = []
            if let m = st.minThroughput { checks.append("min_throughput >= \(Int(m))") }
            if st.allHealthy { checks.append("all_healthy") }
            if let m = st.maxVerdictAge { checks.append("max_verdict_age <= \(DurationText.format(m))") }
            let expected = "\(checks.isEmpty ? "the run" : checks.joined(separator: ", ")) for \(DurationText.format(st.duration)) before the first step"
            if case let .notSteady(miss) = stop {
                verdicts.append(ExpectationVerdict(name: "steady_state", expected: expected, measured: "\(miss.description); stopped, nothing injected", passed: false))
            } else {
                verdicts.append(ExpectationVerdict(name: "steady_state", expected: expected, measured: "held", passed: true))
            }
        }
        if drill.abort != nil {
            if case let .abort(miss) = stop {
                verdicts.append(ExpectationVerdict(name: "abort", expected: "no abort condition fires", measured: "\(miss.description); healed, schedule stopped", passed: false))
            } else {
                verdicts.append(ExpectationVerdict(name: "abort", expected: "no abort condition fires", measured: "none fired", passed: true))
            }
        }
    }
}

extension Expectations {
    /// Checks every expectation against the measurements.
    public func evaluate(_ m: DrillMeasurements, steps: Int) -> [ExpectationVerdict] {
        var out: [ExpectationVerdict] = []
        out.append(ExpectationVerdict(
            name: "steps", expected: "all \(steps) steps carried out",
            measured: m.stepErrors.isEmpty ? "all carried out" : m.stepErrors.joined(separator: "; "), passed: m.stepErrors.isEmpty))
        if exactlyOnce {
            // Every audit of the run, not only the last: a commit that left rows wrong and a
            // later one that rewrote them end exact, and still broke exactly once between.
            var broke = ""
            if let b = m.brokenAudits.first {
                let more = m.brokenAudits.count > 1 ? " (and \(m.brokenAudits.count - 1) later audits)" : ""
                broke = "; but at \((b.time * 1000).rounded() / 1000)s the audit of epoch \(b.epoch) found \(b.lost) lost, \(b.duplicated) duplicated, \(b.accounts) accounts wrong\(more), and no step damaged the sink"
            }
            out.append(ExpectationVerdict(name: "exactly_once", expected: "0 lost, 0 duplicated, at every audit",
                                          measured: "\(m.lost) lost, \(m.duplicated) duplicated, \(m.committedTransfers) committed\(m.exact ? "" : " (audit not exact)")\(broke)",
                                          passed: m.exact && m.brokenAudits.isEmpty))
        }
        if moneyConserved {
            out.append(ExpectationVerdict(name: "money_conserved", expected: "conserved", measured: m.moneyConserved ? "conserved" : "NOT conserved", passed: m.moneyConserved))
        }
        if let limit = maxDetection {
            let absorbed = m.absorbed == 0 ? "" : "; \(m.absorbed) absorbed by a recovery already under way"
            if let worst = m.detections.max() {
                out.append(ExpectationVerdict(name: "max_detection", expected: "<= \(DurationText.format(limit))", measured: "\(ms(worst)) (worst of \(m.detections.count))\(absorbed)", passed: worst <= limit))
            } else if m.absorbed > 0 {
                // The recovery under way brought the node back: nothing was left to detect.
                out.append(ExpectationVerdict(name: "max_detection", expected: "<= \(DurationText.format(limit))",
                                              measured: "absorbed: \(m.absorbed) fault\(m.absorbed == 1 ? "" : "s") came back with a recovery already under way, no detection of their own", passed: true))
            } else {
                out.append(ExpectationVerdict(name: "max_detection", expected: "<= \(DurationText.format(limit))", measured: "no detection happened", passed: false))
            }
        }
        if let limit = maxRecovery {
            if m.notCaughtUp > 0 {
                out.append(ExpectationVerdict(name: "max_recovery", expected: "<= \(DurationText.format(limit)) from the fault to caught up",
                                              measured: "\(m.notCaughtUp) recover\(m.notCaughtUp == 1 ? "y" : "ies") had not caught up by the end", passed: false))
            } else if let worst = m.recoveries.max() {
                out.append(ExpectationVerdict(name: "max_recovery", expected: "<= \(DurationText.format(limit)) from the fault to caught up", measured: "\(ms(worst)) (worst of \(m.recoveries.count))", passed: worst <= limit))
            } else {
                out.append(ExpectationVerdict(name: "max_recovery", expected: "<= \(DurationText.format(limit)) from the fault to caught up", measured: "no recovery happened", passed: false))
            }
        }
        if let limit = maxUnprovoked {
            out.append(ExpectationVerdict(name: "max_unprovoked", expected: "<= \(limit) nodes marked down that no fault explains",
                                          measured: "\(m.unprovoked)", passed: m.unprovoked <= limit))
        }
        if let fraction = minThroughputAfter {
            let expected = ">= \(Int((fraction * 100).rounded()))% of the rate before the first fault"
            if let before = m.throughputBefore, let after = m.throughputAfter, before > 0 {
                let ratio = after / before
                let held = m.pausedBefore + m.pausedAfter
                let left = held < 0.0005 ? "" : "; the host held the whole process \(ms(m.pausedBefore)) before, \(ms(m.pausedAfter)) after: left out"
                let capped = m.measuredBefore.map { "; \(Int($0)) measured before, above the job's rate as its sources made up for a pause: the rate taken" } ?? ""
                out.append(ExpectationVerdict(name: "min_throughput_after", expected: expected,
                                              measured: "\(Int((ratio * 100).rounded()))% (\(Int(after)) vs \(Int(before)) transfers/s while the engine ran\(left)\(capped))", passed: ratio >= fraction))
            } else {
                out.append(ExpectationVerdict(name: "min_throughput_after", expected: expected, measured: "not measurable (too little time before the first fault or after the last recovery)", passed: false))
            }
        }
        if let from = restoredFrom {
            switch from {
            case .previous:
                let seen = m.restoredFrom.map(\.rawValue).joined(separator: ", ")
                out.append(ExpectationVerdict(name: "restored_from", expected: "previous (a fallback to an older checkpoint)", measured: seen.isEmpty ? "no restore happened" : seen, passed: m.restoredFrom.contains(.previous)))
            case .standby, .shards:
                // Every restore of a faulted node, not any restore of any node.
                let seen = m.faultRestores.map { "node \($0.node): \($0.from?.rawValue ?? "its own memory")" }.joined(separator: ", ")
                out.append(ExpectationVerdict(name: "restored_from", expected: "\(from.rawValue) for every node the drill killed, hung or restarted",
                                              measured: seen.isEmpty ? "no faulted node was restored" : seen,
                                              passed: !m.faultRestores.isEmpty && m.faultRestores.allSatisfy { $0.from == from }))
            }
        }
        for e in events {
            out.append(ExpectationVerdict(name: "event \(e.rawValue)", expected: "appears (\(e.meaning))", measured: m.seenEvents.contains(e) ? "appeared" : "did not appear", passed: m.seenEvents.contains(e)))
        }
        for e in absentEvents {
            out.append(ExpectationVerdict(name: "no event \(e.rawValue)", expected: "does not appear (\(e.meaning))", measured: m.seenEvents.contains(e) ? "appeared" : "did not appear", passed: !m.seenEvents.contains(e)))
        }
        return out
    }

    func ms(_ s: Double) -> String { "\(Int((s * 1000).rounded())) ms" }
}
