/// Moves frames between a `NodeCore` and its links: takes input frames (holding back the
/// inputs that alignment blocks), keeps an outbox per destination for frames a full link
/// refused, and paces the source. Both runtimes drive nodes through it: the threaded one
/// in a loop per thread, the simulated one one action at a time in a seeded order.
final class NodeDriver {
    private(set) var core: NodeCore
    let id: Int
    let nodes: Int
    let links: [[Link]]
    /// `links[src][id]` by source and `links[id][dst]` by destination (one lookup, not two).
    private let inputs: [Link]
    private let outputs: [Link]
    let batchSize: Int
    let perNodeRate: Double?
    /// Called with a destination after frames were pushed to it, and with a source
    /// after its full link was drained (so a waiting sender can go on).
    let wake: (Int) -> Void

    private var pending: [[(seq: UInt64, frame: [UInt8])]]
    private var expected: [UInt64]
    /// Inputs whose lost or corrupt frame could not be had again: they stop until recovery.
    private(set) var stalled: [Bool]
    /// Frames received again after a bad CRC or a gap.
    private(set) var retransmitted = 0
    /// Reports retransmits, stalls and degraded links: (kind, message).
    var onEvent: (EngineEvent.Detail) -> Void = { _ in }
    private var degradedReported: [Double]
    private var pendingAt: [Int]
    private var outbox: [[[UInt8]]]
    private var outboxAt: [Int]
    private var tokens = 0.0
    private let minBatch: Double
    private var lastRefill: UInt64?

    init(core: NodeCore, links: [[Link]], batchSize: Int, rate: Double?, wake: @escaping (Int) -> Void) {
        self.core = core
        id = core.id
        nodes = core.nodes
        self.links = links
        inputs = (0..<core.nodes).map { links[$0][core.id] }
        outputs = (0..<core.nodes).map { links[core.id][$0] }
        self.batchSize = batchSize
        perNodeRate = rate.map { $0 / Double(core.nodes) }
        // A throttled source reads at least 5 ms worth at a time: one frame per transfer
        // would cost more than the transfers.
        minBatch = perNodeRate.map { Double(min(batchSize, max(1, Int($0 * 0.005)))) } ?? 1
        self.wake = wake
        pending = [[(seq: UInt64, frame: [UInt8])]](repeating: [], count: core.nodes)
        expected = [UInt64](repeating: 0, count: core.nodes)
        stalled = [Bool](repeating: false, count: core.nodes)
        degradedReported = [Double](repeating: -100, count: core.nodes)
        pendingAt = [Int](repeating: 0, count: core.nodes)
        outbox = [[[UInt8]]](repeating: [], count: core.nodes)
        outboxAt = [Int](repeating: 0, count: core.nodes)
    }

    /// Sends barrier `checkpoint` down every link (behind what is queued).
    func injectBarrier(_ checkpoint: UInt64) {
        enqueue(core.injectBarrier(checkpoint))
        _ = flush()
    }

    /// Whether input `src` has a frame that may be taken now.
    func canDeliver(from src: Int) -> Bool {
        !stalled[src] && !core.isBlocked(src) && (pendingAt[src] < pending[src].count || inputs[src].depth > 0)
    }

    /// The inputs `canDeliver` would allow, as a bit mask (bit `src`); nodes are at most 64.
    func deliverableInputs() -> UInt64 {
        var mask: UInt64 = 0
        let core = core
        for src in 0..<nodes where !stalled[src] && !core.isBlocked(src) && (pendingAt[src] < pending[src].count || inputs[src].depth > 0) {
            mask |= 1 << UInt64(src)
        }
        return mask
    }

    /// Takes up to `limit` frames from input `src`; returns how many. A frame that fails its
    /// CRC is asked for again from the sender's retransmit buffer (check and correct); a
    /// gap in the sequence (frames dropped on the wire) likewise. When the sender no longer
    /// has the frame, the input stalls until a recovery.
    func deliver(from src: Int, limit: Int, nowNanos: UInt64, onSnapshot: (NodeSnapshot) -> Void) -> Int {
        var done = 0
        let now = Double(nowNanos) / 1e9
        while done < limit && !core.isBlocked(src) && !stalled[src] {
            if pendingAt[src] >= pending[src].count {
                let (frames, wasFull) = inputs[src].takeAll()
                pending[src] = frames
                pendingAt[src] = 0
                if wasFull { wake(src) }
                if frames.isEmpty { break }
            }
            let (seq, frame) = pending[src][pendingAt[src]]
            if seq < expected[src] {  // already had it (a resend overtook it)
                pending[src][pendingAt[src]].frame = []
                pendingAt[src] += 1
                continue
            }
            if seq > expected[src] {
                // Frames expected[src]..<seq never arrived: fetch them before this one.
                guard let missing = inputs[src].resend(expected[src], now: now, corrupt: false) else {
                    stall(src, .lost(first: expected[src], next: seq))
                    break
                }
                retransmitted += 1
                onEvent(.frameLost(frame: expected[src], from: src))
                if !take(missing, seq: expected[src], from: src, nowNanos: nowNanos, onSnapshot: onSnapshot) { break }
                done += 1
                continue
            }
            pending[src][pendingAt[src]].frame = []
            pendingAt[src] += 1
            done += 1
            if !take(frame, seq: seq, from: src, nowNanos: nowNanos, onSnapshot: onSnapshot) { break }
        }
        return done
    }

    /// Applies one in-order frame; on a bad CRC fetches the sender's copy. False when stalled.
    private func take(_ frame: [UInt8], seq: UInt64, from src: Int, nowNanos: UInt64, onSnapshot: (NodeSnapshot) -> Void) -> Bool {
        var result = core.receive(from: src, frame: frame, sequence: seq, nowNanos: nowNanos)
        if case let .corrupt(why) = result {
            let now = Double(nowNanos) / 1e9
            guard let again = inputs[src].resend(seq, now: now, corrupt: true) else {
                stall(src, .corruptGone(frame: seq, why: "\(why)"))
                return false
            }
            retransmitted += 1
            onEvent(.frameCorrupt(frame: seq, from: src, why: "\(why)"))
            if inputs[src].recentCorruptions(now: now) >= 3 && now - degradedReported[src] > 10 {
                degradedReported[src] = now
                onEvent(.linkDegraded(from: src, to: id))
            }
            result = core.receive(from: src, frame: again, sequence: seq, nowNanos: nowNanos)
            if case .corrupt = result {
                // Damaged in the sender's copy too, or the sender resent another frame.
                stall(src, .resentBad(frame: seq))
                return false
            }
        }
        expected[src] = seq + 1
        if case let .snapshot(snap) = result { onSnapshot(snap) }
        return true
    }

    private func stall(_ src: Int, _ why: EngineEvent.InputStall) {
        stalled[src] = true
        onEvent(.inputStalled(from: src, why))
    }

    /// Starts over from `core` (a restored state): nothing held, sequences from zero.
    func reset(to core: NodeCore) {
        self.core = core
        dropHeld()
        for i in 0..<nodes {
            expected[i] = 0
            stalled[i] = false
        }
        tokens = 0
        lastRefill = nil
    }

    /// Pushes what the outbox holds, in order per destination; true when anything moved.
    func flush() -> Bool {
        var movedAny = false
        for d in 0..<nodes where outboxAt[d] < outbox[d].count {
            var moved = false
            while outboxAt[d] < outbox[d].count, outputs[d].push(&outbox[d][outboxAt[d]]) {
                outbox[d][outboxAt[d]] = []
                outboxAt[d] += 1
                moved = true
            }
            if outboxAt[d] == outbox[d].count {
                outbox[d].removeAll(keepingCapacity: true)
                outboxAt[d] = 0
            }
            if moved { wake(d); movedAny = true }
        }
        return movedAny
    }

    /// Some waiting frame could be pushed now.
    var canFlush: Bool {
        for d in 0..<nodes where outboxAt[d] < outbox[d].count && outputs[d].hasRoom { return true }
        return false
    }

    /// Whether `produce` would read a batch now (updates the rate's tokens).
    func canProduce(nowNanos: UInt64, paused: Bool) -> Bool {
        guard outboxEmpty, !paused else { return false }
        if perNodeRate == nil { return true }
        if let last = lastRefill, nowNanos > last, let r = perNodeRate {
            tokens = min(tokens + Double(nowNanos - last) * 1e-9 * r, max(Double(batchSize), r * 0.05))
        }
        lastRefill = nowNanos
        return tokens >= minBatch
    }

    /// Nothing waits to be sent.
    var outboxEmpty: Bool {
        for d in 0..<nodes where outboxAt[d] < outbox[d].count { return false }
        return true
    }

    /// How many transfers the rate allows now (the batch size when unthrottled).
    func allowance(nowNanos: UInt64) -> Int {
        guard let r = perNodeRate else { return batchSize }
        if let last = lastRefill, nowNanos > last {
            tokens = min(tokens + Double(nowNanos - last) * 1e-9 * r, max(Double(batchSize), r * 0.05))
        }
        lastRefill = nowNanos
        return tokens >= minBatch ? min(batchSize, Int(tokens)) : 0
    }

    /// Nanoseconds until a throttled source may read again (0 when it may now).
    func nanosUntilAllowed() -> UInt64 {
        guard let r = perNodeRate, tokens < minBatch else { return 0 }
        return UInt64(((minBatch - tokens) / r) * 1e9) + 1
    }

    /// Reads and routes a batch when the outbox is empty and the rate allows.
    func produce(nowNanos: UInt64, paused: Bool) -> Bool {
        guard outboxEmpty, !paused else {
            lastRefill = nowNanos
            return false
        }
        let count = allowance(nowNanos: nowNanos)
        guard count > 0 else { return false }
        tokens -= Double(count)
        enqueue(core.produce(count: count, nowNanos: nowNanos))
        _ = flush()
        return true
    }

    /// Frames taken from links but not yet processed.
    var heldFrames: Int { (0..<nodes).reduce(0) { $0 + pending[$1].count - pendingAt[$1] } }

    /// Per input: expected sequence, frames held, first held sequence (for traces).
    var inputsDescription: String {
        (0..<nodes).map { i in "\(expected[i])/\(pending[i].count - pendingAt[i])/\(pendingAt[i] < pending[i].count ? String(pending[i][pendingAt[i]].seq) : "-")" }.joined(separator: ",")
    }

    /// Whether any input stalled.
    var anyStalled: Bool { stalled.contains(true) }

    /// A killed node loses what it held (used by fault injection).
    func dropHeld() {
        for i in 0..<nodes {
            pending[i] = []
            pendingAt[i] = 0
            outbox[i] = []
            outboxAt[i] = 0
        }
    }

    private func enqueue(_ frames: [(to: Int, frame: [UInt8])]) {
        for f in frames { outbox[f.to].append(f.frame) }
    }
}
