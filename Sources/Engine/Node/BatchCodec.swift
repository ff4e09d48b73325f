import Integrity

/// The wire format of what flows between nodes, inside `Frame`s.
///
/// A batch of balance updates: `u64 created-ns, u32 count, count x (u32 local account, i32 delta)`.
/// A barrier: `u64 checkpoint id`.
/// Both are `Frame.sequenced`: the link that carries them puts its sequence number under
/// their CRC32C (`Frame.stamp`).
enum BatchCodec {
    static let updateSize = 8
    static let batchHeader = 12

    /// A sealed batch frame with room for `count` updates; `fill` writes them.
    static func makeBatch(count: Int, createdNanos: UInt64, fill: (UnsafeMutableRawPointer) -> Void) -> [UInt8] {
        let payload = batchHeader + count * updateSize
        let total = Frame.headerSize + payload
        return [UInt8](unsafeUninitializedCapacity: total) { buf, initialized in
            let raw = UnsafeMutableRawBufferPointer(buf)
            let p = raw.baseAddress.unsafelyUnwrapped + Frame.headerSize
            p.storeBytes(of: createdNanos.littleEndian, as: UInt64.self)
            (p + 8).storeBytes(of: UInt32(count).littleEndian, as: UInt32.self)
            fill(p + batchHeader)
            seal(raw, kind: .batch, flags: Frame.sequenced, payloadLength: payload)
            initialized = total
        }
    }

    /// A sealed barrier frame.
    static func makeBarrier(_ id: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        withUnsafeBytes(of: id.littleEndian) { Frame.encode(kind: .barrier, flags: Frame.sequenced, payload: $0, into: &out) }
        return out
    }

    /// Writes the frame header (magic, version, kind, length, CRC32C) in front of a payload
    /// already in place, so batches are built without a second copy.
    static func seal(_ raw: UnsafeMutableRawBufferPointer, kind: Frame.Kind, flags: UInt16 = 0, payloadLength: Int) {
        raw[0] = Frame.magic.0; raw[1] = Frame.magic.1; raw[2] = Frame.magic.2; raw[3] = Frame.magic.3
        raw[4] = Frame.version
        raw[5] = kind.rawValue
        raw[6] = UInt8(truncatingIfNeeded: flags); raw[7] = UInt8(truncatingIfNeeded: flags >> 8)
        raw.storeBytes(of: UInt32(payloadLength).littleEndian, toByteOffset: 8, as: UInt32.self)
        var crc = CRC32C()
        crc.update(UnsafeRawBufferPointer(rebasing: raw[0..<12]))
        crc.update(UnsafeRawBufferPointer(rebasing: raw[Frame.headerSize..<(Frame.headerSize + payloadLength)]))
        raw.storeBytes(of: crc.value.littleEndian, toByteOffset: 12, as: UInt32.self)
    }
}
