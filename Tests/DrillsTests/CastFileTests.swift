@testable import Drills
import Testing

/// asciicast v2 read back: what `--cast` writes parses, with its chapters; a cast that is
/// cut short, malformed or newer is refused with its line.
@Suite("Casts read back")
struct CastFileTests {
    static let header = "{\"version\": 2, \"width\": 120, \"height\": 40, \"timestamp\": 1764000000, \"title\": \"firedrill\", \"env\": {\"TERM\": \"xterm\"}}"

    func parse(_ text: String) throws(FileError) -> CastFile { try CastFile.parse(Array(text.utf8), file: "s.cast") }

    @Test("a cast parses: header, events in order, chapters from markers")
    func valid() throws {
        let c = try parse(Self.header + "\n[0.000000, \"o\", \"\\u001b[H hello\"]\n[3.100000, \"m\", \"fault #1: kill node 2\"]\n\n[3.200000, \"r\", \"100x30\"]\n[4.000000, \"o\", \"x\"]\n")
        #expect(c.header.width == 120 && c.header.height == 40 && c.header.title == "firedrill")
        #expect(c.events.count == 4 && c.events[0].data == "\u{1b}[H hello")
        #expect(c.chapters.map(\.label) == ["fault #1: kill node 2"] && c.duration == 4)
    }

    @Test("empty, newer, older, cut short and malformed casts name the line")
    func bad() {
        let cases: [(String, Int, String)] = [
            ("", 1, "the cast is empty"),
            ("{\"version\": 3, \"term\": {\"cols\": 80, \"rows\": 24}}\n", 1, "asciicast version 3 is newer than firedrill reads (2)"),
            ("{\"version\": 1, \"width\": 80, \"height\": 24, \"stdout\": []}\n", 1, "older than firedrill reads"),
            ("{\"width\": 80}\n", 1, "has no \"version\""),
            ("[1, 2]\n", 1, "the header is not a JSON object"),
            ("{\"version\": 2, \"width\": 0, \"height\": 24}\n", 1, "width and height must be 1 to 1000"),
            (Self.header + "\n[0.5, \"o\", \"abc", 2, "cut short"),
            (Self.header + "\n[0.5, \"o\"]\n", 2, "expected an event [time, code, data]"),
            (Self.header + "\n[0.5, \"o\", \"a\", 4]\n", 2, "expected an event"),
            (Self.header + "\n[2, \"o\", \"a\"]\n[1, \"o\", \"b\"]\n", 3, "comes before the one above it"),
            (Self.header + "\n[-1, \"o\", \"a\"]\n", 2, "from 0"),
            (Self.header + "\n[1, \"x\", \"a\"]\n", 2, "unknown event code \"x\""),
            (Self.header + "\n[1, \"r\", \"wide\"]\n", 2, "COLSxROWS"),
        ]
        for (text, line, words) in cases {
            do throws(FileError) {
                _ = try parse(text)
                Issue.record("accepted: \(text.prefix(60))")
            } catch {
                #expect(error.file == "s.cast" && error.line == line && error.message.contains(words), "\(error.description) — wanted line \(line): \(words)")
            }
        }
    }
}
