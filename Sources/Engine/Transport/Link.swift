import Dispatch
import Integrity
import Synchronization

/// A bounded, FIFO link between two nodes carrying encoded frames, each with a sequence
/// number. The sender never blocks: `push` says no when the link is full (backpressure),
/// and the receiver takes everything queued at once. The sender keeps its recent frames in
/// a retransmit buffer, so a receiver that finds a bad CRC, or a gap in the sequence, can
/// ask for the frame again. A partitioned link drops what it is given, and resends too,
/// until it has swallowed a queue's worth: then it says no, as a socket whose peer stopped
/// answering fills its send buffer and blocks, so a node cut off stops reading (its read/s
/// falls to 0) instead of reading at full speed into the void.
/// The link puts each frame's sequence number under the frame's CRC32C (`Frame.stamp`), so
/// the receiver checks that a frame, first sent or resent, is the one it asked for.
final class Link: Sendable {
    let capacity: Int
    let retain: Int
    struct State {
        var queue: [(seq: UInt64, frame: [UInt8])] = []
        var nextSeq: UInt64 = 0
        var sent: [(seq: UInt64, frame: [UInt8])] = []
        var sentAt = 0
        var dropping = false
        /// Frames swallowed since the partition began.
        var swallowed = 0
        var corruptNext = false
        var loseNext = false
        var retransmits = 0
        var corruptionTimes: [Double] = []
    }
    private let state = EngineMutex(State())
    /// The queue's length, readable without the lock (schedulers poll it often).
    private let count = Atomic<Int>(0)
    /// Partitioned, and a queue's worth swallowed: `push` says no until the partition ends.
    private let blocked = Atomic<Bool>(false)

    init(capacity: Int) {
        self.capacity = capacity
        retain = capacity * 4
    }

    /// Queues a frame unless the link is full, numbering it and stamping its number under
    /// its CRC32C in place (the caller's copy is the one stamped, so it is not copied when
    /// the caller holds the only reference). A partitioned link swallows it.
    func push(_ frame: inout [UInt8]) -> Bool {
        state.withLock { s in
            guard s.queue.count < capacity, !(s.dropping && s.swallowed >= capacity) else { return false }
            let seq = s.nextSeq
            s.nextSeq += 1
            frame.withUnsafeMutableBytes { _ = Frame.stamp(seq, into: $0) }
            if s.sent.count < retain { s.sent.append((seq, frame)) } else { s.sent[s.sentAt] = (seq, frame); s.sentAt = (s.sentAt + 1) % retain }
            if s.loseNext {
                // Lost on the wire: numbered and kept in the sender's copy, never delivered;
                // the receiver finds the gap at the next frame and asks for it again.
                s.loseNext = false
                return true
            }
            if s.dropping {
                s.swallowed += 1
                if s.swallowed >= capacity { blocked.store(true, ordering: .relaxed) }
                return true
            }
            defer { count.store(s.queue.count, ordering: .relaxed) }
            if s.corruptNext && !frame.isEmpty {
                // One bit flips on the wire; the sender's copy stays good.
                s.corruptNext = false
                var damaged = frame
                let bit = Int(seq % UInt64(frame.count * 8))
                damaged[bit / 8] ^= UInt8(1 << (bit % 8))
                s.queue.append((seq, damaged))
            } else {
                s.queue.append((seq, frame))
            }
            return true
        }
    }

    /// Takes every queued frame; `wasFull` tells whether the sender may be waiting.
    func takeAll() -> (frames: [(seq: UInt64, frame: [UInt8])], wasFull: Bool) {
        state.withLock { s in
            let full = s.queue.count >= capacity
            let out = s.queue
            s.queue.removeAll(keepingCapacity: true)
            count.store(0, ordering: .relaxed)
            return (out, full)
        }
    }

    /// The sender's copy of frame `seq`, if it still has it and the link is up.
    func resend(_ seq: UInt64, now: Double, corrupt: Bool) -> [UInt8]? {
        state.withLock { s in
            guard !s.dropping, let f = s.sent.first(where: { $0.seq == seq }) else { return nil }
            s.retransmits += 1
            if corrupt {
                s.corruptionTimes.append(now)
                s.corruptionTimes.removeAll { now - $0 > 10 }
            }
            return f.frame
        }
    }

    /// Corruptions the receiver found in the last 10 seconds (3 or more: degraded).
    func recentCorruptions(now: Double) -> Int { state.withLock { s in s.corruptionTimes.filter { now - $0 <= 10 }.count } }

    var retransmits: Int { state.withLock { $0.retransmits } }

    /// Frames waiting.
    var depth: Int { count.load(ordering: .relaxed) }

    /// Whether `push` may take a frame now: the queue has room and the link is not a
    /// partitioned one that has swallowed its queue's worth.
    var hasRoom: Bool { depth < capacity && !blocked.load(ordering: .relaxed) }

    func setDropping(_ on: Bool) {
        state.withLock { s in
            s.dropping = on
            s.swallowed = 0
            blocked.store(false, ordering: .relaxed)
        }
    }
    func corruptNextFrame() { state.withLock { $0.corruptNext = true } }
    /// Loses the next frame on the wire (`true`), or calls off a loss not yet happened.
    func loseNextFrame(_ on: Bool = true) { state.withLock { $0.loseNext = on } }

    /// Forgets everything: queue, sequence, retransmit buffer (a rollback starts afresh).
    func reset() {
        state.withLock { s in
            let dropping = s.dropping, retransmits = s.retransmits
            s = State()
            s.dropping = dropping
            s.retransmits = retransmits
            count.store(0, ordering: .relaxed)
            blocked.store(false, ordering: .relaxed)
        }
    }

    /// Drops what is queued (the receiver died).
    func clearQueue() {
        state.withLock { s in
            s.queue.removeAll()
            count.store(0, ordering: .relaxed)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
