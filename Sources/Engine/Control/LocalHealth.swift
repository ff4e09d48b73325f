/// Lifeguard's local health awareness (Dadgar et al., 2018; HashiCorp memberlist's
/// `awareness`): a detector on a slow host distrusts its own suspicions. A score from 0 to
/// `maxScore` rises with each sign that this host (its scheduler, its disk, a heavy
/// neighbour) is slow, and falls one step for each `decay` seconds without one. While it
/// is up, a node may stay silent longer before it is declared down: `extraPause` seconds
/// are tolerated on top of the detector's own pause.
///
/// The signs, both seen from here:
/// - the control plane's own pass came late (its period is 2 ms; a pass `lateTick` seconds
///   late means something else held the CPU);
/// - a node the detector suspected (phi at or above the suspect threshold, judged with the
///   allowance of the moment) beat again: a suspicion it refuted — the silence was the
///   host's, not the node's. The allowance itself raises the bar for the next suspicion, so
///   the score settles where the host's silences stop reaching it. Only a
///   silence watched throughout counts: the runtime keeps each node's latest beat, so while
///   the control plane itself did not run (a late pass, a recovery it carried out) beats
///   in between went unseen and the gap says nothing about the node.
///
/// A node that really died never refutes, so its silence alone raises nothing: on a quiet
/// host detection stays as fast as the detector makes it.
public struct LocalHealth: Sendable, Equatable {
    /// The score's ceiling.
    public var maxScore: Int
    /// Seconds of extra tolerated silence per point of score.
    public var pausePerPoint: Double
    /// Seconds without a sign after which the score falls by one.
    public var decay: Double
    /// A pass of the control plane this many seconds later than its period is a sign.
    public var lateTick: Double
    /// A pass this many seconds apart from the one before may have missed a beat.
    public var blindAfter: Double
    /// The current score.
    public private(set) var score = 0
    /// Signs seen in all, of each kind (for a benchmark's or a test's account).
    public private(set) var lateTicks = 0
    public private(set) var refuted = 0
    /// The longest silence a suspected node broke with a heartbeat, seconds (how near a
    /// false detection came), and the highest score reached.
    public private(set) var longestRefuted = 0.0
    public private(set) var peakScore = 0
    private var lastChange = 0.0
    /// When the control plane last did not watch (a long gap between its passes).
    private var lastBlind = -Double.infinity

    public init(maxScore: Int = 8, pausePerPoint: Double = 0.035, decay: Double = 2, lateTick: Double = 0.05, blindAfter: Double = 0.04) {
        self.maxScore = maxScore
        self.pausePerPoint = pausePerPoint
        self.decay = decay
        self.lateTick = lateTick
        self.blindAfter = blindAfter
    }

    /// Silence tolerated on top of the detector's own, seconds.
    public var extraPause: Double { Double(score) * pausePerPoint }

    /// How much longer than on a quiet host other waits may be (1 to 3): Lifeguard's
    /// multiplier, for the stall limit.
    public var multiplier: Double { 1 + 2 * Double(score) / Double(max(1, maxScore)) }

    /// A sign that the host is slow, at `now`, worth `weight` points.
    public mutating func sign(_ weight: Int = 1, now: Double) {
        score = min(maxScore, score + max(0, weight))
        peakScore = max(peakScore, score)
        lastChange = now
    }

    /// The control plane's pass at `now` came `gap` seconds after the one before, where
    /// `period` seconds were due.
    public mutating func pass(gap: Double, period: Double, now: Double) {
        if gap >= blindAfter { lastBlind = now }
        if gap - period >= lateTick {
            lateTicks += 1
            sign(now: now)
        }
        settle(now: now)
    }

    /// The control plane did not watch until `now` (it carried out a recovery).
    public mutating func unwatched(until now: Double) { lastBlind = now }

    /// A node suspected at the last pass beat again after `silence` seconds without a beat,
    /// the one before at `previous`.
    public mutating func refuted(after silence: Double, previous: Double, now: Double) {
        guard previous >= lastBlind else { return }
        refuted += 1
        longestRefuted = max(longestRefuted, silence)
        sign(2, now: now)
    }

    /// Lowers the score one step per `decay` seconds without a sign.
    public mutating func settle(now: Double) {
        while score > 0 && now - lastChange >= decay {
            score -= 1
            lastChange += decay
        }
    }
}
