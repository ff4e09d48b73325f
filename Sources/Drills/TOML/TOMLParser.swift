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
        var seenArrays: [String: Int] = [:]
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
                if let key = doc.root[name] {
                    throw FileError(file: file, line: lineNumber, "section '\(name)' clashes with the key '\(name)' set on line \(key.line)")
                }
                if !isArray, let array = seenArrays[name] {
                    throw FileError(file: file, line: lineNumber, "[\(name)] clashes with the array of tables [[\(name)]] on line \(array)")
                }
                if isArray, doc.sections.contains(where: { !$0.isArray && $0.table.name == name }) || (current.map { $0.name == name && !currentIsArray } ?? false) {
                    throw FileError(file: file, line: lineNumber, "[[\(name)]] clashes with the table [\(name)]")
                }
                if !isArray { seenTables[name] = lineNumber } else if seenArrays[name] == nil { seenArrays[name] = lineNumber }
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
            // (Each line is scanned once, the state carried on: an unclosed '[' over a
            // megabyte of lines is refused in linear time.)
            var joined = String(valueText)
            if joined.first == "[" && !Self.bracketsBalanced(joined) {
                joined = Self.stripComment(joined)
                var scan = BracketScan()
                scan.feed(joined)
                var at = lineNumber
                while !scan.balanced, i < lines.count {
                    // A line of the array ends inside a string: TOML's one-line strings close
                    // on their line (found by the differential test: a string broken over two
                    // lines was read as one with a space in it).
                    if scan.quote != nil { throw FileError(file: file, line: at, "a string is not closed on its line (one-line strings end where they begin)") }
                    let more = " " + Self.stripComment(lines[i])
                    joined += more
                    scan.feed(more)
                    i += 1
                    at = i
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

    /// A character TOML allows in no string (every C0 control but tab, and DEL).
    static func isControl(_ c: Character) -> Bool {
        c.unicodeScalars.contains { ($0.value < 0x20 && $0.value != 0x09) || $0.value == 0x7F }
    }

    static func hex(_ c: Character) -> String {
        let v = c.unicodeScalars.first?.value ?? 0
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
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
        var scan = BracketScan()
        scan.feed(s)
        return scan.balanced
    }

    /// Brackets counted outside strings, over text fed piece by piece.
    struct BracketScan {
        var depth = 0
        var quote: Character? = nil
        var escaped = false
        /// A '#' outside strings: the rest is a comment and is not counted.
        var commented = false

        var balanced: Bool { depth <= 0 }

        mutating func feed(_ s: String) {
            guard !commented else { return }
            for c in s {
                if let q = quote {
                    if escaped { escaped = false } else if c == "\\" && q == "\"" { escaped = true } else if c == q { quote = nil }
                    continue
                }
                switch c {
                case "\"", "'": quote = c
                case "[": depth += 1
                case "]": depth -= 1
                case "#": commented = true; return
                default: break
                }
            }
        }
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
            if let c = v.first(where: Self.isControl) { throw FileError(file: file, line: n, "a control character (U+\(Self.hex(c))) in a string") }
            s = s[s.index(after: end)...]
            return TOMLValue(.string(v), line: n)
        case "[":
            guard depth < Self.maxNesting else {
                throw FileError(file: file, line: n, "arrays nested more than \(Self.maxNesting) deep are not supported")
            }
            s = s.dropFirst()
            var items: [TOMLValue] = []
            while true {
                // Values separated by single commas; one trailing comma is allowed.
                s = s.drop { $0 == " " || $0 == "\t" }
                if s.first == "]" { s = s.dropFirst(); break }
                if s.isEmpty { throw FileError(file: file, line: n, "an array needs its closing ']'") }
                if s.first == "," { throw FileError(file: file, line: n, "a ',' in the array with no value before it") }
                items.append(try readValue(&s, n, depth: depth + 1))
                s = s.drop { $0 == " " || $0 == "\t" }
                if s.isEmpty { throw FileError(file: file, line: n, "an array needs its closing ']'") }
                guard s.first == "," || s.first == "]" else {
                    throw FileError(file: file, line: n, "expected ',' or ']' in the array, found '\(s.prefix(10))'")
                }
                if s.first == "," { s = s.dropFirst() }
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
            switch Self.numberShape(word) {
            case .integer:
                guard let i = Int64(w) else { throw FileError(file: file, line: n, "'\(word)' does not fit in a 64-bit integer") }
                return TOMLValue(.integer(i), line: n)
            case .float:
                guard let d = Double(w), d.isFinite else { throw FileError(file: file, line: n, "'\(word)' is not a finite number") }
                return TOMLValue(.float(d), line: n)
            case .malformed(let why):
                throw FileError(file: file, line: n, "'\(word)' is not a TOML number: \(why)")
            case .none:
                throw FileError(file: file, line: n, "'\(word)' is not a value: strings need quotes, like \"\(word)\"")
            }
        }
    }

    /// What a bare word is, by TOML's grammar for decimal numbers: an integer has no
    /// leading zeros; underscores stand only between digits; a float has a fraction or an
    /// exponent with digits on both sides of its point. (Hex, octal, binary, inf and nan
    /// are valid TOML that firedrill's files never need: refused, with the line.)
    enum NumberShape: Equatable { case integer, float, malformed(String), none }

    static func numberShape(_ word: Substring) -> NumberShape {
        var s = word
        if s.first == "+" || s.first == "-" { s = s.dropFirst() }
        guard let first = s.first, first.isASCII, first.isNumber else { return .none }
        func digits(_ d: Substring) -> Bool {
            guard let f = d.first, let l = d.last, f.isASCII && f.isNumber, l.isASCII && l.isNumber else { return false }
            var previousUnderscore = false
            for c in d {
                if c == "_" { if previousUnderscore { return false }; previousUnderscore = true; continue }
                guard c.isASCII && c.isNumber else { return false }
                previousUnderscore = false
            }
            return true
        }
        let expAt = s.firstIndex { $0 == "e" || $0 == "E" }
        let mantissa = s[..<(expAt ?? s.endIndex)]
        let dot = mantissa.firstIndex(of: ".")
        let integerPart = mantissa[..<(dot ?? mantissa.endIndex)]
        guard digits(integerPart) else { return .malformed("underscores go between digits, and digits only") }
        if integerPart.count > 1 && integerPart.first == "0" { return .malformed("no leading zeros") }
        if let dot {
            guard digits(mantissa[mantissa.index(after: dot)...]) else { return .malformed("a point needs digits on both sides") }
        }
        if let expAt {
            var exp = s[s.index(after: expAt)...]
            if exp.first == "+" || exp.first == "-" { exp = exp.dropFirst() }
            guard digits(exp) else { return .malformed("an exponent needs digits") }
        }
        return dot == nil && expAt == nil ? .integer : .float
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
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "r": out.append("\r")
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
            default:
                if Self.isControl(c) { throw FileError(file: file, line: n, "a control character (U+\(Self.hex(c))) in a string: write it as an escape") }
                out.append(c)
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
