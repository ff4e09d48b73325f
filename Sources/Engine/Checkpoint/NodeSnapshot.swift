import Integrity

/// What one node contributes to a checkpoint: its source offsets, taken when it emitted the
/// barrier, and its keyed state, taken when the barriers of all its inputs had aligned.
public struct NodeSnapshot: Sendable, Equatable {
    public var node: Int
    public var checkpoint: UInt64
    /// Next offset to read, for each partition the node reads (in `JobConfig.partitions(of:)` order).
    public var offsets: [Int64]
    /// Balance of each account the node owns (local index `account / nodes`).
    public var balances: [Int64]
    /// How many debits and credits each account has had.
    public var updates: [Int64]

    public init(node: Int, checkpoint: UInt64, offsets: [Int64], balances: [Int64], updates: [Int64]) {
        self.node = node
        self.checkpoint = checkpoint
        self.offsets = offsets
        self.balances = balances
        self.updates = updates
    }

    /// Bytes of state.
    public var stateBytes: Int { (balances.count + updates.count) * 8 }
}

/// The whole cluster's state at one checkpoint, serialized into one versioned blob:
/// a `Frame` of kind `.snapshot` (so the blob carries its length and CRC32C) holding
/// version, checkpoint id, and every node's offsets and state.
public struct CheckpointState: Sendable, Equatable {
    public static let version: UInt32 = 1
    public var checkpoint: UInt64
    public var nodes: [NodeSnapshot]

    public init(checkpoint: UInt64, nodes: [NodeSnapshot]) {
        self.checkpoint = checkpoint
        self.nodes = nodes
    }

    /// The framed blob.
    public func encoded() -> [UInt8] {
        let size = 32 + nodes.reduce(0) { $0 + 24 + $1.offsets.count * 8 + $1.stateBytes }
        var w = ByteWriter(capacity: size)
        w.u32(Self.version)
        w.u64(checkpoint)
        w.u32(UInt32(nodes.count))
        for n in nodes {
            w.u32(UInt32(n.node))
            w.i64Array(n.offsets)
            w.i64Array(n.balances)
            w.i64Array(n.updates)
        }
        var out: [UInt8] = []
        out.reserveCapacity(w.bytes.count + Frame.headerSize)
        w.bytes.withUnsafeBytes { Frame.encode(kind: .snapshot, payload: $0, into: &out) }
        return out
    }

    /// Decodes a framed blob, checking its CRC and every length.
    public static func decode(_ blob: [UInt8]) throws(DecodeError) -> CheckpointState {
        let result: Result<CheckpointState, DecodeError> = blob.withUnsafeBytes { raw in
            do throws(DecodeError) {
                let header: Frame.Header, payload: UnsafeRawBufferPointer
                do throws(FrameError) {
                    (header, payload) = try Frame.validate(raw, maxPayload: Int(UInt32.max))
                } catch { throw DecodeError("checkpoint blob: \(error)") }
                guard header.kind == .snapshot else { throw DecodeError("expected a snapshot frame, found \(header.kind)") }
                var r = ByteReader(payload)
                let version = try r.u32("version")
                guard version <= Self.version else { throw DecodeError("checkpoint blob version \(version) is newer than this build (\(Self.version))") }
                let id = try r.u64("checkpoint id")
                let count = Int(try r.u32("node count"))
                guard count <= 4096 else { throw DecodeError("node count \(count) is implausible") }
                var nodes: [NodeSnapshot] = []
                for _ in 0..<count {
                    let node = Int(try r.u32("node id"))
                    let offsets = try r.i64Array("offsets", limit: 1 << 20)
                    let balances = try r.i64Array("balances", limit: 1 << 30)
                    let updates = try r.i64Array("update counts", limit: 1 << 30)
                    guard balances.count == updates.count else { throw DecodeError("node \(node): \(balances.count) balances but \(updates.count) update counts") }
                    nodes.append(NodeSnapshot(node: node, checkpoint: id, offsets: offsets, balances: balances, updates: updates))
                }
                return .success(CheckpointState(checkpoint: id, nodes: nodes))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
