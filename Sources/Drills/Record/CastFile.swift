#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An asciicast v2 file read back (`--cast` writes them; `firedrill replay FILE.cast` plays
/// one and lists its chapters): the header, then `[time, code, data]` events. Every line is
/// checked: a cast that is cut short, malformed or of a newer version is refused with the
/// file and line and what was expected.
public struct CastFile: Sendable {
    /// The header's fields firedrill uses.
    public struct Header: Sendable, Decodable {
        public var version: Int
        public var width: Int
        public var height: Int
        public var timestamp: Int?
        public var title: String?
    }

    /// One event: output (`o`), input (`i`), a marker (`m`, a chapter) or a resize (`r`).
    public struct Event: Sendable {
        public var time: Double
        public var code: String
        public var data: String
    }

    public var file: String
    public var header: Header
    /// In time order.
    public var events: [Event]

    /// The chapters: each marker's time and label.
    public var chapters: [(time: Double, label: String)] { events.filter { $0.code == "m" }.map { ($0.time, $0.data) } }
    /// The time of the last event.
    public var duration: Double { events.last?.time ?? 0 }

    /// Casts larger than this are refused.
    public static let sizeLimit = 1 << 30

    /// Reads and checks the cast at `path`.
    /// - Throws: `FileError` naming the file and the line.
    public static func read(_ path: String) throws(FileError) -> CastFile {
        try parse(try TextFile.bytes(path, limit: sizeLimit, what: "cast"), file: path)
    }

    /// An event line: `[time, "code", "data"]`.
    struct EventLine: Decodable {
        var time: Double
        var code: String
        var data: String
        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            time = try c.decode(Double.self)
            code = try c.decode(String.self)
            data = try c.decode(String.self)
            guard c.isAtEnd else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "more than three elements") }
        }
    }

    struct Version: Decodable { var version: Int? }

    /// Parses a whole cast's bytes (`file` names it in errors).
    public static func parse(_ bytes: [UInt8], file: String) throws(FileError) -> CastFile {
        let decoder = JSONDecoder()
        var header: Header?
        var events: [Event] = []
        var lineNumber = 0
        var start = 0
        if bytes.isEmpty { throw FileError(file: file, line: 1, "the cast is empty; expected an asciicast v2 header ({\"version\": 2, \"width\": …, \"height\": …})") }
        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let cut = end == bytes.count
            let body = bytes[start..<end]
            start = end + 1
            func fail(_ m: String) -> FileError { FileError(file: file, line: lineNumber, m) }
            if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                if cut { break }
                continue  // asciinema allows blank lines
            }
            if lineNumber == 1 {
                let version: Int?
                do { version = try decoder.decode(Version.self, from: Data(body)).version } catch {
                    throw fail(cut ? "the cast is cut short in its header" : "the header is not a JSON object; expected {\"version\": 2, \"width\": …, \"height\": …}")
                }
                guard let v = version else { throw fail("the header has no \"version\"; expected an asciicast v2 header") }
                guard v <= 2 else { throw fail("asciicast version \(v) is newer than firedrill reads (2)") }
                guard v == 2 else { throw fail("asciicast version \(v) is older than firedrill reads (2)") }
                do { header = try decoder.decode(Header.self, from: Data(body)) } catch let e as DecodingError {
                    throw fail("header: " + RecordReader.describe(e))
                } catch { throw fail("header: \(error)") }
                guard let h = header, (1...1000).contains(h.width), (1...1000).contains(h.height) else {
                    throw fail("the header's width and height must be 1 to 1000 cells")
                }
                continue
            }
            let e: EventLine
            do { e = try decoder.decode(EventLine.self, from: Data(body)) } catch let error as DecodingError {
                if cut { throw fail("the cast is cut short here (its last line has no end)") }
                throw fail("expected an event [time, code, data]: " + RecordReader.describe(error))
            } catch { throw fail("expected an event [time, code, data]") }
            guard e.time.isFinite, e.time >= 0 else { throw fail("an event's time must be a number of seconds from 0") }
            if let last = events.last, e.time < last.time { throw fail("the event at \(e.time) s comes before the one above it (\(last.time) s)") }
            switch e.code {
            case "o", "i", "m": break
            case "r":
                let parts = e.data.split(separator: "x")
                guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else {
                    throw fail("a resize event's data must be COLSxROWS, like 120x40; found \"\(e.data)\"")
                }
            default:
                throw fail("unknown event code \"\(e.code)\"; expected o, i, m or r")
            }
            events.append(Event(time: e.time, code: e.code, data: e.data))
        }
        guard let header else { throw FileError(file: file, line: 1, "no header line") }
        return CastFile(file: file, header: header, events: events)
    }
}
