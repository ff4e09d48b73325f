import Engine
import Foundation

/// One flipped bit in a file of a retained Flink checkpoint (its largest state file — in an
/// incremental checkpoint that is usually one of the `shared/` SST files it refers to —
/// else `_metadata` past its first quarter, where state handles and inline state live).
public struct CheckpointRot: Sendable, Equatable, CustomStringConvertible {
    public var checkpoint: UInt64
    /// The file, as the checkpoint names it: `_metadata`, a file in `chk-N/`, or `shared/NAME`.
    public var file: String
    public var path: String
    public var offset: Int
    public var bit: Int
    public var size: Int

    public init(checkpoint: UInt64, file: String, path: String, offset: Int, bit: Int, size: Int) {
        self.checkpoint = checkpoint
        self.file = file
        self.path = path
        self.offset = offset
        self.bit = bit
        self.size = size
    }

    public var description: String { "flipped bit \(bit) of byte \(offset) in \(path) (checkpoint \(checkpoint), \(size) bytes)" }

    /// The retained checkpoints (`chk-N` with a `_metadata`), oldest first.
    static func retained(_ jobDir: String) -> [UInt64] {
        ((try? FileManager.default.contentsOfDirectory(atPath: jobDir)) ?? []).compactMap { n -> UInt64? in
            guard n.hasPrefix("chk-"), let id = UInt64(n.dropFirst(4)), FileManager.default.fileExists(atPath: "\(jobDir)/\(n)/_metadata") else { return nil }
            return id
        }.sorted()
    }

    /// Waits (up to 2 s) until the newest retained checkpoint is one `isGuarded` knows.
    public static func waitUntilNewestGuarded(jobDirectory: String, _ isGuarded: (UInt64) -> Bool) {
        let end = Date().addingTimeInterval(2)
        while Date() < end {
            if let newest = retained(jobDirectory).last, isGuarded(newest) { return }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// Flips a bit of checkpoint `ref` (the newest retained one for `latest`) under `jobDirectory`;
    /// `seed` picks the byte.
    public static func flip(jobDirectory jobDir: String, _ ref: CheckpointRef, file: String?, seed: UInt64) throws(FlinkError) -> CheckpointRot {
        guard FileManager.default.fileExists(atPath: jobDir) else { throw .checkpoint("\(jobDir): no such directory (is --checkpoint-dir the job's checkpoint directory?)") }
        // A checkpoint is retained once its _metadata is written (a newer directory may be one
        // Flink is still writing).
        let chks = retained(jobDir)
        let id: UInt64
        switch ref {
        case .latest:
            guard let newest = chks.last else { throw .checkpoint("\(jobDir): no retained checkpoint (chk-N) yet") }
            id = newest
        case let .id(i):
            guard chks.contains(i) else { throw .checkpoint("\(jobDir)/chk-\(i): not retained; retained: \(chks.map(String.init).joined(separator: ", "))") }
            id = i
        }
        let chk = "\(jobDir)/chk-\(id)"
        // Its own files, and the shared files its _metadata names (incremental checkpoints).
        var files = ((try? FileManager.default.contentsOfDirectory(atPath: chk)) ?? []).sorted()
        let metadata = FileManager.default.contents(atPath: chk + "/_metadata") ?? Data()
        let shared = CheckpointGuard(jobDirectory: jobDir, parityDirectory: "")
        files += metadata.withUnsafeBytes { shared.sharedNames(referencedBy: $0) }.map { "shared/" + $0 }
        let target: String
        if let file {
            guard files.contains(file) else { throw .checkpoint("\(chk): no file '\(file)'; it holds and refers to \(files.joined(separator: ", "))") }
            target = file
        } else {
            let sized = files.map { ($0, (try? FileManager.default.attributesOfItem(atPath: Self.path(jobDir, id, $0))[.size] as? Int) ?? 0) }
            target = sized.filter { $0.0 != "_metadata" && $0.1 > 0 }.max { $0.1 < $1.1 }?.0 ?? "_metadata"
        }
        let path = Self.path(jobDir, id, target)
        guard var data = FileManager.default.contents(atPath: path), !data.isEmpty else { throw .checkpoint("\(path): empty or unreadable") }
        let start = target == "_metadata" ? data.count / 4 : 0
        let offset = start + Int(seed % UInt64(max(1, data.count - start)))
        data[offset] ^= UInt8(1) << UInt8(offset % 8)
        do throws(DurableFileError) { try DurableFile.write([UInt8](data), to: path) } catch { throw .checkpoint(error.description) }
        return CheckpointRot(checkpoint: id, file: target, path: path, offset: offset, bit: offset % 8, size: data.count)
    }

    /// Whether checkpoint `id` under `jobDirectory` holds the rotten file: it is the
    /// checkpoint rotted, or a later incremental one whose `_metadata` names the same
    /// `shared/` file. False when its `_metadata` is gone.
    public func isCarried(by id: UInt64, jobDirectory: String) -> Bool {
        if id == checkpoint { return true }
        guard file.hasPrefix("shared/"), let metadata = FileManager.default.contents(atPath: "\(jobDirectory)/chk-\(id)/_metadata") else { return false }
        return metadata.withUnsafeBytes { CheckpointGuard.mentions($0, String(file.dropFirst("shared/".count))) }
    }

    /// Where `file` of checkpoint `id` is: `shared/…` below the job's directory, the rest in `chk-N/`.
    static func path(_ jobDir: String, _ id: UInt64, _ file: String) -> String {
        file.hasPrefix("shared/") ? "\(jobDir)/\(file)" : "\(jobDir)/chk-\(id)/\(file)"
    }
}
