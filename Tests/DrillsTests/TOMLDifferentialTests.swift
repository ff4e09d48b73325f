@testable import Drills
import Foundation
import Testing

/// The TOML reader against Python's `tomllib` (TOML 1.0) on the shipped files, hand-made
/// edge cases and thousands of seeded mutations of them: what firedrill accepts, tomllib
/// accepts with the same value; what tomllib rejects, firedrill rejects; and what firedrill
/// does not support it refuses with a line.
@Suite("TOML reader against tomllib")
struct TOMLDifferentialTests {
    /// A TOML value as both sides see it (floats by their bits, integers exactly).
    indirect enum Tree: Equatable, CustomStringConvertible {
        case table([String: Tree]), list([Tree]), str(String), int(Int64), float(UInt64), bool(Bool)

        var description: String {
            switch self {
            case let .table(t): "{" + t.keys.sorted().map { "\($0)=\(t[$0]!)" }.joined(separator: ",") + "}"
            case let .list(l): "[" + l.map(\.description).joined(separator: ",") + "]"
            case let .str(s): "\(s.debugDescription)"
            case let .int(i): "\(i)"
            case let .float(b): "\(Double(bitPattern: b))"
            case let .bool(b): "\(b)"
            }
        }

        /// From the tagged JSON the Python side prints.
        init?(json: Any) {
            guard let o = json as? [String: Any], let t = o["t"] as? String else { return nil }
            switch t {
            case "table":
                guard let v = o["v"] as? [String: Any] else { return nil }
                var out: [String: Tree] = [:]
                for (k, x) in v { guard let tree = Tree(json: x) else { return nil }; out[k] = tree }
                self = .table(out)
            case "list":
                guard let v = o["v"] as? [Any] else { return nil }
                let items = v.compactMap { Tree(json: $0) }
                guard items.count == v.count else { return nil }
                self = .list(items)
            case "str": guard let s = o["v"] as? String else { return nil }; self = .str(s)
            case "int": guard let s = o["v"] as? String, let i = Int64(s) else { return nil }; self = .int(i)
            case "float": guard let s = o["v"] as? String, let b = UInt64(s, radix: 16) else { return nil }; self = .float(b)
            case "bool": guard let b = o["v"] as? Bool else { return nil }; self = .bool(b)
            default: return nil
            }
        }

        init(_ v: TOMLValue) {
            switch v.kind {
            case let .string(s): self = .str(s)
            case let .integer(i): self = .int(i)
            case let .float(d): self = .float(d.bitPattern)
            case let .bool(b): self = .bool(b)
            case let .array(a): self = .list(a.map(Tree.init))
            }
        }

        init(_ t: TOMLTable) { self = .table(Dictionary(t.entries.map { ($0.key, Tree($0.value)) }, uniquingKeysWith: { a, _ in a })) }

        init(_ doc: TOMLDocument) {
            guard case var .table(root) = Tree(doc.root) else { self = .table([:]); return }
            for (table, isArray) in doc.sections {
                if isArray {
                    if case var .list(l) = root[table.name] ?? .list([]) { l.append(Tree(table)); root[table.name] = .list(l) }
                } else {
                    root[table.name] = Tree(table)
                }
            }
            self = .table(root)
        }
    }

    static let python = #"""
    import json, struct, sys, tomllib
    def tag(v):
        if isinstance(v, bool): return {"t": "bool", "v": v}
        if isinstance(v, int): return {"t": "int", "v": str(v)}
        if isinstance(v, float): return {"t": "float", "v": struct.pack(">d", v).hex()}
        if isinstance(v, str): return {"t": "str", "v": v}
        if isinstance(v, list): return {"t": "list", "v": [tag(x) for x in v]}
        if isinstance(v, dict): return {"t": "table", "v": {k: tag(x) for k, x in v.items()}}
        return {"t": "other", "v": repr(type(v))}
    out = []
    for doc in json.load(sys.stdin):
        try:
            out.append({"ok": tag(tomllib.loads(doc))})
        except Exception as e:
            out.append({"error": str(e)})
    json.dump(out, sys.stdout)
    """#

    /// tomllib's reading of each document: its value, or nil when it rejects it.
    static func tomllib(_ docs: [String]) throws -> [Tree?]? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", python]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        do { try p.run() } catch { return nil }
        let data = try JSONSerialization.data(withJSONObject: docs)
        // Write and read on two threads: the documents are larger than a pipe.
        let writer = Thread { input.fileHandleForWriting.write(data); try? input.fileHandleForWriting.close() }
        writer.start()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let list = try JSONSerialization.jsonObject(with: answer) as? [[String: Any]] else { return nil }
        return list.map { $0["ok"].flatMap { Tree(json: $0) } }
    }

    /// Edge cases of TOML 1.0 near the subset firedrill reads.
    static let cases: [String] = [
        "a = 007", "a = 1__0", "a = _1", "a = 1_", "a = 0", "a = -0", "a = +5", "a = 1_000", "a = 0.5", "a = 1e5", "a = 1E-5",
        "a = 1.", "a = .5", "a = 01.5", "a = 1.5e", "a = 1_.5", "a = 9223372036854775807", "a = 9223372036854775808",
        "a = 0x1F", "a = inf", "a = nan", "a = true", "a = True", "a = \"\\b\\f\\r\\t\\n\\\\\\\"\"", "a = \"\\e\"",
        "a = \"\\u00e9\\U0001F600\"", "a = 'lit\\eral'", "a = \"tab\there\"", "a = [1, 2, 3]", "a = [1, 2,]", "a = [,1]",
        "a = [1,,2]", "a = []", "a = [[1], [2, [3]]]", "a = [1, \"x\"]", "a = [\n  1, # one\n  2,\n]", "a = 1 2", "a =",
        "[[x]]\nb = 1\n[x]\nc = 2", "[x]\n[[x]]", "[x]\n[x]", "x = 1\n[x]", "[ x ]\na = 1", "[x.y]", "a.b = 1",
        "\"k\" = 1", "'k' = 1", "\"\" = 1", "a = 1\na = 2", "a = {b = 1}", "a = \"\"\"x\"\"\"", "[[t]]\na = 1\n[[t]]\na = 2",
        "a = \"#\" # c", "# only a comment", "", "a = \"unclosed", "a = 'unclosed", "[x", "[[x]", "a = 1979-05-27",
        "1234 = 5", "a-b_c = 1", "a = -1.5e+3", "a = +0.0", "a = 1e05",
        // Found 12-03 by a mutation of the sink-rot drill: a string broken over two lines of an array.
        "a = [\"sink-reb\nuilt\"]", "a = [\n  'x\n  y']",
    ]

    /// Deterministic mutations of `base`: a character deleted, inserted, a line doubled or dropped.
    static func mutations(of base: String, count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let alphabet = Array("0_.[]\"'=,#\\e+- \n1x{")
        var out: [String] = []
        for _ in 0..<count {
            var lines = base.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard !lines.isEmpty else { break }
            let li = Int(next() % UInt64(lines.count))
            var line = Array(lines[li])
            switch next() % 4 {
            case 0: if !line.isEmpty { line.remove(at: Int(next() % UInt64(line.count))) }
            case 1: line.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: Int(next() % UInt64(line.count + 1)))
            case 2: lines.insert(lines[li], at: li)
            default: lines.remove(at: li); line = []
            }
            if lines.indices.contains(li) && !line.isEmpty { lines[li] = String(line) }
            out.append(lines.joined(separator: "\n"))
        }
        return out
    }

    static func shippedFiles() -> [String] {
        let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("themes")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: themes.path))?.sorted().filter { $0.hasSuffix(".toml") } ?? []
        return BuiltInDrills.all.map(\.text) + files.compactMap { try? String(contentsOfFile: themes.appendingPathComponent($0).path, encoding: .utf8) }
    }

    @Test("firedrill's reader never accepts what tomllib rejects, agrees on every value, and refuses what it does not support with a line")
    func againstTomllib() throws {
        let shipped = Self.shippedFiles()
        #expect(shipped.count >= 14, "drills and themes: \(shipped.count)")
        var docs = Self.cases + shipped
        for (i, f) in shipped.enumerated() { docs += Self.mutations(of: f, count: 150, seed: UInt64(i + 1)) }
        for (i, c) in Self.cases.enumerated() { docs += Self.mutations(of: c, count: 10, seed: UInt64(1000 + i)) }
        guard let reference = try Self.tomllib(docs) else {
            // CI installs python3 (3.11+, with tomllib): there the comparison must run.
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "python3 with tomllib is needed for this test")
            return
        }
        #expect(reference.count == docs.count)
        var accepted = 0, bothRejected = 0, unsupported = 0
        for (doc, ref) in zip(docs, reference) {
            switch (Result { () throws(FileError) in try TOMLParser(file: "t.toml").parse(doc) }, ref) {
            case let (.success(mine), ref?):
                accepted += 1
                #expect(Tree(mine) == ref, "value differs for \(doc.debugDescription): firedrill \(Tree(mine)), tomllib \(ref)")
            case (.success, nil):
                Issue.record("accepted what tomllib rejects: \(doc.debugDescription)")
            case let (.failure(e), ref):
                if ref == nil { bothRejected += 1 } else { unsupported += 1 }
                #expect(e.line > 0 || doc.isEmpty, "an error without a line for \(doc.debugDescription): \(e)")
            }
        }
        print("TOML against tomllib: \(docs.count) documents, \(accepted) accepted alike, \(bothRejected) rejected by both, \(unsupported) valid TOML refused with a line")
        #expect(accepted > 500 && bothRejected > 300, "accepted \(accepted), both rejected \(bothRejected), unsupported \(unsupported) of \(docs.count)")
        // The cases the issue names.
        for bad in ["a = 007", "a = 1__0", "[[x]]\nb = 1\n[x]\nc = 2"] {
            #expect(throws: FileError.self, "\(bad)") { try TOMLParser(file: "t.toml").parse(bad) }
        }
        let escapes = try TOMLParser(file: "t.toml").parse("a = \"\\b\\f\\r\"")
        #expect(escapes.root["a"]?.kind == .string("\u{08}\u{0C}\r"))
    }
}
