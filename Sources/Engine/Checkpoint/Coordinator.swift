import Synchronization

/// The checkpoint coordinator's bookkeeping: one checkpoint at a time, from barrier
/// injection through every node's aligned snapshot to durable storage.
final class Coordinator: Sendable {
    struct State {
        var nextID: UInt64
        var inFlight: UInt64?
        var startedNanos: UInt64 = 0
        var snapshots: [NodeSnapshot?]
        var alignment: UInt64 = 0
        var complete: (state: CheckpointState, started: UInt64, alignment: UInt64)?
        var persisting = false
        /// The write finished and its checkpoint is being published (stored, copies kept,
        /// commit queued): a recovery waits for that, never for the write.
        var publishing = false
        /// Checkpoints a recovery gave up while they were being written: when the write
        /// ends they are removed, never published.
        var superseded: Set<UInt64> = []
    }

    let state: EngineMutex<State>
    let nodes: Int

    init(nextID: UInt64, nodes: Int) {
        self.nodes = nodes
        state = EngineMutex(State(nextID: nextID, snapshots: [NodeSnapshot?](repeating: nil, count: nodes)))
    }

    /// A checkpoint is aligning or being written.
    var busy: Bool { state.withLock { $0.inFlight != nil } }
    var persisting: Bool { state.withLock { $0.persisting } }
    var inFlightSince: UInt64? { state.withLock { $0.inFlight == nil ? nil : $0.startedNanos } }
    /// Where the checkpoint in flight is, for the control plane.
    var progress: ControlPlane.CheckpointProgress {
        state.withLock { s in s.inFlight == nil ? .idle : s.persisting ? .persisting : .aligning(since: s.startedNanos) }
    }

    /// Starts the next checkpoint; returns its id.
    func begin(now: UInt64) -> UInt64 {
        state.withLock { s in
            let id = s.nextID
            s.nextID += 1
            s.inFlight = id
            s.startedNanos = now
            s.alignment = 0
            for i in s.snapshots.indices { s.snapshots[i] = nil }
            return id
        }
    }

    /// A node's aligned snapshot arrived.
    func acknowledge(_ snap: NodeSnapshot, alignmentNanos: UInt64) {
        state.withLock { s in
            guard s.inFlight == snap.checkpoint, snap.node < s.snapshots.count else { return }
            s.snapshots[snap.node] = snap
            s.alignment = max(s.alignment, alignmentNanos)
            if s.snapshots.allSatisfy({ $0 != nil }) {
                s.complete = (CheckpointState(checkpoint: snap.checkpoint, nodes: s.snapshots.compactMap { $0 }), s.startedNanos, s.alignment)
                for i in s.snapshots.indices { s.snapshots[i] = nil }
                s.persisting = true
            }
        }
    }

    /// The checkpoint whose snapshots are all in, once.
    func takeComplete() -> (state: CheckpointState, started: UInt64, alignment: UInt64)? {
        state.withLock { s in
            defer { s.complete = nil }
            return s.complete
        }
    }

    /// Gives up on the checkpoint in flight; returns its id.
    func abandon() -> UInt64 {
        state.withLock { s in
            let id = s.inFlight ?? 0
            s.inFlight = nil
            for i in s.snapshots.indices { s.snapshots[i] = nil }
            return id
        }
    }

    /// A recovery gives up the complete checkpoint not yet written or being written: it
    /// would land after the rollback, the sink would commit it, and the next checkpoint —
    /// taken from the older state restored — would commit fewer transfers than it. Waiting
    /// for the write instead costs the recovery the disk's slowness (seconds beside a busy
    /// neighbour's fsyncs). Returns the checkpoint given up, if any.
    func supersede() -> UInt64? {
        state.withLock { s in
            if let c = s.complete {  // never handed to the writer
                s.complete = nil
                s.persisting = false
                s.inFlight = nil
                return c.state.checkpoint
            }
            guard s.persisting && !s.publishing, let id = s.inFlight else { return nil }
            s.superseded.insert(id)
            s.persisting = false
            s.inFlight = nil
            return id
        }
    }

    /// A checkpoint's write ended: true when it is to be published (then `finish` follows),
    /// false when a recovery superseded it (remove what was written).
    func claim(_ id: UInt64) -> Bool {
        state.withLock { s in
            if s.superseded.remove(id) != nil { return false }
            s.publishing = true
            return true
        }
    }

    /// A checkpoint is being published: a recovery waits for this (no I/O in it).
    var publishing: Bool { state.withLock { $0.publishing } }

    /// The checkpoint is stored (or failed): the next may start.
    func finish(_ id: UInt64) {
        state.withLock { s in
            s.publishing = false
            if s.inFlight == id {
                s.inFlight = nil
                s.persisting = false
            }
        }
    }
}

