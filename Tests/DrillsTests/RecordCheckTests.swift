@testable import Drills
@testable import Engine
import Foundation
import Testing

/// `replay --check`: a clean record passes, and a record edited by hand to break each of the
/// screen's promises is caught at the first violation, with its time and frames.
@Suite("Record check")
struct RecordCheckTests {
    /// The lines of a clean simulated run (a kill, then a rotted shard), recorded as the runner does.
    static func cleanLines() throws -> [String] {
        let path = RecordTests.temp("clean.jsonl")
        _ = try RecordTests.recordRun(to: path)
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func parse(_ lines: [String]) throws -> Recording {
        try RecordReader.parse(Array((lines.joined(separator: "\n") + "\n").utf8), file: "edited.jsonl")
    }

    static func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    static func text(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// The lines with the `n`th line of `type` (counting from 0) changed by `edit`.
    static func edit(_ lines: [String], type: String, _ n: Int, _ edit: (inout [String: Any]) throws -> Void) throws -> [String] {
        var out = lines, seen = 0
        for i in lines.indices where lines[i].contains("\"type\": \"\(type)\"") {
            defer { seen += 1 }
            guard seen == n else { continue }
            var o = try object(lines[i])
            try edit(&o)
            out[i] = try text(o)
            return out
        }
        Issue.record("no \(type) line \(n)")
        return out
    }

    /// The lines with the `n`th frame's snapshot changed by `edit`.
    static func editSnapshot(_ lines: [String], _ n: Int, _ edit: (inout [String: Any]) throws -> Void) throws -> [String] {
        try Self.edit(lines, type: "snapshot", n) { o in
            var frame = try #require(o["frame"] as? [String: Any])
            var s = try #require(frame["snapshot"] as? [String: Any])
            try edit(&s)
            frame["snapshot"] = s
            o["frame"] = frame
        }
    }

    /// The index among snapshot lines of the first frame at or after `t`.
    static func frame(at t: Double, in lines: [String]) throws -> Int {
        let times = try lines.filter { $0.contains("\"type\": \"snapshot\"") }.map { try #require(try object($0)["t"] as? Double) }
        return try #require(times.firstIndex { $0 >= t - 1e-9 })
    }

    @Test("a clean record of a simulated drill passes, and the summary counts what it holds")
    func clean() throws {
        let r = try Self.parse(try Self.cleanLines())
        let result = RecordCheck.check(r)
        #expect(result.violation == nil, "\(RecordCheck.report(result, r))")
        #expect(result.frames == r.frames.count && result.events == r.events.count && result.receipts == 2)
        #expect(result.unprovoked == 0)
        #expect(RecordCheck.report(result, r) == "\(r.frames.count) frames, \(r.events.count) events, 2 receipts (0 of a node down or stalled with no fault on it): 0 violations")
        // The record held what the checks read: a node-down, its receipt, a restart.
        #expect(r.eventNames.contains("node-down"))
        #expect(r.frames.last?.snapshot.nodes[2].restarts == 1)
    }

    @Test("a frame whose committed count runs backwards is the first violation, with both frames")
    func committedBackwards() throws {
        let lines = try Self.cleanLines()
        let n = try Self.frame(at: 4, in: lines)
        let edited = try Self.editSnapshot(lines, n) { s in
            s["sinkCommittedTransfers"] = 1
        }
        let r = try Self.parse(edited)
        let result = RecordCheck.check(r)
        guard case let .figureWentBack(.committedTransfers, _, to, before, after)? = result.violation else {
            Issue.record("\(RecordCheck.report(result, r))"); return
        }
        #expect(to == 1 && before == n - 1 && after == n)
        #expect(abs((result.time ?? 0) - r.frames[n].t) < 1e-9)
        let words = RecordCheck.report(result, r)
        #expect(words.contains("violation at 4.000s: sink committed transfers went back from") && words.contains(" to 1"), "\(words)")
        #expect(words.contains("before: frame \(n - 1) at 3.800s") && words.contains("after:  frame \(n) at 4.000s: committed 1 @ckpt"), "\(words)")
    }

    @Test("a checkpoint id that goes back is caught")
    func checkpointBackwards() throws {
        let lines = try Self.cleanLines()
        let n = try Self.frame(at: 5, in: lines)
        let edited = try Self.editSnapshot(lines, n) { s in
            s["newestCheckpoint"] = NSNull()
        }
        let r = try Self.parse(edited)
        let result = RecordCheck.check(r)
        guard case .figureWentBack(.newestCheckpoint, _, nil, _, n)? = result.violation else { Issue.record("\(RecordCheck.report(result, r))"); return }
    }

    @Test("a node's restarts going down is caught")
    func restartsDown() throws {
        let lines = try Self.cleanLines()
        let n = try Self.frame(at: 5, in: lines)
        let edited = try Self.editSnapshot(lines, n) { s in
            var nodes = try #require(s["nodes"] as? [[String: Any]])
            nodes[2]["restarts"] = 0
            s["nodes"] = nodes
        }
        let r = try Self.parse(edited)
        let result = RecordCheck.check(r)
        #expect(result.violation == .restartsWentBack(node: 2, from: 1, to: 0, before: n - 1, after: n), "\(RecordCheck.report(result, r))")
        #expect(RecordCheck.report(result, r).contains("node 2's restarts went back from 1 to 0"))
    }

    @Test("a receipt step stamped before its fault is caught, at the step's time")
    func stepBeforeFault() throws {
        let lines = try Self.cleanLines()
        // The first receipt line with a step (the first is written as the fault opens it).
        let receipts = lines.filter { $0.contains("\"type\": \"receipt\"") }
        let n = try #require(try receipts.firstIndex { (try Self.object($0)["receipt"] as? [String: Any])?["entries"].map { ($0 as? [Any])?.isEmpty == false } == true })
        let edited = try Self.edit(lines, type: "receipt", n) { o in
            var receipt = try #require(o["receipt"] as? [String: Any])
            var entries = try #require(receipt["entries"] as? [[String: Any]])
            let at = try #require(receipt["at"] as? Double)
            try #require(!entries.isEmpty)
            entries[0]["at"] = at - 0.5
            receipt["entries"] = entries
            o["receipt"] = receipt
        }
        let r = try Self.parse(edited)
        let result = RecordCheck.check(r)
        guard case let .stepBeforeFault(1, step, stepAt, faultAt, _, _)? = result.violation else { Issue.record("\(RecordCheck.report(result, r))"); return }
        #expect(abs(stepAt - 1.5) < 1e-6 && abs(faultAt - 2) < 1e-6 && !step.isEmpty)
        #expect(RecordCheck.report(result, r).contains("violation at 1.500s: receipt #1: step"))
    }

    @Test("a receipt of a detection with no fault on it is counted as unprovoked; the kill's own is not")
    func unprovokedCounted() throws {
        var lines = try Self.cleanLines()
        // The kill's receipt (#1) as if nobody had injected it: every version of it, fault gone.
        for i in lines.indices where lines[i].contains("\"type\": \"receipt\"") {
            var o = try Self.object(lines[i])
            var receipt = try #require(o["receipt"] as? [String: Any])
            guard receipt["id"] as? Int == 1 else { continue }
            receipt.removeValue(forKey: "fault")
            o["receipt"] = receipt
            lines[i] = try Self.text(o)
        }
        let r = try Self.parse(lines)
        let result = RecordCheck.check(r)
        #expect(result.receipts == 2 && result.unprovoked == 1)
        #expect(RecordCheck.report(result, r).contains("2 receipts (1 of a node down or stalled with no fault on it)"))
    }

    @Test("a node-down that no receipt holds is caught")
    func detectionWithoutReceipt() throws {
        var lines = try Self.cleanLines()
        let lastLine = try #require(lines.last)
        let last = try #require(try Self.object(lastLine)["t"] as? Double)
        lines.append("{\"t\": \(last), \"type\": \"event\", \"kind\": \"detection\", \"name\": \"node-down\", \"node\": 4, \"message\": \"node 4 is down\"}")
        let r = try Self.parse(lines)
        let result = RecordCheck.check(r)
        guard case .detectionWithoutReceipt(node: 4, at: last, _, _)? = result.violation else { Issue.record("\(RecordCheck.report(result, r))"); return }
    }

    @Test("a node shown down or hung with no event that made it so is caught")
    func shownWithoutEvent() throws {
        let lines = try Self.cleanLines()
        for health in ["down", "hung"] {
            let edited = try Self.editSnapshot(lines, 3) { s in
                var nodes = try #require(s["nodes"] as? [[String: Any]])
                nodes[5]["health"] = health
                s["nodes"] = nodes
            }
            let r = try Self.parse(edited)
            let result = RecordCheck.check(r)
            guard case let .shownWithoutEvent(5, shown, _, 3)? = result.violation else { Issue.record("\(health): \(RecordCheck.report(result, r))"); continue }
            #expect(shown.rawValue == health)
        }
    }

    @Test("a verdict that looks fresher with no newer audit is caught")
    func verdictAgeReset() throws {
        let lines = try Self.cleanLines()
        let r0 = try Self.parse(lines)
        // A frame whose audited checkpoint is the one before's, with some age to lose.
        let n = try #require(r0.frames.indices.dropFirst().first {
            r0.frames[$0].snapshot.auditedCheckpoint == r0.frames[$0 - 1].snapshot.auditedCheckpoint && r0.frames[$0 - 1].snapshot.verdictAge > 0.1
        })
        let edited = try Self.editSnapshot(lines, n) { s in
            s["verdictAge"] = 0.0
        }
        let r = try Self.parse(edited)
        let result = RecordCheck.check(r)
        guard case .verdictAgeReset(_, _, 0, _, n)? = result.violation else { Issue.record("\(RecordCheck.report(result, r))"); return }
    }

    @Test("a truncated record, one of another version and one that is not a record are refused with their line")
    func badInput() throws {
        let lines = try Self.cleanLines()
        let cut = lines.joined(separator: "\n").dropLast(40)
        let cases: [(String, Int, String)] = [
            (String(cut), lines.count, "cut short"),
            (lines[0].replacingOccurrences(of: "\"version\": 2", with: "\"version\": 3") + "\n" + lines[1...].joined(separator: "\n"), 1, "format version 3 is newer"),
            ("hello, world\n", 1, "not valid JSON"),
        ]
        for (text, line, words) in cases {
            do throws(FileError) {
                _ = try RecordReader.parse(Array(text.utf8), file: "bad.jsonl")
                Issue.record("accepted: \(words)")
            } catch {
                #expect(error.line == line && error.message.contains(words), "\(error.description)")
            }
        }
    }
}
