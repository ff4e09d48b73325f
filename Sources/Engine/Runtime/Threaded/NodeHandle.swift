import Synchronization

/// A node thread's mailbox and switches, shared with the other threads.
final class NodeHandle: Sendable {
    enum Control: Sendable {
        case barrier(UInt64), abandonAlignment
        /// Stop processing and say so (a recovery is about to reset everything).
        case halt
        /// Start again from this state (nil: from the beginning), as a new incarnation when
        /// `newIncarnation`; barriers below `minBarrier` are stale.
        case restore(NodeSnapshot?, newIncarnation: Bool, minBarrier: UInt64)
        case kill, hang
        /// A hung node carries on.
        case resume
    }
    let signal = WakeSignal()
    let paused = Atomic<Bool>(false)
    let pendingDepth = Atomic<Int>(0)
    /// When the node's heartbeat sender last beat (runtime nanoseconds).
    let heartbeat = Atomic<UInt64>(0)
    /// When the node's work loop last turned: heartbeats say it lives, this that it works.
    let progress = Atomic<UInt64>(0)
    let halted = Atomic<Bool>(false)
    let partitioned = Atomic<Bool>(false)
    let slowNanos = Atomic<UInt64>(0)
    /// 0 alive, 1 dead, 2 hung.
    let condition = Atomic<UInt8>(0)
    let stalled = Atomic<Bool>(false)
    let memory = NodeMemory()
    private let controls = EngineMutex<[Control]>([])

    func send(_ c: Control) {
        controls.withLock { $0.append(c) }
        signal.wake()
    }

    func takeControls() -> [Control] {
        controls.withLock { c in
            if c.isEmpty { return [] }
            defer { c.removeAll() }
            return c
        }
    }

    var hasControls: Bool { controls.withLock { !$0.isEmpty } }
    var isDead: Bool { condition.load(ordering: .relaxed) == 1 }
    var isHung: Bool { condition.load(ordering: .relaxed) == 2 }
}
