import Integrity

/// One node of the cluster as a deterministic state machine.
///
/// It runs a subtask of every stage: it reads its source partitions, routes each
/// transfer's debit and credit to the node owning the account, applies the updates it
/// receives to its keyed balances, and takes part in aligned-barrier checkpoints. It owns
/// no thread and reads no clock: a runtime feeds it frames and the time, and moves the
/// frames it emits. The same code runs on `ThreadedEngine` and `SimulatedEngine`.
final class NodeCore {
    let id: Int
    let nodes: Int
    let source: TransferSource
    let partitions: [Int]
    var offsets: [Int64]
    var balances: [Int64]
    var updates: [Int64]

    // Alignment of barrier `aligning`: which inputs have delivered it (and are blocked).
    private(set) var aligning: UInt64?
    private var barrierFrom: [Bool]
    private var barriersSeen = 0
    private var offsetsAtBarrier: [Int64] = []
    private var alignStartNanos: UInt64 = 0
    private var injected: UInt64?

    // Statistics, read by the runtime.
    var produced: Int64 = 0
    var applied: Int64 = 0
    var corruptFrames: Int64 = 0
    var latency = LatencyHistogram()
    var lastAlignmentNanos: UInt64 = 0

    // Scratch for routing, reused by every batch.
    private var routed: [UInt64] = []
    private var destOf: [UInt8] = []
    private var perDest: [Int]

    init(id: Int, config: JobConfig, restored: NodeSnapshot?) {
        self.id = id
        nodes = config.nodes
        source = TransferSource(seed: config.seed, partitions: config.partitions, accounts: config.accounts)
        partitions = config.partitions(of: id)
        let owned = config.accountCount(of: id)
        if let r = restored, r.offsets.count == partitions.count, r.balances.count == owned, r.updates.count == owned {
            offsets = r.offsets
            balances = r.balances
            updates = r.updates
        } else {
            offsets = [Int64](repeating: 0, count: partitions.count)
            balances = [Int64](repeating: config.initialBalance, count: owned)
            updates = [Int64](repeating: 0, count: owned)
        }
        barrierFrom = [Bool](repeating: false, count: config.nodes)
        perDest = [Int](repeating: 0, count: config.nodes)
    }

    /// Whether frames from `input` must wait (it delivered the barrier being aligned).
    @inline(__always) func isBlocked(_ input: Int) -> Bool { aligning != nil && barrierFrom[input] }

    /// Bytes of keyed state.
    var stateBytes: Int { (balances.count + updates.count) * 8 }

    /// The coordinator asks for checkpoint `checkpoint`: record the source offsets and send
    /// the barrier down every output link, behind everything sent before.
    func injectBarrier(_ checkpoint: UInt64) -> [(to: Int, frame: [UInt8])] {
        offsetsAtBarrier = offsets
        injected = checkpoint
        let frame = BatchCodec.makeBarrier(checkpoint)
        return (0..<nodes).map { ($0, frame) }
    }

    /// Reads `count` transfers from the node's partitions and routes their updates.
    func produce(count: Int, nowNanos: UInt64) -> [(to: Int, frame: [UInt8])] {
        guard count > 0, !partitions.isEmpty else { return [] }
        let updatesCount = count * 2
        if routed.count < updatesCount {
            routed = [UInt64](repeating: 0, count: updatesCount)
            destOf = [UInt8](repeating: 0, count: updatesCount)
        }
        for d in 0..<nodes { perDest[d] = 0 }
        let n = nodes
        var produced = 0
        routed.withUnsafeMutableBufferPointer { out in
            destOf.withUnsafeMutableBufferPointer { dest in
                perDest.withUnsafeMutableBufferPointer { counts in
                    var u = 0
                    for (j, p) in partitions.enumerated() {
                        let share = count / partitions.count + (j < count % partitions.count ? 1 : 0)
                        var o = offsets[j]
                        for _ in 0..<share {
                            let t = source.transfer(partition: p, offset: o)
                            o += 1
                            // 32-bit division: the node count is small and not known at compile time.
                            let f32 = UInt32(truncatingIfNeeded: t.from), t32 = UInt32(truncatingIfNeeded: t.to), n32 = UInt32(n)
                            let qf = f32 / n32, qt = t32 / n32
                            let df = Int(f32 &- qf &* n32), dt = Int(t32 &- qt &* n32)
                            out[u] = UInt64(qf) | UInt64(UInt32(bitPattern: Int32(-t.amount))) << 32
                            dest[u] = UInt8(df)
                            out[u + 1] = UInt64(qt) | UInt64(UInt32(bitPattern: Int32(t.amount))) << 32
                            dest[u + 1] = UInt8(dt)
                            counts[df] += 1
                            counts[dt] += 1
                            u += 2
                        }
                        offsets[j] = o
                        produced += share
                    }
                }
            }
        }
        self.produced += Int64(produced)
        var frames: [(to: Int, frame: [UInt8])] = []
        frames.reserveCapacity(nodes)
        for d in 0..<nodes where perDest[d] > 0 {
            let frame = BatchCodec.makeBatch(count: perDest[d], createdNanos: nowNanos) { p in
                var k = 0
                routed.withUnsafeBufferPointer { r in
                    destOf.withUnsafeBufferPointer { ds in
                        for i in 0..<updatesCount where Int(ds[i]) == d {
                            p.storeBytes(of: r[i].littleEndian, toByteOffset: k * 8, as: UInt64.self)
                            k += 1
                        }
                    }
                }
            }
            frames.append((d, frame))
        }
        return frames
    }

    /// What taking a frame did.
    enum Received {
        case applied
        /// This frame completed the alignment of a barrier: the node's snapshot.
        case snapshot(NodeSnapshot)
        /// The frame failed its CRC (or is not a frame): nothing was applied.
        case corrupt(FrameError)
    }

    /// Takes frame number `sequence` from `input` (the number is checked under its CRC32C).
    func receive(from input: Int, frame: [UInt8], sequence: UInt64, nowNanos: UInt64) -> Received {
        frame.withUnsafeBytes { raw -> Received in
            let header: Frame.Header, payload: UnsafeRawBufferPointer
            do throws(FrameError) { (header, payload) = try Frame.validate(raw, sequence: sequence) } catch {
                corruptFrames += 1
                return .corrupt(error)
            }
            switch header.kind {
            case .batch:
                apply(payload, nowNanos: nowNanos)
                return .applied
            case .barrier:
                guard payload.count == 8 else { corruptFrames += 1; return .applied }
                if let snap = barrier(UInt64(littleEndian: payload.loadUnaligned(as: UInt64.self)), from: input, nowNanos: nowNanos) { return .snapshot(snap) }
                return .applied
            default:
                corruptFrames += 1
                return .applied
            }
        }
    }

    /// This node's state as a snapshot of checkpoint `checkpoint` (for tests and restores).
    var offsetsSum: Int64 { offsets.reduce(0, +) }

    private func apply(_ payload: UnsafeRawBufferPointer, nowNanos: UInt64) {
        guard payload.count >= BatchCodec.batchHeader else { corruptFrames += 1; return }
        let created = UInt64(littleEndian: payload.loadUnaligned(as: UInt64.self))
        let count = Int(UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        guard payload.count == BatchCodec.batchHeader + count * BatchCodec.updateSize else { corruptFrames += 1; return }
        var bad = 0
        balances.withUnsafeMutableBufferPointer { b in
            updates.withUnsafeMutableBufferPointer { u in
                let limit = b.count
                var at = BatchCodec.batchHeader
                for _ in 0..<count {
                    let w = UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: at, as: UInt64.self))
                    at += 8
                    let local = Int(UInt32(truncatingIfNeeded: w))
                    guard local < limit else { bad += 1; continue }
                    b[local] &+= Int64(Int32(truncatingIfNeeded: w >> 32))
                    u[local] &+= 1
                }
            }
        }
        corruptFrames += Int64(bad > 0 ? 1 : 0)
        applied += Int64(count - bad)
        if nowNanos >= created { latency.record(nowNanos - created) }
    }

    private func barrier(_ checkpoint: UInt64, from input: Int, nowNanos: UInt64) -> NodeSnapshot? {
        if let current = aligning {
            if checkpoint < current { return nil }  // a stale barrier of an abandoned checkpoint
            if checkpoint > current { resetAlignment() }
        }
        if aligning == nil {
            aligning = checkpoint
            alignStartNanos = nowNanos
        }
        guard !barrierFrom[input] else { return nil }
        barrierFrom[input] = true
        barriersSeen += 1
        guard barriersSeen == nodes, injected == checkpoint else { return nil }
        lastAlignmentNanos = nowNanos &- alignStartNanos
        let snap = NodeSnapshot(node: id, checkpoint: checkpoint, offsets: offsetsAtBarrier, balances: balances, updates: updates)
        resetAlignment()
        return snap
    }

    /// Forgets a half-aligned barrier (the coordinator abandoned that checkpoint).
    func resetAlignment() {
        aligning = nil
        barriersSeen = 0
        for i in 0..<nodes { barrierFrom[i] = false }
    }
}
