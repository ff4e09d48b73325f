import Engine

/// A record read back (`RecordReader`): its header, its frames, events and receipts in time
/// order, and the cluster as the dashboard saw it at any moment of it.
public struct Recording: Sendable {
    /// One snapshot line: its time in the record and the cluster it holds.
    public struct Frame: Sendable {
        public var t: Double
        public var snapshot: ClusterSnapshot
    }

    /// The receipt as a receipt line wrote it at `t`.
    public struct ReceiptVersion: Sendable {
        public var t: Double
        public var receipt: FaultReceipt
    }

    /// The file it was read from, for messages.
    public var file: String
    public var header: RecordHeader
    /// Oldest first; never empty.
    public var frames: [Frame]
    /// Oldest first.
    public var events: [EngineEvent]
    /// Each event's case as the record names it (`node-down`, `rolled-back`, …), beside
    /// `events` index for index: the record keeps an event's words and kind, not its data.
    public var eventNames: [String?] = []
    /// In the order they were written (times never go back).
    public var receipts: [ReceiptVersion]

    /// Events the live log keeps (the board's `maxEvents`).
    static let logLength = 500
    /// Frames of throughput history a snapshot carries (the board's 400 samples).
    static let historyFrames = 400

    /// When the record starts and ends (the first and last frame).
    public var start: Double { frames[0].t }
    public var end: Double { frames[frames.count - 1].t }

    /// The frame shown at `t`: the last one at or before it (the first before the start).
    public func frameIndex(at t: Double) -> Int {
        var lo = 0, hi = frames.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if frames[mid].t <= t + 1e-9 { lo = mid + 1 } else { hi = mid }
        }
        return max(0, lo - 1)
    }

    /// What the record holds up to `t`: the frame shown, and how many events and receipt
    /// lines came by then. Two moments with the same key look the same.
    public struct Moment: Sendable, Equatable {
        public var frame: Int
        public var events: Int
        public var receipts: Int
    }

    /// Where `t` falls in the record.
    public func moment(at t: Double) -> Moment {
        Moment(frame: frameIndex(at: t), events: Self.upperBound(events.count) { events[$0].time <= t + 1e-9 },
               receipts: Self.upperBound(receipts.count) { receipts[$0].t <= t + 1e-9 })
    }

    /// The cluster as the dashboard saw it at `t`: the last frame by then, the event log up
    /// to `t`, every receipt as last written by then, and the throughput history from the
    /// totals of the frames up to the one shown.
    public func snapshot(at t: Double) -> ClusterSnapshot { snapshot(moment(at: t)) }

    /// The cluster at a moment (see `snapshot(at:)`).
    public func snapshot(_ m: Moment) -> ClusterSnapshot {
        let i = min(max(0, m.frame), frames.count - 1)
        var s = frames[i].snapshot
        let upTo = min(max(0, m.events), events.count)
        s.events = Array(events[max(0, upTo - Self.logLength)..<upTo])
        var latest: [Int: FaultReceipt] = [:]
        for v in receipts[0..<min(max(0, m.receipts), receipts.count)] { latest[v.receipt.id] = v.receipt }
        s.receipts = latest.values.sorted { $0.id < $1.id }
        // The history ends at this frame, four frames to a point, as the board's does.
        var first = max(0, i - Self.historyFrames + 1)
        first += (i - first) % 4
        s.history = ClusterSnapshot.HistoryPoint.points(frames[first...i].map {
            ($0.snapshot.uptime, $0.snapshot.produced, $0.snapshot.sinkCommittedTransfers, $0.snapshot.audit.committedTransfers)
        })
        return s
    }

    /// The events after `t` that share the first one's millisecond; empty when none comes.
    public func events(after t: Double) -> [EngineEvent] {
        let i = Self.upperBound(events.count) { events[$0].time <= t + 1e-9 }
        guard i < events.count else { return [] }
        let first = events[i].time
        return Array(events[i...].prefix { $0.time < first + 0.001 })
    }

    /// The first index in `0..<count` where `isBefore` turns false (it must be true, then
    /// false, along the range).
    static func upperBound(_ count: Int, _ isBefore: (Int) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isBefore(mid) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
