/// Reads the plain TOML subset of `TOMLDocument`, line by line, so that every error names
/// its line.
public struct TOMLParser {
    /// The name errors give for the source (a path, or "theme 'x'").
    public var file: String

    public init(file: String) { self.file = file }

    /// Parses `text`.
    public func parse(_ text: String) throws(FileError) -> TOMLDocument {
        var doc = TOMLDocument(root: TOMLTable(name: "", line: 0), sections: [])
        var seenTables: [String: Int] = [:]
        var current: TOMLTable? = nil
        var currentIsArray = false
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
        var i = 0
        func finish() {
            if let c = current { doc.sections.append((c, currentIsArray)) }
        }
        while i < lines.count {
            let lineNumber = i + 1
            var line = Substring(lines[i])
            i += 1
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.first == "#" { continue }
            if line.first == "[" {
                let isArray = line.hasPrefix("[[")
                let close = isArray ? "]]" : "]"
                let body = line.dropFirst(isArray ? 2 : 1)
                guard let end = body.firstIndex(of: "]"), !isArray || body[end...].hasPrefix("]]") else {
                    throw FileError(file: file, line: lineNumber, "a section header needs its closing '\(close)'")
                }
                let name = body[..<end].trimmingCharacters(" \t")
                let rest = body[body.index(end, offsetBy: close.count)...].trimmingCharacters(" \t")
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    throw FileError(file: file, line: lineNumber, "unexpected '\(rest)' after the section header")
                }
                guard !name.isEmpty, name.allSatisfy(Self.isBareKeyCharacter) else {
                    throw FileError(file: file, line: lineNumber, "'\(name)' is not a section name: use letters, digits, '-' and '_'")
                }
                if !isArray, let first = seenTables[name] {
                    throw FileError(file: file, line: lineNumber, "section [\(name)] appears twice (first on line \(first))")
                }
                if isArray, doc.sections.contains(where: { !$0.isArray && $0.table.name == name }) || (current.map { $0.name == name && !currentIsArray } ?? false) {
                    throw FileError(file: file, line: lineNumber, "[[\(name)]] clashes with the table [\(name)]")
                }
                if !isArray { seenTables[name] = lineNumber }
                finish()
                current = TOMLTable(name: name, line: lineNumber)
                currentIsArray = isArray
                continue
            }
            // key = value
            let (key, afterKey) = try readKey(line, lineNumber)
            var valueText = afterKey.drop { $0 == " " || $0 == "\t" }
            guard valueText.first == "=" else {
                throw FileError(file: file, line: lineNumber, "expected '=' after the key '\(key)'")
            }
            valueText = valueText.dropFirst().drop { $0 == " " || $0 == "\t" }
            // An array may run over several lines: gather until its brackets balance.
            var joined = String(valueText)
            if joined.first == "[" && !Self.bracketsBalanced(joined) {
                joined = Self.stripComment(joined)
                while !Self.bracketsBalanced(joined), i < lines.count {
                    joined += " " + Self.stripComment(lines[i])
                    i += 1
                }
            }
            var cursor = Substring(joined)
            let value = try readValue(&cursor, lineNumber)
            let rest = cursor.trimmingCharacters(" \t")
            guard rest.isEmpty || rest.hasPrefix("#") else {
                throw FileError(file: file, line: lineNumber, "unexpected '\(rest)' after the value of '\(key)'")
            }
            if current == nil {
                if let prev = doc.root[key] { throw FileError(file: file, line: lineNumber, "'\(key)' is set twice (first on line \(prev.line))") }
                doc.root.entries.append((key, value))
            } else {
                if let prev = current?[key] { throw FileError(file: file, line: lineNumber, "'\(key)' is set twice in [\(current?.name ?? "")] (first on line \(prev.line))") }
                current?.entries.append((key, value))
            }
        }
        finish()
        return doc
    }

    static func isBareKeyCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_")
    }

    /// The line without a trailing `# comment` (quotes respected).
    static func stripComment(_ s: String) -> String {
        var quote: Character? = nil
        var escaped = false
        var out = ""
        for c in s {
            if let q = quote {
                if escaped { escaped = false } else if c == "\\" && q == "\"" { escaped = true } else if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" {
                break
            }
            out.append(c)
        }
        return out
    }

    static func bracketsBalanced(_ s: String) -> Bool {
        var depth = 0
        var quote: Character? = nil
        var escaped = false
        for c in s {
            if let q = quote {
                if escaped { escaped = false } else if c == "\\" && q == "\"" { escaped = true } else if c == q { quote = nil }
                continue
            }
            switch c {
            case "\"", "'": quote = c
            case "[": depth += 1
            case "]": depth -= 1
            case "#": return depth <= 0
            default: break
            }
        }
        return depth <= 0
    }

    func readKey(_ line: Substring, _ n: Int) throws(FileError) -> (String, Substring) {
        if line.first == "\"" {
            var cursor = line
            let key = try readBasicString(&cursor, n)
            return (key, cursor)
        }
        let key = line.prefix(while: Self.isBareKeyCharacter)
        let rest = line[key.endIndex...]
        if key.isEmpty {
            throw FileError(file: file, line: n, "expected a key (letters, digits, '-' and '_') or a [section], found '\(line.prefix(20))'")
        }
        if rest.first == "." {
            throw FileError(file: file, line: n, "dotted keys like '\(key).…' are not supported: use a [section]")
        }
        return (String(key), rest)
    }

    /// Arrays nested deeper than this are refused (a reader that recursed without end
    /// would overflow its stack: found by fuzzing).
    static let maxNesting = 32

    func readValue(_ s: inout Substring, _ n: Int, depth: Int = 0) throws(FileError) -> TOMLValue {
        s = s.drop { $0 == " " || $0 == "\t" }
        guard let c = s.first else { throw FileError(file: file, line: n, "expected a value after '='") }
        switch c {
        case "\"":
            if s.hasPrefix("\"\"\"") { throw FileError(file: file, line: n, "multi-line strings are not supported: keep the text on one line") }
            return TOMLValue(.string(try readBasicString(&s, n)), line: n)
        case "'":
            s = s.dropFirst()
            guard let end = s.firstIndex(of: "'") else { throw FileError(file: file, line: n, "a string needs its closing quote (')") }
            let v = String(s[..<end])
            s = s[s.index(after: end)...]
            return TOMLValue(.string(v), line: n)
        case "[":
            guard depth < Self.maxNesting else {
                throw FileError(file: file, line: n, "arrays nested more than \(Self.maxNesting) deep are not supported")
            }
            s = s.dropFirst()
            var items: [TOMLValue] = []
            while true {
                s = s.drop { $0 == " " || $0 == "\t" || $0 == "," }
                if s.first == "]" { s = s.dropFirst(); break }
                if s.isEmpty { throw FileError(file: file, line: n, "an array needs its closing ']'") }
                items.append(try readValue(&s, n, depth: depth + 1))
                s = s.drop { $0 == " " || $0 == "\t" }
                if s.isEmpty { throw FileError(file: file, line: n, "an array needs its closing ']'") }
                guard s.first == "," || s.first == "]" else {
                    throw FileError(file: file, line: n, "expected ',' or ']' in the array, found '\(s.prefix(10))'")
                }
            }
            return TOMLValue(.array(items), line: n)
        case "{":
            throw FileError(file: file, line: n, "inline tables are not supported: use a [section]")
        default:
            let word = s.prefix { $0 != "," && $0 != "]" && $0 != " " && $0 != "\t" && $0 != "#" }
            s = s[word.endIndex...]
            let w = word.replacingOccurrences("_", "")
            if word == "true" { return TOMLValue(.bool(true), line: n) }
            if word == "false" { return TOMLValue(.bool(false), line: n) }
            if let i = Int64(w) { return TOMLValue(.integer(i), line: n) }
            if let d = Double(w), d.isFinite, w.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return TOMLValue(.float(d), line: n) }
            throw FileError(file: file, line: n, "'\(word)' is not a value: strings need quotes, like \"\(word)\"")
        }
    }

    func readBasicString(_ s: inout Substring, _ n: Int) throws(FileError) -> String {
        s = s.dropFirst()
        var out = ""
        while let c = s.first {
            s = s.dropFirst()
            switch c {
            case "\"": return out
            case "\\":
                guard let e = s.first else { break }
                s = s.dropFirst()
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "\\": out.append("\\")
                case "\"": out.append("\"")
                case "u", "U":
                    let len = e == "u" ? 4 : 8
                    let hex = s.prefix(len)
                    guard hex.count == len, let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
                        throw FileError(file: file, line: n, "'\\\(e)\(hex)' is not a Unicode escape")
                    }
                    out.unicodeScalars.append(scalar)
                    s = s.dropFirst(len)
                default: throw FileError(file: file, line: n, "'\\\(e)' is not an escape TOML knows")
                }
            default: out.append(c)
            }
        }
        throw FileError(file: file, line: n, "a string needs its closing quote (\")")
    }
}

extension Substring {
    func trimmingCharacters(_ set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }

    func replacingOccurrences(_ a: Character, _ b: String) -> String {
        var out = ""
        for c in self { if c == a { out += b } else { out.append(c) } }
        return out
    }
}
