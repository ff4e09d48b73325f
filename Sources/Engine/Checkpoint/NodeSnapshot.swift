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

    /// An invariant the state breaks, nil when it holds: every transfer read below the
    /// offsets is one debit and one credit, so the update counts add up to twice the offsets.
    public var breach: AuditBreach? {
        var updates: Int64 = 0, transfers: Int64 = 0
        for n in nodes {
            for u in n.updates { updates &+= u }
            for o in n.offsets { transfers &+= o }
        }
        return updates == 2 &* transfers ? nil : .updatesNotTwiceTransfers(updates: updates, transfers: transfers)
    }

    /// Bytes of the framed blob.
    public var encodedSize: Int {
        Frame.headerSize + 16 + nodes.reduce(0) { $0 + 4 + 12 + ($1.offsets.count + $1.balances.count + $1.updates.count) * 8 }
    }

    /// The framed blob.
    public func encoded() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: encodedSize) { buf, n in
            encode(into: UnsafeMutableRawBufferPointer(buf))
            n = encodedSize
        }
    }

    /// Writes the framed blob into the first `encodedSize` bytes of `out` in one pass (no
    /// intermediate buffers: a 100 MB state is copied once, straight into its stripe).
    public func encode(into out: UnsafeMutableRawBufferPointer) {
        var at = Frame.headerSize
        func put<T: FixedWidthInteger>(_ v: T) {
            out.storeBytes(of: v.littleEndian, toByteOffset: at, as: T.self)
            at += MemoryLayout<T>.size
        }
        func putArray(_ a: [Int64]) {
            put(UInt32(a.count))
            a.withUnsafeBytes { src in
                if let base = src.baseAddress, src.count > 0 { (out.baseAddress.unsafelyUnwrapped + at).copyMemory(from: base, byteCount: src.count) }
                at += src.count
            }
        }
        put(Self.version)
        put(checkpoint)
        put(UInt32(nodes.count))
        for n in nodes {
            put(UInt32(n.node))
            putArray(n.offsets)
            putArray(n.balances)
            putArray(n.updates)
        }
        BatchCodec.seal(out, kind: .snapshot, payloadLength: at - Frame.headerSize)
    }

    /// Decodes a framed blob, checking its CRC and every length.
    public static func decode(_ blob: [UInt8]) throws(DecodeError) -> CheckpointState {
        let result: Result<CheckpointState, DecodeError> = blob.withUnsafeBytes { raw in
            do throws(DecodeError) { return .success(try decode(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes a framed blob in place.
    public static func decode(_ raw: UnsafeRawBufferPointer) throws(DecodeError) -> CheckpointState {
        let result: Result<CheckpointState, DecodeError> = { () -> Result<CheckpointState, DecodeError> in
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
        }()
        return try result.get()
    }
}
