import Engine

/// What must hold for a while before a drill injects anything (Chaos Toolkit's and AWS FIS's
/// steady-state hypothesis): a drill whose cluster is not steady tests nothing.
public struct SteadyState: Sendable, Equatable {
    /// Seconds every check must hold in a row before the first step.
    public var duration: Double
    /// Transfers read per second at least.
    public var minThroughput: Double?
    /// Every node healthy.
    public var allHealthy = false
    /// The verdict at most this many seconds old.
    public var maxVerdictAge: Double?

    public init(duration: Double) { self.duration = duration }
}

/// Conditions that stop a drill at once, heal everything and report (AWS FIS stop
/// conditions, a global kill switch): checked at every tick of the run.
public struct AbortConditions: Sendable, Equatable {
    /// Transfers the audit may find lost.
    public var maxLost: Int64?
    /// The verdict at most this old.
    public var maxVerdictAge: Double?
    /// A recovery (detection, restore, replay) at most this long.
    public var maxRecovery: Double?
    /// Abort when the supervisor quarantines a node.
    public var onQuarantine = false

    public init() {}
}

/// A check that did not hold, with what was measured.
public struct GuardMiss: Sendable, Equatable, CustomStringConvertible {
    /// The key of the check (`min_throughput`, `max_lost`, …).
    public var check: String
    public var measured: String
    public var limit: String
    /// Seconds since the drill started.
    public var at: Double

    public var description: String { "\(check): \(measured) (limit \(limit)) at \(DurationText.format(at))" }
}

/// Watches a running drill: first that the steady state holds for its duration before the
/// first step, then the abort conditions, at every tick. One value type, used by the
/// headless runner and the live player alike.
public struct DrillGuard: Sendable {
    public enum Verdict: Sendable, Equatable {
        case ok
        /// The steady state did not hold before the first step: nothing is injected.
        case notSteady(GuardMiss)
        /// An abort condition fired: heal, stop the schedule.
        case abort(GuardMiss)
    }

    let steady: SteadyState?
    let abort: AbortConditions?
    private var heldSince: Double?
    private var lastMiss: GuardMiss?
    private var recoveringSince: Double?
    /// Whether the steady state has held long enough (true when there is none).
    public private(set) var steadyHeld: Bool

    public init(_ drill: Drill) {
        steady = drill.steadyState
        abort = drill.abort
        steadyHeld = drill.steadyState == nil
    }

    /// Whether there is anything to check (a steady state or abort conditions).
    public var watches: Bool { steady != nil || abort != nil }

    /// Checks a snapshot taken `now` seconds into the drill; `stepDue` says whether the
    /// first step is due now (the steady state's last chance).
    public mutating func check(_ s: ClusterSnapshot, now: Double, stepDue: Bool) -> Verdict {
        if !steadyHeld, let steady {
            if let miss = Self.miss(steady, s, now: now) {
                heldSince = nil
                lastMiss = miss
            } else if heldSince == nil {
                heldSince = now
            }
            if let since = heldSince, now - since >= steady.duration - 1e-9 { steadyHeld = true }
            if !steadyHeld && stepDue {
                let held = heldSince.map { now - $0 } ?? 0
                return .notSteady(lastMiss ?? GuardMiss(check: "for", measured: "held \(DurationText.format(held))", limit: DurationText.format(steady.duration), at: now))
            }
        }
        guard let abort else { return .ok }
        let recovering = s.recovering || s.nodes.contains { $0.health == .recovering || $0.health == .down }
        if recovering { recoveringSince = recoveringSince ?? now } else { recoveringSince = nil }
        if let m = Self.fired(abort, s, now: now, recoveringFor: recoveringSince.map { now - $0 }) { return .abort(m) }
        return .ok
    }

    static func miss(_ st: SteadyState, _ s: ClusterSnapshot, now: Double) -> GuardMiss? {
        if let min = st.minThroughput, s.producedPerSecond < min {
            return GuardMiss(check: "min_throughput", measured: "\(Int(s.producedPerSecond.rounded())) transfers/s read", limit: ">= \(Int(min))", at: now)
        }
        if st.allHealthy, let sick = s.nodes.first(where: { $0.health != .healthy }) {
            return GuardMiss(check: "all_healthy", measured: "node \(sick.id) \(sick.health.rawValue)", limit: "every node healthy", at: now)
        }
        if let max = st.maxVerdictAge, s.verdictAge > max {
            return GuardMiss(check: "max_verdict_age", measured: "verdict \(DurationText.format(s.verdictAge)) old", limit: "<= \(DurationText.format(max))", at: now)
        }
        return nil
    }

    static func fired(_ a: AbortConditions, _ s: ClusterSnapshot, now: Double, recoveringFor: Double?) -> GuardMiss? {
        if let max = a.maxLost, s.audit.lost > max {
            return GuardMiss(check: "max_lost", measured: "\(s.audit.lost) lost", limit: "<= \(max)", at: now)
        }
        if let max = a.maxVerdictAge, s.verdictAge > max {
            return GuardMiss(check: "max_verdict_age", measured: "verdict \(DurationText.format(s.verdictAge)) old", limit: "<= \(DurationText.format(max))", at: now)
        }
        if let max = a.maxRecovery {
            if let r = recoveringFor, r > max {
                return GuardMiss(check: "max_recovery", measured: "recovering for \(DurationText.format(r))", limit: "<= \(DurationText.format(max))", at: now)
            }
            if let worst = s.recoveries.map({ ($0.detect ?? 0) + $0.restore + ($0.replay ?? 0) }).max(), worst > max {
                return GuardMiss(check: "max_recovery", measured: "a recovery took \(DurationText.format(worst))", limit: "<= \(DurationText.format(max))", at: now)
            }
        }
        if a.onQuarantine, let q = s.nodes.first(where: { $0.health == .quarantined }) {
            return GuardMiss(check: "on_quarantine", measured: "node \(q.id) quarantined", limit: "no node quarantined", at: now)
        }
        return nil
    }
}
