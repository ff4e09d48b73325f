@testable import Drills
import Engine
import Testing

@Suite("TOML reader")
struct TOMLParserTests {
    func parse(_ text: String) throws -> TOMLDocument { try TOMLParser(file: "t.toml").parse(text) }

    func error(_ text: String) -> FileError? {
        do { _ = try TOMLParser(file: "t.toml").parse(text); return nil } catch { return error }
    }

    @Test("keys, sections, arrays of tables, comments and every value type")
    func shapes() throws {
        let doc = try parse("""
            # a comment
            name = "kill-one"   # trailing comment
            count = 12
            ratio = 0.5
            big = 1_000
            on = true
            tags = ["a", 'b', "c#d"]
            multi = [
              "x",  # first
              "y",
            ]

            [job]
            nodes = 6
            "quoted key" = "v"

            [[step]]
            at = "3s"
            command = "kill 2"

            [[step]]
            at = "5s"
            caption = "tab\\there \\"quoted\\" \\u00e9"
            """)
        #expect(doc.root["name"] == TOMLValue(.string("kill-one"), line: 2))
        #expect(doc.root["count"]?.kind == .integer(12))
        #expect(doc.root["ratio"]?.kind == .float(0.5))
        #expect(doc.root["big"]?.kind == .integer(1000))
        #expect(doc.root["on"]?.kind == .bool(true))
        #expect(doc.root["tags"]?.kind == .array([TOMLValue(.string("a"), line: 7), TOMLValue(.string("b"), line: 7), TOMLValue(.string("c#d"), line: 7)]))
        #expect(doc.root["multi"]?.kind == .array([TOMLValue(.string("x"), line: 8), TOMLValue(.string("y"), line: 8)]))
        #expect(doc.table("job")?["nodes"]?.kind == .integer(6))
        #expect(doc.table("job")?["quoted key"]?.kind == .string("v"))
        #expect(doc.table("job")?.line == 13)
        let steps = doc.tables("step")
        #expect(steps.count == 2)
        #expect(steps[0]["command"]?.kind == .string("kill 2"))
        #expect(steps[1]["caption"]?.kind == .string("tab\there \"quoted\" é"))
        #expect(steps[1]["at"]?.line == 22)
    }

    @Test("errors name the line and what was expected", arguments: [
        ("a = \"open", 1, "closing quote"),
        ("a = [\"one\ntwo\"]", 1, "not closed on its line"),
        ("a = [\n 1,\n \"x\ny\"]", 3, "not closed on its line"),
        ("a = 1\na = 2", 2, "set twice"),
        ("x.y = 1", 1, "dotted keys"),
        ("[job\nx = 1", 1, "closing ']'"),
        ("a = {b = 1}", 1, "inline tables"),
        ("\n\na = hello", 3, "strings need quotes"),
        ("[a]\n[a]", 2, "appears twice"),
        ("a = [1, 2", 1, "closing ']'"),
        ("= 3", 1, "expected a key"),
        ("a 3", 1, "expected '='"),
        ("a = 1 2", 1, "unexpected '2'"),
        ("a = \"\\q\"", 1, "escape"),
        ("[a]\n[[a]]", 2, "clashes"),
        // Found by fuzzing (scripts/fuzz.sh toml): deep nesting overflowed the stack.
        ("a = 1\nc = " + String(repeating: "[", count: 5000), 2, "nested more than 32 deep"),
    ])
    func errors(text: String, line: Int, fragment: String) {
        let e = error(text)
        #expect(e != nil, "\(text) should not parse")
        #expect(e?.line == line, "\(text): \(e?.description ?? "")")
        #expect(e?.description.contains(fragment) == true, "\(e?.description ?? "") should mention \(fragment)")
        #expect(e?.description.hasPrefix("t.toml:\(line):") == true)
    }

    @Test("an array left open over a megabyte of lines is refused at its line, each line read once")
    func unclosedArrayOverManyLines() throws {
        // Before: every line added re-scanned all the lines before it (quadratic: minutes
        // for a file at the 1 MB limit).
        let text = "steps = [\n" + String(repeating: "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,\n", count: 12_100)
        #expect(text.utf8.count > 1_000_000)
        let e = try #require(error(text))
        #expect(e.line == 1, "\(e.description)")
        // Balanced over several lines, with brackets in strings and a comment, still reads.
        let doc = try parse("a = [\n  \"[x\",  # a comment ]\n  'y]',\n]\nb = 1\n")
        #expect(doc.root["a"] != nil && doc.root["b"] != nil)
    }

    @Test("random text either reads or is refused with a line of the input and a message")
    func garbage() {
        // Seeded, so a failure replays.
        var rng = SplitMix(seed: 0x70_4D4C)
        let alphabet = Array("ab=[]{}\"'#\\ \n.,0123456789_-tfrue")
        var refused = 0
        for _ in 0..<2000 {
            let text = String((0..<Int.random(in: 0...60, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "a" })
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            do throws(FileError) { _ = try TOMLParser(file: "g").parse(text) } catch {
                refused += 1
                #expect(error.file == "g" && error.line >= 1 && error.line <= lines && !error.message.isEmpty, "\(error.description) for \(text.debugDescription)")
            }
        }
        // Most random text is not TOML: the reader must have said so, not waved it through.
        #expect(refused > 1000, "only \(refused) of 2000 refused")
    }
}
