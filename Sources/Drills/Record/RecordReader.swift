import Engine
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Reads a record (`--record FILE`) back for `firedrill replay`. Every line is checked: a
/// record that is cut short, is not JSON where it should be, comes from a newer firedrill or
/// from one that wrote no frames is refused with the file and line and what was expected.
public enum RecordReader {
    /// Records larger than this are refused (a 10-minute session is about 20 MB).
    public static let sizeLimit = 1 << 30

    /// Reads and checks the record at `path`.
    /// - Throws: `FileError` naming the file and the line.
    public static func read(_ path: String) throws(FileError) -> Recording {
        let bytes: [UInt8]
        do { bytes = try TextFile.bytes(path, limit: sizeLimit, what: "record") } catch {
            var st = stat()
            guard stat(path, &st) != 0, stat(path + ".partial", &st) == 0 else { throw error }
            throw FileError(file: path, line: 0, error.message + " (\(path).partial exists: the session that writes it has not ended, or ended in a crash)")
        }
        return try parse(bytes, file: path)
    }

    /// One line as written: every field a line of any type may carry.
    struct Line: Decodable {
        var t: Double
        var type: String
        // header
        var format: String?
        var version: Int?
        // event
        var kind: String?
        /// The event's case (`node-down`, …); records before it was written have none.
        var name: String?
        var node: Int?
        var message: String?
        // receipt
        var receipt: FaultReceipt?
        // snapshot
        var frame: RecordFrame?
    }

    /// Parses a whole record's bytes (`file` names it in errors).
    public static func parse(_ bytes: [UInt8], file: String) throws(FileError) -> Recording {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var header: RecordHeader?
        var frames: [Recording.Frame] = []
        var events: [EngineEvent] = []
        var eventNames: [String?] = []
        var receipts: [Recording.ReceiptVersion] = []
        var checkpoints: [UInt64: ClusterSnapshot.Checkpoint] = [:]
        var recoveries: [ClusterSnapshot.Recovery] = []
        var lineNumber = 0
        var start = 0
        let count = bytes.count
        if count == 0 { throw FileError(file: file, line: 1, "the record is empty; expected a header line ({\"type\": \"header\", \"format\": \"\(RecordHeader.formatName)\", …})") }
        while start < count {
            lineNumber += 1
            var end = start
            while end < count && bytes[end] != 0x0A { end += 1 }
            let cut = end == count  // no newline after it: the writer never finished this line
            let body = bytes[start..<end]
            start = end + 1
            if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                if cut { break }
                throw FileError(file: file, line: lineNumber, "an empty line; expected one JSON object per line")
            }
            func fail(_ message: String) -> FileError { FileError(file: file, line: lineNumber, message) }
            let line: Line
            do {
                line = try decoder.decode(Line.self, from: Data(body))
            } catch let error as DecodingError {
                if cut { throw fail("the record is cut short here (its last line has no end): the session did not finish writing it") }
                throw fail(Self.describe(error))
            } catch {
                throw fail("not a record line: \(error)")
            }
            guard line.t.isFinite else { throw fail("\"t\" must be a finite number of seconds") }
            if lineNumber == 1 {
                guard line.type == "header" else {
                    throw fail(line.type == "event" || line.type == "snapshot"
                        ? "this record has no header: it was written by a firedrill before version \(RecordHeader.currentVersion) of the format, which `replay` cannot draw; record the session again"
                        : "expected a header line ({\"type\": \"header\", \"format\": \"\(RecordHeader.formatName)\", …}), found type \"\(line.type)\"")
                }
                guard line.format == RecordHeader.formatName else {
                    throw fail("\"format\" is \(line.format.map { "\"\($0)\"" } ?? "missing"); expected \"\(RecordHeader.formatName)\"")
                }
                guard let version = line.version, version >= 1 else { throw fail("\"version\" must be a whole number from 1") }
                guard version <= RecordHeader.currentVersion else {
                    throw fail("format version \(version) is newer than this firedrill reads (up to \(RecordHeader.currentVersion)); replay it with a newer firedrill")
                }
                guard version == RecordHeader.currentVersion else {
                    throw fail("format version \(version) holds no frames to draw; this firedrill replays version \(RecordHeader.currentVersion)")
                }
                do {
                    header = try decoder.decode(RecordHeader.self, from: Data(body))
                } catch let error as DecodingError {
                    throw fail("header: " + Self.describe(error))
                } catch {
                    throw fail("header: \(error)")
                }
                continue
            }
            switch line.type {
            case "header":
                throw fail("a second header line; a record has one, on its first line")
            case "event":
                guard let k = line.kind, let kind = EngineEvent.Kind(rawValue: k) else {
                    throw fail("an event needs \"kind\", one of \(Self.kinds); found \(line.kind.map { "\"\($0)\"" } ?? "none")")
                }
                guard let message = line.message else { throw fail("an event needs \"message\"") }
                if let last = events.last, line.t < last.time - 1e-6 { throw fail("the event at \(line.t) s comes before the one above it (\(last.time) s)") }
                events.append(EngineEvent(time: line.t, node: line.node, kind: kind, message: message))
                eventNames.append(line.name)
            case "receipt":
                guard let r = line.receipt else { throw fail("a receipt line needs \"receipt\" (the receipt whole)") }
                if let last = receipts.last, line.t < last.t - 1e-6 { throw fail("the receipt at \(line.t) s comes before the line above it (\(last.t) s)") }
                receipts.append(Recording.ReceiptVersion(t: line.t, receipt: r))
            case "snapshot":
                guard let frame = line.frame else { throw fail("a snapshot line needs \"frame\" (the cluster as the dashboard draws it)") }
                var s = frame.snapshot
                guard s.nodes.count == header?.nodes else {
                    throw fail("the frame has \(s.nodes.count) nodes; the header says \(header?.nodes ?? 0)")
                }
                if let last = frames.last, line.t < last.t - 1e-6 { throw fail("the snapshot at \(line.t) s comes before the one above it (\(last.t) s)") }
                // The frame holds what changed: the checkpoints from the ones before, by id.
                for c in s.checkpoints { checkpoints[c.id] = c }
                var listed: [ClusterSnapshot.Checkpoint] = []
                listed.reserveCapacity(frame.checkpointIds.count)
                for id in frame.checkpointIds {
                    guard let c = checkpoints[id] else { throw fail("checkpoint \(id) is listed but no frame up to here describes it") }
                    listed.append(c)
                }
                checkpoints = Dictionary(listed.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
                s.checkpoints = listed
                if frame.recoveriesChanged { recoveries = s.recoveries } else { s.recoveries = recoveries }
                frames.append(Recording.Frame(t: line.t, snapshot: s))
            default:
                throw fail("unknown line type \"\(line.type)\"; expected header, event, receipt or snapshot")
            }
        }
        guard let header else { throw FileError(file: file, line: 1, "no header line") }
        guard !frames.isEmpty else { throw FileError(file: file, line: lineNumber, "the record holds no snapshot: nothing to draw") }
        var recording = Recording(file: file, header: header, frames: frames, events: events, receipts: receipts)
        recording.eventNames = eventNames
        return recording
    }

    static let kinds = "info, checkpoint, commit, restore, audit, error, operator, detection, recovery, repair"

    /// A decoding error in words: where in the line, and what was expected.
    static func describe(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "" : " at \(p.hasPrefix(".") ? String(p.dropFirst()) : p)"
        }
        switch error {
        case let .dataCorrupted(c):
            return c.codingPath.isEmpty ? "not valid JSON" : "bad value\(path(c)): \(c.debugDescription)"
        case let .keyNotFound(key, c):
            return "missing \"\(key.stringValue)\"\(path(c))"
        case let .typeMismatch(type, c):
            return "expected \(Self.typeName(type))\(path(c))"
        case let .valueNotFound(type, c):
            return "expected \(Self.typeName(type))\(path(c)), found null"
        @unknown default:
            return "not a record line"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Int.Type, is Int64.Type, is UInt64.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}
