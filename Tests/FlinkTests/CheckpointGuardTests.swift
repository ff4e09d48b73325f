import Foundation
@testable import Flink
import Synchronization
import Testing

/// A directory of files standing in for a Flink job's checkpoints.
struct FakeCheckpoints {
    let root: String
    let job = "0123456789abcdef0123456789abcdef"
    var jobDir: String { root + "/" + job }
    var parity: String { root + ".guard/" + job }

    init() throws {
        root = NSTemporaryDirectory() + "firedrill-guard-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/" + job, withIntermediateDirectories: true)
    }

    /// `chk-id` with a small _metadata and two state files of deterministic bytes.
    func write(_ id: UInt64, sizes: [String: Int] = ["_metadata": 2_000, "op-a-state": 40_000, "op-b-state": 100_000, "op-c-state": 3_000]) throws -> [String: Data] {
        let dir = "\(jobDir)/chk-\(id)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var out: [String: Data] = [:]
        var x: UInt64 = id &* 0x9E37_79B9_7F4A_7C15 | 1
        for (name, size) in sizes.sorted(by: { $0.key < $1.key }) {
            var d = Data(count: size)
            for i in 0..<size { x ^= x << 13; x ^= x >> 7; x ^= x << 17; d[i] = UInt8(truncatingIfNeeded: x) }
            try d.write(to: URL(fileURLWithPath: dir + "/" + name))
            out[name] = d
        }
        return out
    }

    func read(_ id: UInt64, _ name: String) -> Data? { FileManager.default.contents(atPath: "\(jobDir)/chk-\(id)/\(name)") }

    func flip(_ id: UInt64, _ name: String, byte: Int, bit: Int = 3) throws {
        let path = "\(jobDir)/chk-\(id)/\(name)"
        var d = try #require(FileManager.default.contents(atPath: path))
        d[byte] ^= UInt8(1 << bit)
        try d.write(to: URL(fileURLWithPath: path))
    }

    var guardian: CheckpointGuard { CheckpointGuard(jobDirectory: jobDir, parityDirectory: parity) }

    func clean() {
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.removeItem(atPath: root + ".guard")
    }
}

@Suite("The checkpoint guard: CRC32C and Reed-Solomon parity for Flink's checkpoint files")
struct CheckpointGuardTests {
    @Test("every single-file corruption is repaired byte for byte: a flipped bit anywhere, a short file, a missing small file")
    func singleFile() throws {
        let f = try FakeCheckpoints()
        defer { f.clean() }
        let original = try f.write(7)
        let g = f.guardian
        let m = try #require(try g.protect(7))
        #expect(m.files.map(\.path) == ["chk-7/_metadata", "chk-7/op-a-state", "chk-7/op-b-state", "chk-7/op-c-state"])
        #expect(try g.check(7, repair: false).findings.isEmpty)
        for (name, data) in original {
            for byte in [0, data.count / 3, data.count - 1] {
                try f.flip(7, name, byte: byte, bit: byte % 8)
                let found = try g.check(7, repair: false)
                #expect(found.findings.map(\.problem) == [.corrupt] && found.findings.first?.outcome == .found)
                let c = try g.check(7, repair: true)
                #expect(c.findings.count == 1 && c.findings.first?.outcome == .repaired, "\(name) byte \(byte): \(c.findings)")
                #expect(f.read(7, name) == data)
            }
        }
        // Truncated, then deleted (a small one: its bytes fit the parity).
        let meta = try #require(original["_metadata"])
        try meta.prefix(1000).write(to: URL(fileURLWithPath: "\(f.jobDir)/chk-7/_metadata"))
        let resized = try g.check(7, repair: true).findings
        #expect(resized.first?.problem == .resized && resized.first?.outcome == .repaired)
        #expect(f.read(7, "_metadata") == meta)
        try FileManager.default.removeItem(atPath: "\(f.jobDir)/chk-7/op-c-state")
        let missing = try g.check(7, repair: true).findings
        #expect(missing.first?.problem == .missing && missing.first?.outcome == .repaired)
        #expect(f.read(7, "op-c-state") == original["op-c-state"])
        // Nothing but the repaired files was written into the checkpoint.
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(f.jobDir)/chk-7").sorted() == ["_metadata", "op-a-state", "op-b-state", "op-c-state"])
        // Without _metadata Flink is discarding the checkpoint: nothing is written back.
        try FileManager.default.removeItem(atPath: "\(f.jobDir)/chk-7/_metadata")
        try FileManager.default.removeItem(atPath: "\(f.jobDir)/chk-7/op-c-state")
        #expect(try g.check(7, repair: true).gone)
        #expect(f.read(7, "op-c-state") == nil)
    }

    @Test("more damage than the parity covers is reported, never 'repaired' wrongly")
    func beyondParity() throws {
        let f = try FakeCheckpoints()
        defer { f.clean() }
        let original = try f.write(3)
        let g = f.guardian
        let m = try #require(try g.protect(3))
        // Three blocks of one stripe (blocks s, s + stripes, s + 2·stripes) in the big file:
        // RS(10+2) rebuilds two.
        let offset = 2_000 + 40_000
        let first = (offset + m.blockSize - 1) / m.blockSize
        let blocks = [first, first + m.stripes, first + 2 * m.stripes]
        #expect(Set(blocks.map { CheckpointGuard.place($0, stripes: m.stripes).stripe }).count == 1)
        for b in blocks { try f.flip(3, "op-b-state", byte: b * m.blockSize - offset + 5) }
        let damaged = try #require(f.read(3, "op-b-state"))
        let c = try g.check(3, repair: true)
        guard case let .unrecoverable(why)? = c.findings.first?.outcome else { Issue.record("\(c.findings)"); return }
        #expect(why.contains("lost 3") && why.contains("covers 2"), "\(why)")
        #expect(f.read(3, "op-b-state") == damaged)
        #expect(!c.intact)
        // A whole big file gone is more than the parity too.
        try f.flip(3, "op-b-state", byte: 0)
        try Data().write(to: URL(fileURLWithPath: "\(f.jobDir)/chk-3/op-b-state"))
        #expect(try g.check(3, repair: true).findings.allSatisfy { if case .unrecoverable = $0.outcome { true } else { false } })
        #expect(f.read(3, "op-a-state") == original["op-a-state"])
    }

    @Test("a corrupt manifest is an error naming it; a checkpoint Flink deletes while it is read is not an error")
    func badManifestAndGone() throws {
        let f = try FakeCheckpoints()
        defer { f.clean() }
        _ = try f.write(4)
        _ = try f.write(5)
        let g = f.guardian
        try g.protect(4)
        try g.protect(5)
        let path = "\(f.parity)/chk-4.manifest"
        var d = try #require(FileManager.default.contents(atPath: path))
        d[10] ^= 1
        try d.write(to: URL(fileURLWithPath: path))
        #expect { try g.check(4, repair: true) } throws: { ($0 as? FlinkError)?.description.contains("chk-4.manifest: the manifest is corrupt") == true }
        #expect { try GuardManifest.decode(Data("{}".utf8), path: "x") } throws: { ($0 as? FlinkError)?.description.contains("no crc32c line") == true }
        // Flink discarding a checkpoint deletes its files, then the directory: not damage.
        for name in try FileManager.default.contentsOfDirectory(atPath: "\(f.jobDir)/chk-5") { try FileManager.default.removeItem(atPath: "\(f.jobDir)/chk-5/\(name)") }
        let discarding = try g.check(5, repair: true)
        #expect(discarding.gone && discarding.findings.isEmpty)
        try FileManager.default.removeItem(atPath: "\(f.jobDir)/chk-5")
        #expect(try g.check(5, repair: true).gone)
        #expect(try g.protect(5) == nil)
        #expect(g.dropStale() == [5])
        #expect(g.guarded() == [4])
    }

    @Test("the guardian guards a checkpoint once its _metadata stops changing, and its scrubber repairs rot")
    func guardian() throws {
        let f = try FakeCheckpoints()
        defer { f.clean() }
        let original = try f.write(9)
        let g = CheckpointGuardian(checkpointRoot: f.root, parityRoot: f.root + ".guard")
        let events = Mutex<[GuardEvent]>([])
        g.onEvent = { _, e in events.withLock { $0.append(e) } }
        g.tick()
        #expect(f.guardian.guarded().isEmpty)  // seen once: maybe still being written
        g.tick()
        #expect(f.guardian.guarded() == [9])
        #expect(events.withLock { $0 }.contains { if case .guarded(9, 4, 145_000, _, 0, 0, _) = $0 { true } else { false } })
        try f.flip(9, "op-a-state", byte: 12_345)
        g.tick()
        #expect(f.read(9, "op-a-state") == original["op-a-state"])
        #expect(events.withLock { $0 }.contains { if case let .finding(x) = $0 { x.outcome == .repaired && x.path == "chk-9/op-a-state" } else { false } })
        try FileManager.default.removeItem(atPath: "\(f.jobDir)/chk-9")
        // Stale guard data is looked for once every 10 rounds (a second of the thread's).
        for _ in 0..<10 { g.tick() }
        #expect(events.withLock { $0 }.last == .dropped([9]))
        #expect(f.guardian.guarded().isEmpty)
    }
}

/// Incremental checkpoints: SST files in the job's `shared/` directory, named in `_metadata`.
extension FakeCheckpoints {
    /// `shared/NAME` of `size` deterministic bytes.
    func writeShared(_ name: String, size: Int) throws -> Data {
        try FileManager.default.createDirectory(atPath: jobDir + "/shared", withIntermediateDirectories: true)
        var x = UInt64(truncatingIfNeeded: name.hashValue) | 1
        var d = Data(count: size)
        for i in 0..<size { x ^= x << 13; x ^= x >> 7; x ^= x << 17; d[i] = UInt8(truncatingIfNeeded: x) }
        try d.write(to: URL(fileURLWithPath: jobDir + "/shared/" + name))
        return d
    }

    /// `chk-id` with one private file and a _metadata naming `shared` as Flink does (full paths).
    func writeIncremental(_ id: UInt64, shared: [String]) throws {
        _ = try write(id, sizes: ["op-private": 3_000])
        var meta = Data("flink-metadata \(id)\n".utf8)
        for n in shared { meta += Data("file:\(jobDir)/shared/\(n)\n".utf8) }
        try meta.write(to: URL(fileURLWithPath: "\(jobDir)/chk-\(id)/_metadata"))
    }

    func shared(_ name: String) -> Data? { FileManager.default.contents(atPath: jobDir + "/shared/" + name) }
}

@Suite("The checkpoint guard on incremental checkpoints: shared/ files guarded once, repaired, dropped with Flink")
struct CheckpointGuardSharedTests {
    let a = "6b2c1f1e-0000-4000-8000-00000000000a", b = "6b2c1f1e-0000-4000-8000-00000000000b"
    let c = "6b2c1f1e-0000-4000-8000-00000000000c", stray = "6b2c1f1e-0000-4000-8000-0000000000ff"

    @Test("a checkpoint's manifest lists the shared files its _metadata names; each is guarded once, by the first checkpoint that refers to it")
    func guardsOnce() throws {
        let f = try FakeCheckpoints()
        defer { f.clean() }
        _ = try f.writeShared(a, size: 70_000)
        _ = try f.writeShared(b, size: 5_000)
        _ = try f.writeShared(stray, size: 9_000)  // being uploaded for a checkpoint not complete yet
        try f.writeIncremental(1, shared: [a, b])
        let g = f.guardian
        let first = try #require(try g.protectCounting(1))
        #expect(first.manifest.shared?.map(\.path) == ["shared/\(a)", "shared/\(b)"])
        #expect(first.newSharedBytes == 75_000)
        _ = try f.writeShared(c, size: 12_000)
        try f.writeIncremental(2, shared: [b, c])
        let second = try #require(try g.protectCounting(2))
        #expect(second.newSharedBytes == 12_000)  // b was guarded by checkpoint 1
        #expect(second.manifest.shared?.map(\.path) == ["shared/\(b)", "shared/\(c)"])
        #expect(access("\(f.parity)/shared/\(stray).manifest", F_OK) != 0)
        // A small file's parity is small: 64-byte blocks, not 4 KiB ones.
        let small = try g.sharedManifest(b)
        #expect(small.blockSize < 4096 && small.stripes * small.parityShards * small.blockSize <= 2_048)
        let check = try g.check(2, repair: false)
        let metadata = try #require(f.read(2, "_metadata")).count
        #expect(check.findings.isEmpty && check.files == 2 + 2 && check.bytes == 3_000 + metadata + 17_000)
    }

    @Test("a shared file that rots, shrinks or vanishes is rebuilt byte for byte while a checkpoint refers to it")
    func repairs() throws {
        let f = try FakeCheckpoints()
        defer { f.clean() }
        let original = try f.writeShared(a, size: 70_000)
        let small = try f.writeShared(b, size: 5_000)
        try f.writeIncremental(1, shared: [a, b])
        let g = f.guardian
        try g.protect(1)
        var d = original
        d[33_333] ^= 0x40
        try d.write(to: URL(fileURLWithPath: f.jobDir + "/shared/" + a))
        let seen = try g.check(1, repair: false)
        #expect(seen.findings == [GuardFinding(checkpoint: 1, path: "shared/\(a)", problem: .corrupt, outcome: .found)])
        let fixed = try g.check(1, repair: true)
        #expect(fixed.findings.map(\.outcome) == [.repaired] && fixed.intact)
        #expect(f.shared(a) == original)
        try original.prefix(69_000).write(to: URL(fileURLWithPath: f.jobDir + "/shared/" + a))  // its last block or two
        let short = try g.check(1, repair: true)
        #expect(short.findings.map(\.problem) == [.resized] && short.intact)
        #expect(f.shared(a) == original)
        // A shared file's parity is its own: a file gone whole cannot be rebuilt from it, and
        // the guard says so rather than writing anything.
        unlink(f.jobDir + "/shared/" + b)
        let gone = try g.check(1, repair: true)
        #expect(gone.findings.count == 1 && gone.findings[0].problem == .missing && !gone.intact)
        if case let .unrecoverable(why) = gone.findings.first?.outcome { #expect(why.contains("gone whole")) } else { Issue.record("not unrecoverable") }
        #expect(f.shared(b) == nil)
        _ = small
    }

    @Test("guard data of a shared file goes when Flink deletes the file and no retained checkpoint refers to it; a rotted shared manifest is an error")
    func dropsAndRefuses() throws {
        let f = try FakeCheckpoints()
        defer { f.clean() }
        _ = try f.writeShared(a, size: 8_000)
        _ = try f.writeShared(b, size: 8_000)
        try f.writeIncremental(1, shared: [a, b])
        try f.writeIncremental(2, shared: [b])
        let g = f.guardian
        try g.protect(1)
        try g.protect(2)
        // Flink subsumes checkpoint 1 and deletes the shared file only it used.
        try FileManager.default.removeItem(atPath: "\(f.jobDir)/chk-1")
        unlink(f.jobDir + "/shared/" + a)
        #expect(g.dropStale() == [1])
        #expect(access("\(f.parity)/shared/\(a).manifest", F_OK) != 0)
        #expect(access("\(f.parity)/shared/\(b).manifest", F_OK) == 0)
        #expect(g.sharedReferences().map(\.file.path) == ["shared/\(b)"] && g.sharedReferences().first?.referrers == [2])
        // The shared file's own manifest rots: a clear error naming it, nothing written.
        let path = "\(f.parity)/shared/\(b).manifest"
        var m = try #require(FileManager.default.contents(atPath: path))
        m[20] ^= 1
        try m.write(to: URL(fileURLWithPath: path))
        #expect { try g.check(2, repair: true) } throws: { ($0 as? FlinkError)?.description.contains("\(b).manifest: the manifest is corrupt") == true }
    }

    @Test("the guardian's scrubber finds and repairs a rotted shared file within a few rounds")
    func scrubber() throws {
        let f = try FakeCheckpoints()
        defer { f.clean() }
        let original = try f.writeShared(a, size: 50_000)
        try f.writeIncremental(3, shared: [a])
        let g = CheckpointGuardian(checkpointRoot: f.root, parityRoot: f.root + ".guard")
        let events = Mutex<[GuardEvent]>([])
        g.onEvent = { _, e in events.withLock { $0.append(e) } }
        g.tick()
        g.tick()
        #expect(events.withLock { $0 }.contains { if case .guarded(3, 2, _, _, 1, 50_000, _) = $0 { true } else { false } })
        var d = original
        d[49_999] ^= 1
        try d.write(to: URL(fileURLWithPath: f.jobDir + "/shared/" + a))
        for _ in 0..<12 { g.tick() }
        #expect(f.shared(a) == original)
        #expect(events.withLock { $0 }.contains { if case let .finding(x) = $0 { x.outcome == .repaired && x.path == "shared/\(a)" } else { false } })
    }

    @Test("a bit flipped in a shared file is carried by every later checkpoint that refers to it, and by no other")
    func rotCarried() throws {
        let f = try FakeCheckpoints()
        defer { f.clean() }
        _ = try f.writeShared(a, size: 60_000)
        _ = try f.writeShared(b, size: 1_000)
        try f.writeIncremental(9, shared: [a, b])
        let rot = try CheckpointRot.flip(jobDirectory: f.jobDir, .latest, file: nil, seed: 7)
        #expect(rot.checkpoint == 9 && rot.file == "shared/\(a)" && rot.path == f.jobDir + "/shared/" + a)
        try f.writeIncremental(10, shared: [a])
        try f.writeIncremental(11, shared: [b, c])
        #expect(rot.isCarried(by: 9, jobDirectory: f.jobDir))
        #expect(rot.isCarried(by: 10, jobDirectory: f.jobDir))
        #expect(!rot.isCarried(by: 11, jobDirectory: f.jobDir))
        #expect(!rot.isCarried(by: 12, jobDirectory: f.jobDir))  // not there: not known to carry it
        // A checkpoint's own file is carried by that checkpoint alone.
        let own = try CheckpointRot.flip(jobDirectory: f.jobDir, .id(11), file: "op-private", seed: 3)
        #expect(own.file == "op-private" && own.isCarried(by: 11, jobDirectory: f.jobDir) && !own.isCarried(by: 10, jobDirectory: f.jobDir))
    }
}
