/// The envelope every block travels and rests in: a 16-byte header, then the payload.
///
/// ```
/// offset 0  magic "FDRL" (4 bytes)
///        4  format version (1)
///        5  kind
///        6  flags (2 bytes, little-endian)
///        8  payload length (4 bytes, little-endian)
///       12  CRC32C of bytes 0..<12 and of the payload (4 bytes, little-endian)
///       16  payload
/// ```
///
/// A frame on a link is *sequenced* (flag `sequenced`): its CRC32C goes on over the frame's
/// 8-byte little-endian sequence number on that link, which travels beside the frame. A
/// receiver checks it against the sequence number it expects, so a resend of the wrong
/// frame fails its check like a damaged one.
public struct Frame: Equatable, Sendable {
    /// What a frame carries. The raw value is on the wire; unknown values are kept as raw.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let batch = Kind(rawValue: 1)
        public static let barrier = Kind(rawValue: 2)
        public static let control = Kind(rawValue: 3)
        public static let heartbeat = Kind(rawValue: 4)
        public static let snapshot = Kind(rawValue: 5)
        public static let shard = Kind(rawValue: 6)
        public static let manifest = Kind(rawValue: 7)

        public var description: String {
            switch self {
            case .batch: "batch"
            case .barrier: "barrier"
            case .control: "control"
            case .heartbeat: "heartbeat"
            case .snapshot: "snapshot"
            case .shard: "shard"
            case .manifest: "manifest"
            default: "kind-\(rawValue)"
            }
        }
    }

    /// Flag bit: the CRC32C also covers the frame's sequence number on its link (see `stamp`).
    public static let sequenced: UInt16 = 0x8000

    /// The four magic bytes, "FDRL".
    public static let magic: (UInt8, UInt8, UInt8, UInt8) = (0x46, 0x44, 0x52, 0x4C)
    /// The only format version this build reads and writes.
    public static let version: UInt8 = 1
    /// Header size in bytes.
    public static let headerSize = 16
    /// Largest payload `decode` accepts unless told otherwise (256 MiB).
    public static let defaultMaxPayload = 256 << 20

    public var kind: Kind
    public var flags: UInt16
    public var payload: [UInt8]

    public init(kind: Kind, flags: UInt16 = 0, payload: [UInt8]) {
        self.kind = kind
        self.flags = flags
        self.payload = payload
    }

    /// Header and payload, ready to send or store.
    public func encoded() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.headerSize + payload.count)
        payload.withUnsafeBytes { Self.encode(kind: kind, flags: flags, payload: $0, into: &out) }
        return out
    }

    /// Appends the frame of `payload` to `out` without building a `Frame` first.
    public static func encode(kind: Kind, flags: UInt16 = 0, payload: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let start = out.count
        out.append(magic.0); out.append(magic.1); out.append(magic.2); out.append(magic.3)
        out.append(version)
        out.append(kind.rawValue)
        appendLE(UInt16(flags), to: &out)
        appendLE(UInt32(truncatingIfNeeded: payload.count), to: &out)
        var crc = CRC32C()
        out.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[start..<(start + 12)])) }
        crc.update(payload)
        appendLE(crc.value, to: &out)
        out.append(contentsOf: payload)
    }

    /// Puts `sequence` under the CRC32C of the sealed, sequenced frame at the start of `frame`:
    /// the stored checksum goes on over the sequence number's 8 little-endian bytes (constant
    /// work, whatever the payload). A frame is stamped once, when its link numbers it.
    /// - Returns: false, touching nothing, when the bytes are shorter than a header or the
    ///   frame is not flagged `sequenced`.
    @discardableResult
    public static func stamp(_ sequence: UInt64, into frame: UnsafeMutableRawBufferPointer) -> Bool {
        guard frame.count >= headerSize, (UInt16(frame[6]) | UInt16(frame[7]) << 8) & sequenced != 0 else { return false }
        var crc = CRC32C(continuing: readLE32(UnsafeRawBufferPointer(frame), 12))
        withUnsafeBytes(of: sequence.littleEndian) { crc.update($0) }
        frame.storeBytes(of: crc.value.littleEndian, toByteOffset: 12, as: UInt32.self)
        return true
    }

    /// Reads one frame from the start of `bytes`.
    /// - Returns: the frame and how many bytes it took.
    /// - Throws: `FrameError`, telling truncation, bad magic, an unknown version, a length
    ///   over `maxPayload`, and a checksum mismatch apart. Never traps on any input.
    public static func decode(_ bytes: UnsafeRawBufferPointer, maxPayload: Int = defaultMaxPayload) throws(FrameError) -> (frame: Frame, consumed: Int) {
        let (header, payload) = try validate(bytes, maxPayload: maxPayload)
        return (Frame(kind: header.kind, flags: header.flags, payload: Array(payload)), headerSize + payload.count)
    }

    /// Reads one frame from the start of `bytes`.
    public static func decode(_ bytes: [UInt8], maxPayload: Int = defaultMaxPayload) throws(FrameError) -> (frame: Frame, consumed: Int) {
        let result: Result<(frame: Frame, consumed: Int), FrameError> = bytes.withUnsafeBytes { raw in
            do throws(FrameError) { return .success(try decode(raw, maxPayload: maxPayload)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The parsed header of a frame whose checksum holds.
    public struct Header: Equatable, Sendable {
        public var kind: Kind
        public var flags: UInt16
        public var payloadLength: Int
    }

    /// Checks the frame at the start of `bytes` without copying its payload.
    /// - Parameter sequence: the sequence number the receiver expects for a frame off a link
    ///   (the frame must then be `sequenced`, and its checksum covers the number); nil for a
    ///   stored frame, which must not be.
    /// - Returns: the header and a view of the payload inside `bytes`.
    public static func validate(_ bytes: UnsafeRawBufferPointer, sequence: UInt64? = nil, maxPayload: Int = defaultMaxPayload) throws(FrameError) -> (header: Header, payload: UnsafeRawBufferPointer) {
        guard bytes.count >= headerSize else { throw .truncated(needed: headerSize, available: bytes.count) }
        guard bytes[0] == magic.0, bytes[1] == magic.1, bytes[2] == magic.2, bytes[3] == magic.3 else {
            throw .badMagic(Array(bytes[0..<4]))
        }
        guard bytes[4] == version else { throw .unsupportedVersion(bytes[4]) }
        let flags = UInt16(bytes[6]) | UInt16(bytes[7]) << 8
        let length = Int(readLE32(bytes, 8))
        guard length <= maxPayload else { throw .payloadTooLarge(length: length, limit: maxPayload) }
        guard bytes.count - headerSize >= length else { throw .truncated(needed: headerSize + length, available: bytes.count) }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[headerSize..<(headerSize + length)])
        var crc = CRC32C()
        crc.update(UnsafeRawBufferPointer(rebasing: bytes[0..<12]))
        crc.update(payload)
        switch (flags & sequenced != 0, sequence) {
        case (true, nil): throw .sequenceNotGiven
        case (false, .some(let s)): throw .notSequenced(expected: s)
        case (true, .some(let s)): withUnsafeBytes(of: s.littleEndian) { crc.update($0) }
        case (false, nil): break
        }
        let expected = readLE32(bytes, 12)
        guard crc.value == expected else { throw .checksumMismatch(expected: expected, actual: crc.value) }
        return (Header(kind: Kind(rawValue: bytes[5]), flags: flags, payloadLength: length), payload)
    }
}

/// Why bytes are not a frame.
public enum FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the header or the declared payload need.
    case truncated(needed: Int, available: Int)
    /// The first four bytes are not "FDRL".
    case badMagic([UInt8])
    /// A format version this build does not know.
    case unsupportedVersion(UInt8)
    /// The declared payload length is over the limit.
    case payloadTooLarge(length: Int, limit: Int)
    /// The stored CRC32C does not match the bytes (for a frame off a link: the bytes and
    /// the sequence number the receiver expects, so a wrong frame resent lands here too).
    case checksumMismatch(expected: UInt32, actual: UInt32)
    /// A frame off a link without the `sequenced` flag (its number is not under its CRC).
    case notSequenced(expected: UInt64)
    /// A `sequenced` frame checked without the sequence number its checksum covers.
    case sequenceNotGiven

    public var description: String {
        switch self {
        case let .truncated(needed, available): "truncated frame: need \(needed) bytes, have \(available)"
        case let .badMagic(bytes): "not a firedrill frame: magic \(bytes.map { String($0, radix: 16) }) instead of FDRL"
        case let .unsupportedVersion(v): "frame format version \(v) is not supported (this build reads version \(Frame.version))"
        case let .payloadTooLarge(length, limit): "frame payload of \(length) bytes is over the limit of \(limit)"
        case let .checksumMismatch(expected, actual):
            "checksum mismatch: stored CRC32C \(hex32(expected)), computed \(hex32(actual))"
        case let .notSequenced(expected): "frame \(expected) carries no sequence number under its checksum"
        case .sequenceNotGiven: "a sequenced frame was checked without its sequence number"
        }
    }
}

/// `0x` and eight hex digits.
public func hex32(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}

@inline(__always) func appendLE(_ v: UInt16, to out: inout [UInt8]) {
    out.append(UInt8(truncatingIfNeeded: v)); out.append(UInt8(truncatingIfNeeded: v >> 8))
}

@inline(__always) func appendLE(_ v: UInt32, to out: inout [UInt8]) {
    for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) }
}

@inline(__always) func readLE32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
    UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
}
