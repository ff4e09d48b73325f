#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Integrity

/// firedrill's protection for one Flink job's checkpoints, which Flink writes with no
/// checksum: for checkpoint `chk-N` every file's size and CRC32C in a manifest, and
/// Reed-Solomon parity over the files' bytes, both in a parity directory of their own. A
/// file whose CRC fails, or that is short or missing, is rebuilt from the other files and
/// the parity, checked against its CRC, written beside and renamed into place: the only
/// thing the guard ever writes into Flink's directory.
public struct CheckpointGuard: Sendable {
    /// `<checkpoint-dir>/<job>`: where Flink writes `chk-N/`.
    public let jobDirectory: String
    /// `<parity-dir>/<job>`: the manifests and parity.
    public let parityDirectory: String
    public var dataShards = 10
    public var parityShards = 2
    /// Where manifests already read are kept (the guardian's); nil: read every time.
    public var cache: ManifestCache?

    public init(jobDirectory: String, parityDirectory: String, dataShards: Int = 10, parityShards: Int = 2, cache: ManifestCache? = nil) {
        self.jobDirectory = jobDirectory
        self.parityDirectory = parityDirectory
        self.dataShards = dataShards
        self.parityShards = parityShards
        self.cache = cache
    }

    /// The manifest at `path`, checked against its own CRC; nil when there is none.
    func readManifest(_ path: String) throws(FlinkError) -> GuardManifest? {
        if let cache { return try cache.manifest(at: path) }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try GuardManifest.decode(data, path: path)
    }

    /// The job's id (its directory's name).
    public var job: String { (jobDirectory as NSString).lastPathComponent }

    func manifestPath(_ id: UInt64) -> String { "\(parityDirectory)/chk-\(id).manifest" }
    func parityPath(_ id: UInt64) -> String { "\(parityDirectory)/chk-\(id).parity" }

    /// The checkpoints Flink has retained (`chk-N` with a `_metadata`), oldest first.
    public func retained() -> [UInt64] {
        ((try? FileManager.default.contentsOfDirectory(atPath: jobDirectory)) ?? []).compactMap { n -> UInt64? in
            guard n.hasPrefix("chk-"), let id = UInt64(n.dropFirst(4)), access("\(jobDirectory)/\(n)/_metadata", F_OK) == 0 else { return nil }
            return id
        }.sorted()
    }

    /// The checkpoints with a manifest, oldest first.
    public func guarded() -> [UInt64] {
        ((try? FileManager.default.contentsOfDirectory(atPath: parityDirectory)) ?? []).compactMap { n -> UInt64? in
            guard n.hasPrefix("chk-"), n.hasSuffix(".manifest"), let id = UInt64(n.dropFirst(4).dropLast(9)) else { return nil }
            return id
        }.sorted()
    }

    /// The block size for `total` bytes: about four stripes of `dataShards` blocks, from 64
    /// bytes to 1 MiB, in whole 4 KiB pages from 4 KiB up (small blocks keep the parity of a
    /// small file small: an incremental checkpoint's SST files can be a few KB).
    func blockSize(for total: Int) -> Int {
        let want = (total + dataShards * 4 - 1) / (dataShards * 4)
        let unit = want >= 4096 ? 4096 : 64
        return min(1 << 20, max(64, (want + unit - 1) / unit * unit))
    }

    /// Records checkpoint `id`: its files, their CRCs, parity, and the `shared/` files it
    /// refers to (each new one guarded on its own). Nil when Flink deleted the checkpoint
    /// while it was read (not an error: Flink drops old checkpoints).
    @discardableResult
    public func protect(_ id: UInt64) throws(FlinkError) -> GuardManifest? {
        try protectCounting(id)?.manifest
    }

    /// `protect`, also saying how many bytes of `shared/` files were new (read and encoded now).
    public func protectCounting(_ id: UInt64) throws(FlinkError) -> (manifest: GuardManifest, newSharedBytes: Int)? {
        let chk = "chk-\(id)"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "\(jobDirectory)/\(chk)") else { return nil }
        var files: [(path: String, bytes: UnsafeRawBufferPointer)] = []
        defer { for f in files { f.bytes.deallocate() } }
        for name in names.sorted() where !name.hasPrefix(".") {
            var st = stat()
            let path = "\(jobDirectory)/\(chk)/\(name)"
            guard stat(path, &st) == 0 else { return nil }
            guard (st.st_mode & S_IFMT) == S_IFREG else { continue }
            guard let bytes = Self.read(path, size: Int(st.st_size)) else { return nil }
            files.append(("\(chk)/\(name)", UnsafeRawBufferPointer(bytes)))
        }
        guard !files.isEmpty else { return nil }
        var (m, parity) = try computeParity(checkpoint: id, files: files)
        var newShared = 0
        if let metadata = files.first(where: { $0.path == "\(chk)/_metadata" }) {
            guard let shared = try guardShared(referencedBy: metadata.bytes, checkpoint: id) else { return nil }
            if !shared.files.isEmpty { m.shared = shared.files }
            newShared = shared.newBytes
        }
        try LabFiles.makeDirectory(parityDirectory)
        try LabFiles.writeAtomically(parity, to: parityPath(id))
        try LabFiles.writeAtomically(m.encoded(), to: manifestPath(id))
        return (m, newShared)
    }

    /// A file's `size` bytes in a buffer of their own (the caller deallocates it); nil when
    /// it cannot be read whole (gone, or not that size any more).
    static func read(_ path: String, size: Int) -> UnsafeMutableRawBufferPointer? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, size), alignment: 64)
        var off = 0
        while off < size, let base = buf.baseAddress {
            let n = Glibc.read(fd, base + off, size - off)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            off += n
        }
        var extra: UInt8 = 0
        guard off == size, Glibc.read(fd, &extra, 1) == 0 else { buf.deallocate(); return nil }
        return UnsafeMutableRawBufferPointer(rebasing: buf[0..<size])
    }

    /// The manifest and parity of a checkpoint's files (paths below the job's directory),
    /// in memory: every file's CRC32C, the layout, every block's CRC32C, RS parity and its
    /// CRC32Cs. One thread.
    public func computeParity(checkpoint id: UInt64, files: [(path: String, bytes: UnsafeRawBufferPointer)]) throws(FlinkError) -> (GuardManifest, Data) {
        var entries: [GuardManifest.File] = []
        for f in files { entries.append(.init(path: f.path, size: f.bytes.count, crc: CRC32C.checksum(f.bytes))) }
        let total = files.reduce(0) { $0 + $1.bytes.count }
        let b = blockSize(for: total)
        let blocks = max(1, (total + b - 1) / b)
        let stripes = (blocks + dataShards - 1) / dataShards
        var m = GuardManifest(format: GuardManifest.format, job: job, checkpoint: id, blockSize: b, dataShards: dataShards,
                              parityShards: parityShards, stripes: stripes, files: entries, blocks: [], parity: [])
        let (blockCRCs, parity, parityCRCs) = try encode(files.map(\.bytes), m)
        m.blocks = blockCRCs
        m.parity = parityCRCs
        return (m, parity)
    }

    /// Block `b`'s place: its stripe and its data shard there.
    static func place(_ b: Int, stripes: Int) -> (stripe: Int, shard: Int) { (b % stripes, b / stripes) }

    func codec(_ m: GuardManifest) throws(FlinkError) -> ReedSolomon {
        do { return try ReedSolomon(dataShards: m.dataShards, parityShards: m.parityShards) } catch {
            throw .guardData("RS(\(m.dataShards)+\(m.parityShards)): \(error)")
        }
    }

    /// The CRC of every data block, the parity bytes (stripe by stripe) and their CRCs, for
    /// `files` read one after the other as one stream. The code reads a block where it lies
    /// in its file (only a block across two files, or the padded last one, is copied) and
    /// writes parity straight into its buffer: no stream and no stripe is assembled.
    func encode(_ files: [UnsafeRawBufferPointer], _ m: GuardManifest) throws(FlinkError) -> ([UInt32], Data, [UInt32]) {
        let rs = try codec(m)
        let b = m.blockSize, k = m.dataShards, p = m.parityShards, stripes = m.stripes
        var blockCRCs = [UInt32](repeating: 0, count: stripes * k)
        var parity = Data(count: stripes * p * b)
        var parityCRCs = [UInt32](repeating: 0, count: stripes * p)
        // Scratch for blocks that are not whole inside one file (one per data shard).
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: b * k, alignment: 64)
        defer { scratch.deallocate() }
        var starts: [Int] = []
        var at = 0
        for f in files { starts.append(at); at += f.count }
        let total = at
        var failure: FlinkError?
        parity.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
            guard let outBase = out.baseAddress, let scratchBase = scratch.baseAddress else { return }
            var shards = [UnsafeRawPointer](repeating: UnsafeRawPointer(scratchBase), count: k)
            var parityShards = [UnsafeMutableRawPointer](repeating: outBase, count: p)
            for s in 0..<stripes {
                for j in 0..<k {
                    let block = j * stripes + s, start = block * b
                    shards[j] = Self.block(files, starts: starts, total: total, from: start, size: b, scratch: scratchBase + j * b)
                    blockCRCs[block] = CRC32C.checksum(UnsafeRawBufferPointer(start: shards[j], count: b))
                }
                for q in 0..<p { parityShards[q] = outBase + (s * p + q) * b }
                do { try rs.encode(shardLength: b, data: shards, parity: parityShards) } catch {
                    failure = .guardData("encoding parity: \(error)")
                    return
                }
                for q in 0..<p { parityCRCs[s * p + q] = CRC32C.checksum(UnsafeRawBufferPointer(start: parityShards[q], count: b)) }
            }
        }
        if let failure { throw failure }
        return (blockCRCs, parity, parityCRCs)
    }

    /// The `size` bytes of the stream from `from`: a pointer into a file when they lie whole
    /// inside one, else copied into `scratch` (zeros past the stream's end).
    static func block(_ files: [UnsafeRawBufferPointer], starts: [Int], total: Int, from: Int, size: Int, scratch: UnsafeMutableRawPointer) -> UnsafeRawPointer {
        // The file holding byte `from` (the last start at or before it).
        var lo = 0, hi = starts.count - 1
        while lo < hi { let mid = (lo + hi + 1) / 2; if starts[mid] <= from { lo = mid } else { hi = mid - 1 } }
        if from < total, from + size <= starts[lo] + files[lo].count, let base = files[lo].baseAddress {
            return base + (from - starts[lo])
        }
        memset(scratch, 0, size)
        var pos = from, i = lo
        while pos < min(total, from + size), i < files.count {
            let inFile = pos - starts[i]
            if inFile >= files[i].count { i += 1; continue }
            let n = min(files[i].count - inFile, from + size - pos)
            if let base = files[i].baseAddress { memcpy(scratch + (pos - from), base + inFile, n) }
            pos += n
            i += 1
        }
        return UnsafeRawPointer(scratch)
    }

    /// Copies block `block` of `stream` (zero-padded past its end) to `to`.
    func fill(_ to: UnsafeMutableRawPointer, block: Int, from stream: Data, size: Int) {
        let start = block * size
        guard start < stream.count else { return }
        let n = min(size, stream.count - start)
        stream.withUnsafeBytes { raw in raw.baseAddress.map { _ = memcpy(to, $0 + start, n) } }
    }
}
