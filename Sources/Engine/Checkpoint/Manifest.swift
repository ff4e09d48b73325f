import Integrity

/// The record that makes a checkpoint exist: written last, atomically, after every shard
/// is durable. A plain text file a person can read; its last line is a CRC32C of the rest.
///
/// ```
/// firedrill-manifest 1
/// checkpoint 42
/// created-ms 1732475000123
/// ec 4 2
/// blob 1234567 0x1a2b3c4d
/// shard-size 308642
/// shard 0 disk 2 0x...
/// offset 0 1048576
/// crc 0x...
/// ```
public struct Manifest: Sendable, Equatable {
    public static let version = 1

    /// One stored shard: its index in the stripe, the node disk holding it, its CRC32C.
    public struct Shard: Sendable, Equatable {
        public var index: Int
        public var disk: Int
        public var crc: UInt32
    }

    public var checkpoint: UInt64
    public var createdMillis: Int64
    public var dataShards: Int
    public var parityShards: Int
    public var blobSize: Int
    public var blobCRC: UInt32
    public var shardSize: Int
    public var shards: [Shard]
    /// Next offset to read for every partition, by partition number.
    public var offsets: [Int64]

    /// The file's text.
    public func encoded() -> [UInt8] {
        var text = "firedrill-manifest \(Self.version)\n"
        text += "checkpoint \(checkpoint)\n"
        text += "created-ms \(createdMillis)\n"
        text += "ec \(dataShards) \(parityShards)\n"
        text += "blob \(blobSize) \(hex32(blobCRC))\n"
        text += "shard-size \(shardSize)\n"
        for s in shards { text += "shard \(s.index) disk \(s.disk) \(hex32(s.crc))\n" }
        for (p, o) in offsets.enumerated() { text += "offset \(p) \(o)\n" }
        text += "crc \(hex32(CRC32C.checksum(text.utf8)))\n"
        return Array(text.utf8)
    }

    /// Parses a manifest file. Every problem names the line.
    public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> Manifest {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw DecodeError("not UTF-8 text") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let last = lines.last, last.hasPrefix("crc ") else { throw DecodeError("line \(lines.count): expected a final 'crc 0x...' line") }
        let body = lines.dropLast().map { $0 + "\n" }.joined()
        guard let stored = parseHex(String(last.dropFirst(4))) else { throw DecodeError("line \(lines.count): bad crc value") }
        let actual = CRC32C.checksum(body.utf8)
        guard stored == actual else { throw DecodeError("checksum mismatch: stored \(hex32(stored)), computed \(hex32(actual))") }
        var m = Manifest(checkpoint: 0, createdMillis: 0, dataShards: 0, parityShards: 0, blobSize: 0, blobCRC: 0, shardSize: 0, shards: [], offsets: [])
        var sawHeader = false
        for (i, line) in lines.dropLast().enumerated() {
            let f = line.split(separator: " ").map(String.init)
            let where_ = "line \(i + 1)"
            func int(_ s: String) throws(DecodeError) -> Int {
                guard let v = Int(s) else { throw DecodeError("\(where_): expected a number, found '\(s)'") }
                return v
            }
            func hex(_ s: String) throws(DecodeError) -> UInt32 {
                guard let v = parseHex(s) else { throw DecodeError("\(where_): expected 0x and 8 hex digits, found '\(s)'") }
                return v
            }
            switch (f.first ?? "", f.count) {
            case ("firedrill-manifest", 2):
                let v = try int(f[1])
                guard v <= version else { throw DecodeError("\(where_): manifest version \(v) is newer than this build (\(version))") }
                sawHeader = true
            case ("checkpoint", 2): m.checkpoint = UInt64(max(0, try int(f[1])))
            case ("created-ms", 2): m.createdMillis = Int64(try int(f[1]))
            case ("ec", 3): m.dataShards = try int(f[1]); m.parityShards = try int(f[2])
            case ("blob", 3): m.blobSize = try int(f[1]); m.blobCRC = try hex(f[2])
            case ("shard-size", 2): m.shardSize = try int(f[1])
            case ("shard", 5) where f[2] == "disk": m.shards.append(Shard(index: try int(f[1]), disk: try int(f[3]), crc: try hex(f[4])))
            case ("offset", 3):
                let p = try int(f[1])
                guard p == m.offsets.count else { throw DecodeError("\(where_): offsets out of order (partition \(p), expected \(m.offsets.count))") }
                m.offsets.append(Int64(try int(f[2])))
            default: throw DecodeError("\(where_): unexpected '\(line)'")
            }
        }
        guard sawHeader else { throw DecodeError("line 1: expected 'firedrill-manifest \(version)'") }
        guard m.dataShards >= 1, m.parityShards >= 1, m.dataShards + m.parityShards <= 255,
              m.shards.count == m.dataShards + m.parityShards,
              m.shards.enumerated().allSatisfy({ $0.offset == $0.element.index }),
              m.blobSize >= 0, m.shardSize >= 0, m.blobSize <= m.shardSize * m.dataShards
        else { throw DecodeError("inconsistent coding parameters or shard list") }
        return m
    }
}

func parseHex(_ s: String) -> UInt32? {
    guard s.hasPrefix("0x"), s.count == 10 else { return nil }
    return UInt32(s.dropFirst(2), radix: 16)
}
