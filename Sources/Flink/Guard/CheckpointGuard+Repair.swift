#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Integrity

/// What checking one guarded checkpoint found, file by file.
public struct GuardFinding: Sendable, Equatable {
    public enum Problem: String, Sendable, Equatable {
        case corrupt
        /// Shorter or longer than it was.
        case resized = "of the wrong size"
        case missing
    }
    public enum Outcome: Sendable, Equatable {
        /// Found, not repaired (a verify).
        case found
        case repaired
        /// More damage than the parity covers, or the parity itself damaged.
        case unrecoverable(String)
        /// Flink deleted the checkpoint meanwhile: nothing to repair.
        case gone
    }
    public var checkpoint: UInt64
    public var path: String
    public var problem: Problem
    public var outcome: Outcome
}

/// One guarded checkpoint checked: bytes read, and what was wrong.
public struct GuardCheck: Sendable, Equatable {
    public var checkpoint: UInt64
    public var files = 0
    public var bytes = 0
    public var findings: [GuardFinding] = []
    /// Whether Flink deleted the checkpoint while it was checked.
    public var gone = false
    /// Whether every file is intact now (after any repair).
    public var intact: Bool { !gone && findings.allSatisfy { $0.outcome == .repaired } }
}

extension CheckpointGuard {
    /// Reads checkpoint `id`'s manifest (checked against its own CRC).
    public func manifest(_ id: UInt64) throws(FlinkError) -> GuardManifest {
        let path = manifestPath(id)
        guard let m = try readManifest(path) else { throw .guardData("\(path): no manifest (checkpoint \(id) is not guarded)") }
        guard m.checkpoint == id else { throw .guardData("\(path): the manifest is of checkpoint \(m.checkpoint), not \(id)") }
        return m
    }

    /// Checks checkpoint `id` against its manifest; with `repair`, rebuilds every damaged
    /// file it can from the parity. With `shared`, the `shared/` files it refers to
    /// (incremental checkpoints) are checked too, each against its own guard data.
    public func check(_ id: UInt64, repair: Bool, shared: Bool = true) throws(FlinkError) -> GuardCheck {
        let m = try manifest(id)
        var c = try checkFiles(m, parity: parityPath(id), checkpoint: id, repair: repair, wholeCheckpoint: true) {
            access("\(jobDirectory)/chk-\(id)", F_OK) == 0
        }
        guard shared, !c.gone else { return c }
        for f in m.shared ?? [] {
            let s = try checkShared(f, of: id, repair: repair)
            if s.gone { c.gone = true; return c }
            c.files += s.files
            c.bytes += s.bytes
            c.findings += s.findings
        }
        return c
    }

    /// Checks the files of manifest `m` (whose parity is at `parity`), reporting findings as
    /// checkpoint `id`'s. `alive` says whether the checkpoint is still retained (else it is
    /// gone: nothing to check or write back); a `wholeCheckpoint` with its `_metadata` or
    /// every file missing is one Flink is discarding.
    func checkFiles(_ m: GuardManifest, parity: String, checkpoint id: UInt64, repair: Bool, wholeCheckpoint: Bool,
                    alive: () -> Bool) throws(FlinkError) -> GuardCheck {
        var c = GuardCheck(checkpoint: id)
        var stream = Data(count: m.totalBytes)
        var damaged: [(index: Int, problem: GuardFinding.Problem)] = []
        var offset = 0
        var offsets: [Int] = []
        for (i, f) in m.files.enumerated() {
            offsets.append(offset)
            let path = "\(jobDirectory)/\(f.path)"
            if !alive() { c.gone = true; return c }
            if let bytes = FileManager.default.contents(atPath: path) {
                c.files += 1
                c.bytes += bytes.count
                let n = min(bytes.count, f.size)
                if n > 0 {
                    stream.withUnsafeMutableBytes { out in bytes.withUnsafeBytes { inp in
                        if let o = out.baseAddress, let i = inp.baseAddress { memcpy(o + offset, i, n) }
                    } }
                }
                if bytes.count != f.size {
                    damaged.append((i, .resized))
                } else if bytes.withUnsafeBytes({ CRC32C.checksum($0) }) != f.crc {
                    damaged.append((i, .corrupt))
                }
            } else {
                damaged.append((i, .missing))
            }
            offset += f.size
        }
        if damaged.isEmpty { return c }
        // No _metadata (or every file gone): Flink is discarding the checkpoint, file by file,
        // then the directory. Not damage, and nothing to write back into it.
        let discarding = damaged.contains { $0.problem == .missing && m.files[$0.index].path.hasSuffix("/_metadata") }
            || damaged.count == m.files.count && damaged.allSatisfy({ $0.problem == .missing })
        if wholeCheckpoint && discarding || !alive() { c.gone = true; return c }
        guard repair else {
            c.findings = damaged.map { GuardFinding(checkpoint: id, path: m.files[$0.index].path, problem: $0.problem, outcome: .found) }
            return c
        }
        // A shared file's parity is its own (its lifetime is its own): it rebuilds rotted or
        // lost parts of the file, not a file that is gone whole.
        if !wholeCheckpoint && damaged.allSatisfy({ $0.problem == .missing }) {
            c.findings = damaged.map {
                GuardFinding(checkpoint: id, path: m.files[$0.index].path, problem: .missing,
                             outcome: .unrecoverable("a shared file gone whole cannot be rebuilt from its own parity (it rebuilds rotted or lost parts of a file)"))
            }
            return c
        }
        let outcomes = try rebuild(m, parity: parity, &stream, damaged: damaged.map { ($0.index, offsets[$0.index]) })
        for (d, outcome) in zip(damaged, outcomes) {
            var o = outcome
            if o == .repaired {
                let f = m.files[d.index]
                let bytes = stream.subdata(in: offsets[d.index]..<offsets[d.index] + f.size)
                o = write(bytes, to: f, alive: alive)
            }
            c.findings.append(GuardFinding(checkpoint: id, path: m.files[d.index].path, problem: d.problem, outcome: o))
        }
        return c
    }

    /// Reconstructs the damaged files' blocks in `stream` from the intact ones and the
    /// parity; says per damaged file whether its bytes are whole again (CRC checked).
    func rebuild(_ m: GuardManifest, parity parityFile: String, _ stream: inout Data, damaged: [(index: Int, offset: Int)]) throws(FlinkError) -> [GuardFinding.Outcome] {
        let b = m.blockSize, k = m.dataShards, p = m.parityShards
        guard let parity = FileManager.default.contents(atPath: parityFile), parity.count == m.stripes * p * b else {
            return damaged.map { _ in .unrecoverable("the parity file \(parityFile) is missing or of the wrong size") }
        }
        // Blocks that hold bytes of a damaged file and whose CRC fails are the missing shards.
        var bad = Set<Int>()
        for d in damaged {
            let size = m.files[d.index].size
            guard size > 0 else { continue }
            for block in (d.offset / b)...((d.offset + size - 1) / b) where blockCRC(stream, block, b) != m.blocks[block] { bad.insert(block) }
        }
        let rs = try codec(m)
        let stripe = ShardBuffer(count: k + p, shardLength: b)
        var failed: [Int: String] = [:]  // block → why it could not be rebuilt
        for s in Set(bad.map { Self.place($0, stripes: m.stripes).stripe }).sorted() {
            stripe.bytes.initializeMemory(as: UInt8.self, repeating: 0)
            var present = [Bool](repeating: true, count: k + p)
            for j in 0..<k {
                let block = j * m.stripes + s
                fill(stripe.pointer(j), block: block, from: stream, size: b)
                if bad.contains(block) { present[j] = false }
            }
            for q in 0..<p {
                parity.withUnsafeBytes { raw in if let base = raw.baseAddress { memcpy(stripe.pointer(k + q), base + (s * p + q) * b, b) } }
                if CRC32C.checksum(UnsafeRawBufferPointer(start: stripe.pointer(k + q), count: b)) != m.parity[s * p + q] { present[k + q] = false }
            }
            let lost = present.filter { !$0 }.count
            let blocks = (0..<k).map { $0 * m.stripes + s }.filter { bad.contains($0) }
            guard lost <= p else {
                for block in blocks { failed[block] = "stripe \(s) lost \(lost) of its \(k + p) shards; its parity covers \(p)" }
                continue
            }
            do { try rs.reconstruct(stripe, present: present) } catch {
                for block in blocks { failed[block] = "reconstruction failed: \(error)" }
                continue
            }
            for block in blocks {
                let j = Self.place(block, stripes: m.stripes).shard
                guard CRC32C.checksum(UnsafeRawBufferPointer(start: stripe.pointer(j), count: b)) == m.blocks[block] else {
                    failed[block] = "block \(block) rebuilt with the wrong CRC"
                    continue
                }
                let start = block * b, n = min(b, stream.count - start)
                if n > 0 { stream.withUnsafeMutableBytes { out in if let base = out.baseAddress { memcpy(base + start, stripe.pointer(j), n) } } }
            }
        }
        return damaged.map { d in
            let f = m.files[d.index]
            let range = f.size > 0 ? (d.offset / b)...((d.offset + f.size - 1) / b) : 1...0
            if let why = range.lazy.compactMap({ failed[$0] }).first { return .unrecoverable(why) }
            let crc = stream.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[d.offset..<d.offset + f.size])) }
            return crc == f.crc ? .repaired : .unrecoverable("rebuilt bytes do not match the recorded CRC32C")
        }
    }

    func blockCRC(_ stream: Data, _ block: Int, _ size: Int) -> UInt32 {
        var buf = [UInt8](repeating: 0, count: size)
        buf.withUnsafeMutableBytes { raw in if let base = raw.baseAddress { fill(base, block: block, from: stream, size: size) } }
        return buf.withUnsafeBytes { CRC32C.checksum($0) }
    }

    /// Writes a repaired file beside the damaged one and renames it into place, unless Flink
    /// deleted the checkpoint meanwhile (`alive` false).
    func write(_ bytes: Data, to f: GuardManifest.File, alive: () -> Bool) -> GuardFinding.Outcome {
        let path = "\(jobDirectory)/\(f.path)"
        guard alive() else { return .gone }
        do { try LabFiles.writeAtomically(bytes, to: path, access: .shared) } catch {
            return alive() ? .unrecoverable(error.description) : .gone
        }
        return .repaired
    }

    /// Deletes the guard data of checkpoints Flink no longer retains, and of `shared/` files
    /// Flink deleted that no retained checkpoint refers to; returns the checkpoints' ids.
    @discardableResult
    public func dropStale() -> [UInt64] {
        var dropped: [UInt64] = []
        for id in guarded() where access("\(jobDirectory)/chk-\(id)", F_OK) != 0
            || ((try? manifest(id))?.files.allSatisfy { access("\(jobDirectory)/\($0.path)", F_OK) != 0 } ?? false) {
            unlink(manifestPath(id))
            unlink(parityPath(id))
            dropped.append(id)
        }
        dropStaleShared()
        return dropped
    }
}
