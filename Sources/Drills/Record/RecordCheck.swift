import Engine

/// Holds a record (`--record FILE`) to what the screen promises (`firedrill replay --check`):
/// committed and audited figures and checkpoint ids never go back (the transfer counts may,
/// once, after a fallback to a checkpoint older than the committed one), nor does a node's
/// restarts; a node shown down or hung was so in the engine's events within a frame of it;
/// every receipt step comes at or after its fault; every `node-down` is in a receipt of a
/// fault on that node or in an unprovoked one; the verdict's age is never reset without a
/// newer audit. It reads the record only, so a record can be checked wherever it was made.
public enum RecordCheck {
    /// What a check found: what the record holds, and its first violation (nil: none).
    public struct Result: Sendable {
        public var frames: Int
        public var events: Int
        /// Distinct receipts (a receipt is written again each time it changes).
        public var receipts: Int
        /// Of them, nodes found down or stalled with no fault on them (unprovoked receipts).
        public var unprovoked: Int
        /// The earliest violation in the record's time.
        public var violation: Violation?
        /// When it happened, seconds into the record.
        public var time: Double?
    }

    /// Two times closer than this are the same moment (the record writes microseconds).
    static let epsilon = 1e-6

    /// Checks `r` and returns its first violation, if any.
    public static func check(_ r: Recording) -> Result {
        let found = [figures(r), restarts(r), shownStates(r), receiptSteps(r), detections(r), verdictAges(r)].compactMap { $0 }
        let first = found.min { $0.time < $1.time }
        let unprovoked = Set(r.receipts.filter { v in
            v.receipt.fault == nil && v.receipt.entries.contains { e in
                switch e.step {
                case .detected, .stalled: true
                default: false
                }
            }
        }.map(\.receipt.id))
        return Result(frames: r.frames.count, events: r.events.count, receipts: Set(r.receipts.map(\.receipt.id)).count,
                      unprovoked: unprovoked.count, violation: first?.violation, time: first?.time)
    }

    /// A violation and when it happened.
    typealias Found = (time: Double, violation: Violation)

    /// The frames around `t`: the one shown at `t` and the next.
    static func around(_ r: Recording, _ t: Double) -> (Int, Int) {
        let i = r.frameIndex(at: t)
        return (i, min(i + 1, r.frames.count - 1))
    }

    // MARK: figures

    static func figures(_ r: Recording) -> Found? {
        func value(_ f: Figure, _ s: ClusterSnapshot) -> Int64? {
            switch f {
            case .committedTransfers: s.sinkCommittedTransfers
            case .auditedTransfers: s.audit.committedTransfers
            case .committedCheckpoint: s.committedCheckpoint.map { Int64(clamping: $0) }
            case .auditedCheckpoint: s.auditedCheckpoint.map { Int64(clamping: $0) }
            case .newestCheckpoint: s.newestCheckpoint.map { Int64(clamping: $0) }
            }
        }
        // A fallback to a checkpoint older than the committed one takes the sink's committed
        // state back with it (the event says so): the transfer counts may go back once after it.
        let fallbacks = r.events.indices.filter { r.eventNames[$0] == "fallback" }.map { r.events[$0].time }
        var lastRise: [Figure: Double] = [:]
        for i in r.frames.indices.dropFirst() {
            for f in Figure.allCases {
                let from = value(f, r.frames[i - 1].snapshot), to = value(f, r.frames[i].snapshot)
                guard let from else { continue }
                if let to, to > from { lastRise[f] = r.frames[i].t }
                let countsTransfers = f == .committedTransfers || f == .auditedTransfers
                if countsTransfers, let to, to < from,
                   fallbacks.contains(where: { $0 > (lastRise[f] ?? -1) && $0 <= r.frames[i].t + epsilon }) {
                    lastRise[f] = r.frames[i].t
                    continue
                }
                if to.map({ $0 < from }) ?? true {
                    return (r.frames[i].t, .figureWentBack(f, from: from, to: to, before: i - 1, after: i))
                }
            }
        }
        return nil
    }

    static func restarts(_ r: Recording) -> Found? {
        for i in r.frames.indices.dropFirst() {
            let before = r.frames[i - 1].snapshot.nodes
            for n in r.frames[i].snapshot.nodes {
                guard let was = before.first(where: { $0.id == n.id }), n.restarts < was.restarts else { continue }
                return (r.frames[i].t, .restartsWentBack(node: n.id, from: was.restarts, to: n.restarts, before: i - 1, after: i))
            }
        }
        return nil
    }

    // MARK: states shown against the events

    /// Whether event `i` put node `n` in `health` (true), ended it (false), or neither (nil).
    static func effect(_ r: Recording, _ i: Int, on n: Int, for health: ClusterSnapshot.Health) -> Bool? {
        let e = r.events[i]
        guard let name = r.eventNames[i] else { return nil }
        switch health {
        case .down:
            if name == "node-down" && e.node == n { return true }
            if name == "rolled-back" || name == "started-over" || (name == "fault-absorbed" && e.node == n) { return false }
            return nil
        case .hung:
            guard name == "command", let c = try? Command.parse(e.message, nodes: r.header.nodes, shards: r.header.dataShards + r.header.parityShards) else { return nil }
            switch c {
            case .hang(n): return true
            case .heal(nil), .heal(n), .kill(n), .restart(n): return false
            default: return nil
            }
        case .healthy, .suspect, .recovering, .slow, .partitioned, .quarantined, .dead:
            return nil
        case .stalled:
            return nil  // a record keeps a stall's phase only in words: not checked yet
        }
    }

    /// Whether the events say node `n` was in `health` at some moment from `lo` to `hi`:
    /// an event put it there by `hi`, and none ended it before `lo`.
    static func eventsSay(_ r: Recording, node n: Int, _ health: ClusterSnapshot.Health, from lo: Double, to hi: Double) -> Bool {
        var state = false
        for i in r.events.indices {
            let t = r.events[i].time
            if t > hi + epsilon { break }
            guard let put = effect(r, i, on: n, for: health) else { continue }
            if put { state = true } else if t < lo - epsilon { state = false }
        }
        return state
    }

    static func shownStates(_ r: Recording) -> Found? {
        // A record whose events carry no names predates them: nothing to hold the states to.
        guard r.eventNames.count == r.events.count, r.eventNames.contains(where: { $0 != nil }) || r.events.isEmpty else { return nil }
        for i in r.frames.indices {
            let t = r.frames[i].t
            let lo = i > 0 ? r.frames[i - 1].t : t - DrillRecord.frameInterval
            let hi = i + 1 < r.frames.count ? r.frames[i + 1].t : t + DrillRecord.frameInterval
            for n in r.frames[i].snapshot.nodes where n.health == .down || n.health == .hung {
                guard !eventsSay(r, node: n.id, n.health, from: lo, to: hi) else { continue }
                return (t, .shownWithoutEvent(node: n.id, health: n.health, before: max(0, i - 1), after: i))
            }
        }
        return nil
    }

    // MARK: receipts

    static func receiptSteps(_ r: Recording) -> Found? {
        var first: Found?
        for v in r.receipts {
            for e in v.receipt.entries where e.at < v.receipt.at - epsilon {
                guard first.map({ e.at < $0.time }) ?? true else { continue }
                let (b, a) = around(r, e.at)
                first = (e.at, .stepBeforeFault(receipt: v.receipt.id, step: e.step.name, stepAt: e.at, faultAt: v.receipt.at, before: b, after: a))
            }
        }
        return first
    }

    /// Whether receipt `x` is about node `n`: a fault on it, or an unprovoked receipt of it.
    static func about(_ x: FaultReceipt, node n: Int) -> Bool {
        guard x.fault == nil else { return x.node == n }
        switch x.subject {
        case .node(n)?: return true
        case .node?, .shard?, .sink?, nil: return false
        }
    }

    static func detections(_ r: Recording) -> Found? {
        guard r.eventNames.count == r.events.count else { return nil }
        var latest: [Int: FaultReceipt] = [:]
        for v in r.receipts { latest[v.receipt.id] = v.receipt }
        let receipts = Array(latest.values)
        for (i, e) in r.events.enumerated() where r.eventNames[i] == "node-down" {
            guard let n = e.node else { continue }
            let held = receipts.contains { x in
                about(x, node: n) && x.at <= e.time + epsilon
                    && x.entries.contains { if case .detected = $0.step { $0.at <= e.time + epsilon } else { false } }
            }
            if !held {
                let (b, a) = around(r, e.time)
                return (e.time, .detectionWithoutReceipt(node: n, at: e.time, before: b, after: a))
            }
        }
        return nil
    }

    // MARK: the verdict

    static func verdictAges(_ r: Recording) -> Found? {
        for i in r.frames.indices.dropFirst() {
            let a = r.frames[i - 1].snapshot, b = r.frames[i].snapshot
            guard a.auditedCheckpoint == b.auditedCheckpoint, b.verdictAge < a.verdictAge - 1e-3 else { continue }
            return (r.frames[i].t, .verdictAgeReset(checkpoint: b.auditedCheckpoint, from: a.verdictAge, to: b.verdictAge, before: i - 1, after: i))
        }
        return nil
    }

    // MARK: words

    /// Seconds as the checker writes them (`12.400s`).
    static func seconds(_ t: Double) -> String {
        let ms = Int64((t * 1000).rounded())
        let whole = ms / 1000, frac = abs(ms % 1000)
        return "\(ms < 0 && whole == 0 ? "-" : "")\(whole).\(frac < 10 ? "00" : frac < 100 ? "0" : "")\(frac)s"
    }

    /// A frame in one line: its figures and each node's health and restarts.
    public static func short(_ r: Recording, frame i: Int) -> String {
        let f = r.frames[i], s = f.snapshot
        func id(_ v: UInt64?) -> String { v.map(String.init) ?? "none" }
        let nodes = s.nodes.map { "\($0.id) \($0.health.rawValue) r\($0.restarts)" }.joined(separator: ", ")
        return "frame \(i) at \(seconds(f.t)): committed \(s.sinkCommittedTransfers) @ckpt \(id(s.committedCheckpoint)), "
            + "audited \(s.audit.committedTransfers) @ckpt \(id(s.auditedCheckpoint)), newest ckpt \(id(s.newestCheckpoint)), "
            + "verdict \(seconds(s.verdictAge)) old\(s.recovering ? ", recovering" : ""); nodes: \(nodes)"
    }

    /// The result in words: the one-line summary when clean, else the first violation, its
    /// time and the frames before and after it.
    public static func report(_ result: Result, _ r: Recording) -> String {
        let counts = "\(result.frames) frames, \(result.events) events, \(result.receipts) receipts (\(result.unprovoked) of a node down or stalled with no fault on it)"
        guard let v = result.violation else { return "\(counts): 0 violations" }
        let (b, a) = v.frames
        var lines = ["\(r.file): violation at \(seconds(result.time ?? r.frames[a].t)): \(v.text)",
                     "  before: \(short(r, frame: b))"]
        if a != b { lines.append("  after:  \(short(r, frame: a))") }
        lines.append("(\(counts); the first violation only)")
        return lines.joined(separator: "\n")
    }
}
