/// Moves frames between a `NodeCore` and its links: takes input frames (holding back the
/// inputs that alignment blocks), keeps an outbox per destination for frames a full link
/// refused, and paces the source. Both runtimes drive nodes through it: the threaded one
/// in a loop per thread, the simulated one one action at a time in a seeded order.
final class NodeDriver {
    let core: NodeCore
    let id: Int
    let nodes: Int
    let links: [[Link]]
    let batchSize: Int
    let perNodeRate: Double?
    /// Called with a destination after frames were pushed to it, and with a source
    /// after its full link was drained (so a waiting sender can go on).
    let wake: (Int) -> Void

    private var pending: [[[UInt8]]]
    private var pendingAt: [Int]
    private var outbox: [[[UInt8]]]
    private var outboxAt: [Int]
    private var tokens = 0.0
    private var lastRefill: UInt64?

    init(core: NodeCore, links: [[Link]], batchSize: Int, rate: Double?, wake: @escaping (Int) -> Void) {
        self.core = core
        id = core.id
        nodes = core.nodes
        self.links = links
        self.batchSize = batchSize
        perNodeRate = rate.map { $0 / Double(core.nodes) }
        self.wake = wake
        pending = [[[UInt8]]](repeating: [], count: core.nodes)
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
        !core.isBlocked(src) && (pendingAt[src] < pending[src].count || links[src][id].depth > 0)
    }

    /// Takes up to `limit` frames from input `src`; returns how many, and any snapshot
    /// an alignment completed.
    func deliver(from src: Int, limit: Int, nowNanos: UInt64, onSnapshot: (NodeSnapshot) -> Void) -> Int {
        var done = 0
        while done < limit && !core.isBlocked(src) {
            if pendingAt[src] >= pending[src].count {
                let (frames, wasFull) = links[src][id].takeAll()
                pending[src] = frames
                pendingAt[src] = 0
                if wasFull { wake(src) }
                if frames.isEmpty { break }
            }
            let frame = pending[src][pendingAt[src]]
            pending[src][pendingAt[src]] = []
            pendingAt[src] += 1
            done += 1
            if let snap = core.receive(from: src, frame: frame, nowNanos: nowNanos) { onSnapshot(snap) }
        }
        return done
    }

    /// Pushes what the outbox holds, in order per destination; true when anything moved.
    func flush() -> Bool {
        var movedAny = false
        for d in 0..<nodes where outboxAt[d] < outbox[d].count {
            var moved = false
            while outboxAt[d] < outbox[d].count, links[id][d].push(outbox[d][outboxAt[d]]) {
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
        for d in 0..<nodes where outboxAt[d] < outbox[d].count && links[id][d].depth < links[id][d].capacity { return true }
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
        return tokens >= 1
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
        return min(batchSize, Int(tokens))
    }

    /// Nanoseconds until a throttled source may read again (0 when it may now).
    func nanosUntilAllowed() -> UInt64 {
        guard let r = perNodeRate, tokens < 1 else { return 0 }
        return UInt64(((1 - tokens) / r) * 1e9) + 1
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
