@testable import Drills
@testable import Engine
import Foundation
import Testing

/// Records read back for `firedrill replay`: what was written is what is drawn, and a record
/// that is cut short, malformed or from a newer firedrill is refused with its line.
@Suite("Records and replay")
struct RecordTests {
    static func temp(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "firedrill-record-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/" + name
    }

    /// A simulated run of a kill and a rotted shard, recorded every 200 ms as the runner does,
    /// with the live snapshot (in record time) kept beside each frame.
    static func recordRun(to path: String) throws -> [ClusterSnapshot] {
        var job = Drill.Job()
        job.seed = 11
        let probe = Drill(name: "probe", description: "", duration: 1, job: job, steps: [], expect: Expectations(), source: "test")
        let target = try DrillTarget.simulated(probe, seed: 11)
        let header = RecordHeader(config: target.engine.config, replicas: 1, runtime: "simulated", title: "payments (test)", drill: "probe")
        let record = try DrillRecord(path: path, header: header)
        var live: [ClusterSnapshot] = []
        var tick = 0
        while tick < 60 {
            tick += 1
            target.advance(to: Double(tick) * 0.1)
            if tick == 20 { try target.apply(.kill(2)) }
            if tick == 35 { try target.apply(.corruptShard(.latest, 1)) }
            record.writeNewEvents(target.events())
            record.writeReceipts(target.receipts(), time: target.now)
            if tick % 2 == 0 {
                let s = target.engine.snapshot().rebased(by: target.base)
                record.writeSnapshot(s, time: target.now)
                live.append(s)
            }
        }
        try record.close()
        return live
    }

    @Test("every frame reads back as the cluster was: nodes, checkpoints, recoveries, audit, events and receipts")
    func roundTrip() throws {
        let path = Self.temp("run.jsonl")
        let live = try Self.recordRun(to: path)
        let r = try RecordReader.read(path)
        #expect(r.header.title == "payments (test)" && r.header.drill == "probe" && r.header.nodes == 6 && r.header.version == RecordHeader.currentVersion)
        #expect(r.frames.count == live.count)
        for (i, s) in live.enumerated() {
            let back = r.snapshot(at: r.frames[i].t)
            #expect(abs(back.uptime - s.uptime) < 1e-6)
            #expect(back.nodes == s.nodes, "frame \(i)")
            #expect(back.checkpoints == s.checkpoints, "frame \(i)")
            #expect(back.recoveries == s.recoveries, "frame \(i)")
            #expect(back.audit == s.audit && back.verdictAge == s.verdictAge && back.sinkCommittedTransfers == s.sinkCommittedTransfers)
            // Receipts as they were by then (a receipt line is written when one changes).
            #expect(back.receipts.map(\.id) == s.receipts.map(\.id), "frame \(i)")
            // The log up to the frame: the same words at the same times.
            let words = { (e: [EngineEvent]) in e.filter { $0.time <= s.uptime + 1e-9 }.map { "\($0.time) \($0.kind) \($0.node ?? -1) \($0.message)" } }
            #expect(words(back.events) == words(s.events), "frame \(i)")
        }
        let end = r.snapshot(at: r.end)
        #expect(end.receipts.count == 2 && end.receipts[0].fault == .kill(2))
        guard case .corruptShard(_, 1)? = end.receipts.last?.fault else { Issue.record("the second receipt: \(String(describing: end.receipts.last?.fault))"); return }
        #expect(end.receipts == live[live.count - 1].receipts)
        // Before the kill there was nothing to tell.
        #expect(r.snapshot(at: 1).receipts.isEmpty)
        // The history ends at the frame shown, one point per four frames, from the totals.
        let h = end.history
        let n = r.frames.count - 1
        let last = try #require(h.last)
        #expect(abs(last.time - r.frames[n].snapshot.uptime) < 1e-9)
        let dt = r.frames[n].snapshot.uptime - r.frames[n - 4].snapshot.uptime
        #expect(abs(last.produced - Double(r.frames[n].snapshot.produced - r.frames[n - 4].snapshot.produced) / dt) < 1e-6)
    }

    @Test("the events after a moment, and the moment a time falls in")
    func seeking() throws {
        let path = Self.temp("seek.jsonl")
        _ = try Self.recordRun(to: path)
        let r = try RecordReader.read(path)
        let next = r.events(after: 1.95)
        #expect(next.first?.message.contains("kill") == true || next.first?.kind == .operatorAction)
        #expect(r.frameIndex(at: -5) == 0 && r.frameIndex(at: 1e9) == r.frames.count - 1)
        #expect(r.moment(at: 3).frame == r.frameIndex(at: 3))
        let lastTime = try #require(r.events.last).time
        #expect(r.events(after: lastTime).isEmpty)
    }

    // MARK: bad input

    static let header = RecordHeader(config: JobConfig(), replicas: 1, runtime: "threaded", title: "payments").line

    func failure(_ text: String) -> FileError? {
        do throws(FileError) { _ = try RecordReader.parse(Array(text.utf8), file: "r.jsonl"); return nil } catch { return error }
    }

    /// One valid frame line at `t`, written the way the writer writes it.
    func frameLine(_ t: Double) throws -> String {
        let path = Self.temp("one.jsonl")
        let target = try DrillTarget.simulated(Drill(name: "x", description: "", duration: 1, job: Drill.Job(), steps: [], expect: Expectations(), source: "t"), seed: 1)
        target.advance(to: 0.5)
        let rec = try DrillRecord(path: path, header: RecordHeader(config: target.engine.config, replicas: 1, runtime: "simulated", title: "x"))
        rec.writeSnapshot(target.engine.snapshot(), time: t)
        try rec.close()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        return String(lines[1])
    }

    @Test("empty, headerless, old, newer, foreign, truncated and malformed records are refused with file and line")
    func badRecords() throws {
        let frame = try frameLine(0.2)
        let cases: [(String, Int, String)] = [
            ("", 1, "the record is empty"),
            ("{\"t\": 0.1, \"type\": \"event\", \"kind\": \"info\", \"message\": \"started\"}\n", 1, "has no header"),
            ("{\"t\": 0, \"type\": \"header\", \"format\": \"firedrill-record\", \"version\": 9}\n", 1, "format version 9 is newer than this firedrill reads"),
            ("{\"t\": 0, \"type\": \"header\", \"format\": \"asciicast\", \"version\": 2}\n", 1, "\"format\" is \"asciicast\""),
            ("{\"version\": 2, \"width\": 80}\n", 1, "missing \"t\""),
            (Self.header + "\n" + frame + "\n{\"t\": 0.3, \"type\": \"snap", 3, "cut short"),
            (Self.header + "\n{\"t\": 0.1, \"type\": \"event\", \"kind\": \"info\", \"message\": }\n" + frame + "\n", 2, "not valid JSON"),
            (Self.header + "\n{\"t\": 0.1, \"type\": \"event\", \"kind\": \"bogus\", \"message\": \"x\"}\n", 2, "an event needs \"kind\", one of info,"),
            (Self.header + "\n{\"t\": \"soon\", \"type\": \"event\"}\n", 2, "expected a number at t"),
            (Self.header + "\n{\"t\": 0.1, \"type\": \"weather\"}\n", 2, "unknown line type \"weather\""),
            (Self.header + "\n" + frame + "\n" + frame.replacingOccurrences(of: "\"t\": 0.2", with: "\"t\": 0.1") + "\n", 3, "comes before the one above it"),
            (Self.header + "\n" + frame.replacingOccurrences(of: "\"checkpointIds\":[", with: "\"checkpointIds\":[999,") + "\n", 2, "checkpoint 999 is listed but no frame"),
            (Self.header + "\n\n" + frame + "\n", 2, "an empty line"),
            (Self.header + "\n", 1, "holds no snapshot"),
            (Self.header + "\n" + Self.header + "\n", 2, "a second header line"),
            (Self.header + "\n{\"t\": 0.1, \"type\": \"receipt\"}\n", 2, "a receipt line needs \"receipt\""),
        ]
        #expect(frame.contains("\"checkpointIds\":["))
        for (text, line, words) in cases {
            let e = try #require(failure(text), "accepted: \(text.prefix(80))")
            #expect(e.file == "r.jsonl" && e.line == line && e.message.contains(words), "\(e.description) — wanted line \(line): \(words)")
        }
        // A frame from a record with another node count.
        let fewer = Self.header.replacingOccurrences(of: "\"nodes\": 6", with: "\"nodes\": 4")
        #expect(failure(fewer + "\n" + frame + "\n")?.message.contains("the frame has 6 nodes; the header says 4") == true)
        // A whole record with no newline after its last line is whole.
        #expect(failure(Self.header + "\n" + frame) == nil)
    }

    @Test("a record that is not there says so, and names an unfinished .partial beside it")
    func missing() throws {
        let path = Self.temp("gone.jsonl")
        #expect(FileManager.default.createFile(atPath: path + ".partial", contents: Data()))
        do throws(FileError) { _ = try RecordReader.read(path); Issue.record("read a missing file") } catch {
            #expect(error.description.contains("cannot read the record") && error.description.contains(".partial exists"))
        }
    }
}
