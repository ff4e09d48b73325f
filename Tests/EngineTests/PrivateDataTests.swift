@testable import Engine
import Foundation
import Testing

@Suite("Private data directories")
struct PrivateDataTests {
    /// The permission bits of `path`.
    static func mode(_ path: String) -> mode_t {
        var st = stat()
        guard stat(path, &st) == 0 else { return 0o7777 }
        return st.st_mode & 0o777
    }

    @Test("a new data directory is 0700 with its files 0600, whatever the umask lets through")
    func newDirectoryIsPrivate() throws {
        let dir = NSTemporaryDirectory() + "firedrill-private-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = JobConfig()
        c.rate = 100_000
        c.accounts = 1000
        c.checkpointInterval = 0.1
        let engine = try ThreadedEngine(config: c, dataDirectory: dir)
        engine.start()
        #expect(eventually(5) { engine.snapshot().checkpointsCompleted >= 2 })
        engine.stop(finalCheckpoint: true)
        #expect(Self.mode(dir) == 0o700)
        #expect(Self.mode(dir + "/node-0") == 0o700)
        #expect(Self.mode(dir + "/manifests") == 0o700)
        #expect(Self.mode(dir + "/" + DataDirectory.formatFile) == 0o600)
        #expect(Self.mode(dir + "/" + DataDirectory.sinkFile) == 0o600)
        let shards = try FileManager.default.contentsOfDirectory(atPath: dir + "/node-0").filter { $0.hasPrefix("chk-") }
        #expect(!shards.isEmpty)
        for s in shards { #expect(Self.mode(dir + "/node-0/" + s) == 0o600, "\(s)") }
        let manifests = try FileManager.default.contentsOfDirectory(atPath: dir + "/manifests")
        for m in manifests { #expect(Self.mode(dir + "/manifests/" + m) == 0o600, "\(m)") }
        #expect(DataDirectory.exposure(dir) == nil)
    }

    @Test("an existing directory others may read is used, with a warning that says how to fix it")
    func exposedDirectoryWarns() throws {
        let dir = NSTemporaryDirectory() + "firedrill-open-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkdir(dir, 0o755) == 0)
        #expect(chmod(dir, 0o755) == 0)
        let warning = try #require(DataDirectory.exposure(dir))
        #expect(warning.contains("mode 755") && warning.contains("chmod 700"))
        let engine = try ThreadedEngine(config: JobConfig(), dataDirectory: dir)
        #expect(engine.snapshot().events.contains { $0.kind == .error && $0.message.contains("chmod 700 \(dir)") })
        #expect(Self.mode(dir) == 0o755, "an existing directory is left as the user made it")
    }
}
