import Foundation
import Integrity

/// What the guard recorded of one Flink checkpoint: every file with its size and CRC32C,
/// and the layout and CRC32C of the Reed-Solomon parity written beside (in the parity
/// directory, never in Flink's). Stored as JSON followed by a line `crc32c XXXXXXXX` over
/// the JSON's bytes, so a manifest that rots itself is an error, never a wrong repair.
public struct GuardManifest: Codable, Sendable, Equatable {
    /// A file of the checkpoint, by its path below the job's checkpoint directory.
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        public var size: Int
        public var crc: UInt32
    }

    /// 2: `shared` added (format-1 manifests read the same, with no shared files).
    public static let format = 2
    public var format: Int
    /// The job's directory name (its id) and the checkpoint's number.
    public var job: String
    public var checkpoint: UInt64
    /// Bytes per block: the files, concatenated in order, are cut into blocks (the last
    /// padded with zeros); block `b` is data shard `b / stripes` of stripe `b % stripes`,
    /// so a run of consecutive blocks spreads over the stripes.
    public var blockSize: Int
    public var dataShards: Int
    public var parityShards: Int
    public var stripes: Int
    public var files: [File]
    /// CRC32C of every data block (index `b`, zero-padded ones included).
    public var blocks: [UInt32]
    /// CRC32C of every parity shard, stripe by stripe.
    public var parity: [UInt32]
    /// The files of the job's `shared/` directory this checkpoint refers to (an incremental
    /// checkpoint's older SST files among them), each guarded once by parity of its own
    /// (`shared/NAME.manifest`, `.parity`): they are not in this manifest's blocks.
    public var shared: [File]? = nil

    /// The bytes of all files.
    public var totalBytes: Int { files.reduce(0) { $0 + $1.size } }

    /// The manifest's bytes on disk.
    public func encoded() -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let json = (try? enc.encode(self)) ?? Data()
        let crc = json.withUnsafeBytes { CRC32C.checksum($0) }
        return json + Data("\ncrc32c \(String(format: "%08x", crc))\n".utf8)
    }

    /// Reads a manifest, checking its own CRC first.
    public static func decode(_ data: Data, path: String) throws(FlinkError) -> GuardManifest {
        guard let line = data.range(of: Data("\ncrc32c ".utf8), options: .backwards) else {
            throw .guardData("\(path): not a guard manifest (no crc32c line)")
        }
        let json = data[data.startIndex..<line.lowerBound]
        let tail = String(decoding: data[(line.lowerBound + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard tail.hasPrefix("crc32c "), let want = UInt32(tail.dropFirst(7), radix: 16) else {
            throw .guardData("\(path): not a guard manifest (expected a last line 'crc32c XXXXXXXX')")
        }
        let got = json.withUnsafeBytes { CRC32C.checksum($0) }
        guard got == want else {
            throw .guardData("\(path): the manifest is corrupt (its CRC32C is \(String(format: "%08x", got)), it says \(String(format: "%08x", want))): its checkpoint cannot be verified or repaired")
        }
        let m: GuardManifest
        do { m = try JSONDecoder().decode(GuardManifest.self, from: Data(json)) } catch {
            throw .guardData("\(path): the manifest does not decode: \(error)")
        }
        guard m.format <= format else { throw .guardData("\(path): manifest format \(m.format) is newer than this firedrill reads (\(format))") }
        let blocks = m.stripes * m.dataShards
        guard m.blockSize > 0, m.dataShards > 0, m.parityShards > 0, m.stripes >= 1, m.blocks.count == blocks,
              m.parity.count == m.stripes * m.parityShards, m.totalBytes <= blocks * m.blockSize,
              m.files.allSatisfy({ $0.size >= 0 && !$0.path.contains("..") && !$0.path.hasPrefix("/") }),
              (m.shared ?? []).allSatisfy({ $0.size >= 0 && Self.isSharedPath($0.path) }) else {
            throw .guardData("\(path): the manifest's layout does not add up (blocks, stripes, sizes or paths)")
        }
        return m
    }

    /// `shared/NAME`, one name with no `..` in it.
    public static func isSharedPath(_ path: String) -> Bool {
        guard path.hasPrefix("shared/") else { return false }
        let name = path.dropFirst(7)
        return !name.isEmpty && !name.contains("/") && !name.contains("..") && !name.hasPrefix(".")
    }
}
