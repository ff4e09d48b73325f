/// Appends fixed-width little-endian values and whole arrays to a byte buffer.
struct ByteWriter {
    var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    /// A count, then the array's raw bytes (little-endian hosts only write this format).
    mutating func i64Array(_ a: [Int64]) {
        u32(UInt32(a.count))
        a.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
}

/// Reads what `ByteWriter` wrote, refusing to read past the end.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var at = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - at }

    mutating func need(_ n: Int, _ what: String) throws(DecodeError) {
        guard n >= 0, remaining >= n else { throw DecodeError("truncated \(what): need \(n) bytes at offset \(at), \(remaining) left") }
    }

    mutating func u32(_ what: String) throws(DecodeError) -> UInt32 {
        try need(4, what)
        let v = bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)
        at += 4
        return UInt32(littleEndian: v)
    }

    mutating func u64(_ what: String) throws(DecodeError) -> UInt64 {
        try need(8, what)
        let v = bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)
        at += 8
        return UInt64(littleEndian: v)
    }

    mutating func i64(_ what: String) throws(DecodeError) -> Int64 { Int64(bitPattern: try u64(what)) }

    mutating func i64Array(_ what: String, limit: Int) throws(DecodeError) -> [Int64] {
        let n = Int(try u32("\(what) count"))
        guard n <= limit else { throw DecodeError("\(what) count \(n) is over the limit \(limit)") }
        try need(n * 8, what)
        let out = [Int64](unsafeUninitializedCapacity: n) { buf, count in
            UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n * 8)]))
            count = n
        }
        at += n * 8
        return out
    }
}

/// Bytes that do not decode, with what was wrong.
public struct DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
