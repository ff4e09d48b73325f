@testable import Engine
import Foundation
import Testing

/// A full disk: a checkpoint that cannot be written fails cleanly, older ones stay
/// restorable, the event log says the disk is full, and the job carries on when space
/// returns. On a real 16 MB tmpfs when this machine lets the test mount one, else with
/// ENOSPC injected in the file disk.
@Suite("A full disk", .serialized)
struct DiskFullTests {
    /// Mounts a small tmpfs at `dir`; false (and why) when not permitted here.
    static func mountTmpfs(_ dir: String) -> (Bool, String) {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", dir]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch { return (false, "\(error)") }
        let why = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus == 0, why.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func unmount(_ dir: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["umount", dir]
        try? p.run()
        p.waitUntilExit()
    }

    @Test("checkpoints fail cleanly while the disk is full, older ones restore, and the job goes on exact")
    func fullDisk() throws {
        let mountPoint = NSTemporaryDirectory() + "firedrill-full-\(getpid())"
        let (mounted, why) = Self.mountTmpfs(mountPoint)
        defer {
            if mounted { Self.unmount(mountPoint) }
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        if !mounted { print("disk-full test: cannot mount a tmpfs here (\(why)); injecting ENOSPC in the file disk instead") }
        let dir = mountPoint + "/data"
        var c = JobConfig()
        c.rate = 100_000
        c.accounts = 2000
        c.checkpointInterval = 0.1
        let engine = try ThreadedEngine(config: c, dataDirectory: dir, scrubIntervalMillis: 20)
        engine.start()
        #expect(eventually(5) { engine.snapshot().checkpointsCompleted >= 3 })
        let disk = try #require(engine.store.disk as? FileDisk)
        let before = try #require(try engine.store.checkpointIDs().last)
        let filler = mountPoint + "/filler"
        if mounted {
            // Fill what is left, in 64 KB writes until the filesystem says no.
            let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            let chunk = [UInt8](repeating: 0xAB, count: 65536)
            while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
            close(fd)
        } else {
            disk.simulateFull(true)
        }
        let failedBefore = engine.snapshot().events.count
        #expect(eventually(5) {
            engine.snapshot().events.dropFirst(failedBefore).contains {
                if case .checkpointFailed = $0.detail { $0.message.contains("No space left on device") } else { false }
            }
        }, "no checkpoint failed for the full disk")
        #expect(engine.snapshot().running)
        // The board says the disk is full (the dashboard's header shows it), typed.
        #expect(engine.snapshot().diskFullSince != nil)
        #expect(engine.snapshot().events.contains { if case .checkpointFailed(_, .diskFull) = $0.detail { true } else { false } })
        // The newest complete checkpoint from before still restores, shard for shard.
        let newest = try #require(try engine.store.checkpointIDs().last)
        #expect(newest >= before)
        #expect(engine.store.scrub(newest, repair: false).corrupt == 0)
        #expect(throws: Never.self) { _ = try engine.store.load(newest) }
        // Space returns: checkpoints complete again, the audit is exact.
        if mounted { try? FileManager.default.removeItem(atPath: filler) } else { disk.simulateFull(false) }
        let completed = engine.snapshot().checkpointsCompleted
        #expect(eventually(5) { engine.snapshot().checkpointsCompleted >= completed + 2 }, "checkpoints did not resume")
        #expect(engine.snapshot().diskFullSince == nil)
        #expect(engine.snapshot().events.contains { if case .diskSpaceBack = $0.detail { true } else { false } })
        let v = engine.stop(finalCheckpoint: true)
        #expect(v.exact && v.moneyConserved && v.committedTransfers > 0)
        // And a restart on it restores and stays exact.
        let again = try ThreadedEngine(config: c, dataDirectory: dir)
        #expect(again.snapshot().restoredFrom != nil && again.snapshot().audit.exact)
    }
}
