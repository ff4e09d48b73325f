import Engine
import Foundation
import Testing

@Suite("DurableFile and PartialFile: whole files or nothing")
struct DurableFileTests {
    static func scratch(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "firedrill-durable-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try DurableFile.makeDirectories(dir)
        return dir
    }

    static func text(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("a write replaces the file whole and leaves no temporary file")
    func replaces() throws {
        let dir = try Self.scratch("replace")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/report.json"
        try DurableFile.write("first", to: path)
        try DurableFile.write("second", to: path)
        #expect(Self.text(path) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["report.json"])
    }

    @Test("owner-only files are 0600 whatever the umask")
    func ownerOnly() throws {
        let dir = try Self.scratch("mode")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/lab.json"
        try DurableFile.write("{}", to: path, access: .ownerOnly)
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
    }

    @Test("a failed write names the file and the step, and keeps the old file")
    func failures() throws {
        let dir = try Self.scratch("fail")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // No such directory: the temporary file cannot be created.
        #expect(throws: DurableFileError(path: dir + "/missing/x.json.tmp", step: .create, code: ENOENT)) {
            try DurableFile.write("x", to: dir + "/missing/x.json")
        }
        // A non-empty directory where the file goes: the rename fails, nothing is left behind.
        try DurableFile.makeDirectories(dir + "/taken/inside")
        do {
            try DurableFile.write("x", to: dir + "/taken")
            Issue.record("a rename over a non-empty directory succeeded")
        } catch {
            #expect(error.path == dir + "/taken" && error.step == .rename)
            #expect(error.description.hasPrefix(dir + "/taken: cannot rename"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/taken.tmp"))
        // A file where a directory is expected.
        try DurableFile.write("x", to: dir + "/file")
        #expect(throws: DurableFileError(path: dir + "/file", step: .notADirectory, code: 0)) {
            try DurableFile.makeDirectories(dir + "/file/below")
        }
    }

    @Test("a partial file appears under its name only when finished")
    func partial() throws {
        let dir = try Self.scratch("partial")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/session.jsonl"
        try DurableFile.write("old\n", to: path)
        let file = try PartialFile(path: path)
        file.write("one\n")
        file.write("two\n")
        #expect(Self.text(path) == "old\n")
        #expect(file.isOpen)
        try file.finish()
        #expect(!file.isOpen)
        #expect(Self.text(path) == "one\ntwo\n")
        #expect(!FileManager.default.fileExists(atPath: PartialFile.partialPath(path)))
        try file.finish()  // the second time does nothing
        #expect(Self.text(path) == "one\ntwo\n")
    }

    @Test("percentiles: nearest rank over samples, the same rank over the histogram")
    func percentiles() {
        let samples = (1...200).map(Double.init).shuffled()
        #expect(Percentile.of(samples, 0.99) == 198)
        #expect(Percentile.of(samples, 0.5) == 100)
        #expect(Percentile.of(samples, 1) == 200)
        #expect(Percentile.of(samples, 0) == 1)
        #expect(Percentile.of([], 0.99) == 0)
        #expect(Percentile.rank(0.99, count: 1) == 1)
        var h = LatencyHistogram()
        for v in 1...60 { h.record(UInt64(v)) }  // below 64: one exact bucket per value
        #expect(h.quantile(0.99) == 60)
        #expect(h.quantile(0.5) == 30)
    }
}
