/// Tells a stalled host from failed nodes. Every node of this engine runs in one process,
/// so silence that comes from the machine (the process stopped with SIGSTOP or a laptop's
/// sleep, other processes holding every core) reaches every node at once; marking them
/// down would roll the whole job back for nothing. Two signs of it:
/// - the detector itself did not run for `pauseThreshold` seconds or more: silence it did
///   not watch is not held against the nodes (each detector is credited the pause), so a
///   node is judged only on silence observed (Cassandra's failure detector likewise
///   ignores convictions after a local pause);
/// - every live node has been silent for `lateAfter` seconds (two heartbeat periods) at
///   the same moment: verdicts wait up to `hold`
///   seconds; if the silence outlasts that, nodes are judged one by one again, so a real
///   outage of every node is still detected, later. When heartbeats come back within the
///   hold, the rest get `resumeGrace` seconds to catch up too.
public struct HostStallGuard: Sendable, Equatable {
    /// Seconds the verdicts are held while every node is late.
    public var hold: Double
    /// Silence after which a node counts as late here. (Silence, not phi: phi depends on
    /// each node's own interval history, so a node with a jittery past would still look
    /// fine while one with a steady past is already down.)
    public var lateAfter: Double
    /// A gap between two passes of the detector at least this long is a pause of the host.
    public var pauseThreshold: Double
    /// Seconds the rest get to catch up once the first heartbeat is back after every
    /// node was late.
    public var resumeGrace: Double
    /// When every live node became late, while that lasts.
    public private(set) var since: Double?
    private var expired = false
    private var lastPass: Double?
    private var heldUntil = -Double.infinity

    public init(hold: Double = 1.0, lateAfter: Double = 0.1, pauseThreshold: Double = 0.1, resumeGrace: Double = 0.2) {
        self.hold = hold
        self.lateAfter = lateAfter
        self.pauseThreshold = pauseThreshold
        self.resumeGrace = resumeGrace
    }

    /// What the detector should do this pass.
    public struct Decision: Equatable, Sendable {
        /// Do not mark any node down in this pass.
        public var holdVerdicts: Bool
        /// An event for the log, when the situation changed.
        public var message: String?
    }

    /// A pause of the host, seen at the start of a pass.
    public struct Pause: Equatable, Sendable {
        /// Seconds the detector did not run beyond its usual period: credit them to every node.
        public var seconds: Double
    }

    /// Call at the start of every pass of the detector, before reading heartbeats.
    public mutating func beginPass(now: Double) -> Pause? {
        defer { lastPass = now }
        guard let last = lastPass, now - last >= pauseThreshold else { return nil }
        let gap = now - last
        return Pause(seconds: gap)
    }

    /// The detector was busy on purpose until `now` (a recovery it ran): not a pause.
    public mutating func busy(until now: Double) { lastPass = now }

    /// Judges one pass of the detector at `now`: every node's `silence` (seconds since its
    /// last heartbeat) and which of them are `live` (neither down already, recovering nor
    /// quarantined).
    public mutating func judge(silence: [Double], live: [Bool], now: Double) -> Decision {
        if now < heldUntil { return Decision(holdVerdicts: true, message: nil) }
        let liveCount = live.filter { $0 }.count
        let allLate = liveCount >= 2 && silence.indices.allSatisfy { !live[$0] || silence[$0] >= lateAfter }
        if allLate {
            guard let start = since else {
                since = now
                return Decision(holdVerdicts: true, message: "every node (\(liveCount)) is late at once: the host looks stalled, not the nodes; holding the detector's verdicts for up to \(Int(hold * 1000)) ms")
            }
            if now - start <= hold { return Decision(holdVerdicts: true, message: nil) }
            if !expired {
                expired = true
                return Decision(holdVerdicts: false, message: "every node still silent after \(Int(hold * 1000)) ms: judging the nodes one by one")
            }
            return Decision(holdVerdicts: false, message: nil)
        }
        defer { since = nil; expired = false }
        if let start = since, !expired {
            // The first node back does not speak for the rest: they get the same grace
            // as after a pause to catch up before anyone is judged.
            heldUntil = now + resumeGrace
            return Decision(holdVerdicts: true, message: "heartbeats are back after \(Int((now - start) * 1000)) ms of a stalled host: no node was marked down for it; judging again in \(Int(resumeGrace * 1000)) ms")
        }
        return Decision(holdVerdicts: false, message: nil)
    }
}
