import Drills

/// A theme file that cannot be used, with the file, line and what was expected.
public typealias ThemeError = FileError

/// Reads theme files: a `[palette]` of named colours and role sections whose values are
/// `COLOR [on COLOR] [bold|dim|reverse|underline]...`.
public enum ThemeLoader {
    /// A theme read from text, with warnings (unknown keys) that did not stop it.
    public struct Loaded: Sendable, Equatable {
        public var theme: Theme
        public var warnings: [String]
    }

    /// Parses a theme file's text. `name` is used when the file has no `name` key.
    public static func load(_ text: String, file: String, name: String) throws(ThemeError) -> Loaded {
        let doc: TOMLDocument
        doc = try TOMLParser(file: file).parse(text)
        var warnings: [String] = []
        var theme = Theme.builtIn
        theme.name = name
        for (key, value) in doc.root.entries {
            switch key {
            case "name":
                guard case let .string(s) = value.kind, !s.isEmpty else { throw ThemeError(file: file, line: value.line, "'name' must be a non-empty string") }
                theme.name = s
            case "description": continue
            default: warnings.append("\(file):\(value.line): unknown key '\(key)' (expected name, description, or a [section]); ignored")
            }
        }
        var palette: [String: Color] = [:]
        if let p = doc.table("palette") {
            for (key, value) in p.entries {
                guard case let .string(s) = value.kind else { throw ThemeError(file: file, line: value.line, "palette colour '\(key)' must be a string like \"#ff5555\", got \(value.typeName)") }
                guard let c = Color.parse(s.trimmed) else {
                    throw ThemeError(file: file, line: value.line, "'\(s)' is not a colour: expected #RRGGBB, 0-255, an ANSI name (red, bright-blue, ...) or default")
                }
                palette[key] = c
            }
        }
        for (table, isArray) in doc.sections {
            if isArray { throw ThemeError(file: file, line: table.line, "[[\(table.name)]] is not part of a theme: expected [palette] or one of [\(Role.sections.joined(separator: "], ["))]") }
            if table.name == "palette" { continue }
            guard Role.sections.contains(table.name) else {
                throw ThemeError(file: file, line: table.line, "unknown section [\(table.name)]: expected [palette] or one of [\(Role.sections.joined(separator: "], ["))]")
            }
            for (key, value) in table.entries {
                guard let role = Role(rawValue: table.name + "." + key) else {
                    let known = Role.allCases.filter { $0.section == table.name }.map(\.key)
                    warnings.append("\(file):\(value.line): unknown key '\(key)' in [\(table.name)] (known: \(known.joined(separator: ", "))); ignored")
                    continue
                }
                guard case let .string(s) = value.kind else {
                    throw ThemeError(file: file, line: value.line, "'\(key)' must be a string like \"red on default bold\", got \(value.typeName)")
                }
                theme.styles[role] = try style(s, palette: palette, file: file, line: value.line)
            }
        }
        return Loaded(theme: theme, warnings: warnings)
    }

    /// Reads `COLOR [on COLOR] [ATTRIBUTE...]`.
    public static func style(_ text: String, palette: [String: Color], file: String, line: Int) throws(ThemeError) -> Style {
        let words = text.split(separator: " ").map(String.init)
        func color(_ w: String) throws(ThemeError) -> Color {
            if w.hasPrefix("$") {
                guard let c = palette[String(w.dropFirst())] else {
                    let names = palette.keys.sorted()
                    throw ThemeError(file: file, line: line, "'\(w)' is not in [palette]\(names.isEmpty ? " (the palette is empty)" : " (it has: \(names.joined(separator: ", ")))")")
                }
                return c
            }
            guard let c = Color.parse(w) else {
                throw ThemeError(file: file, line: line, "'\(w)' is not a colour: expected #RRGGBB, 0-255, an ANSI name, default, or $name from [palette]")
            }
            return c
        }
        guard let first = words.first else { throw ThemeError(file: file, line: line, "empty style: expected COLOR [on COLOR] [bold|dim|reverse|underline]") }
        var i = 0
        var style = Style()
        if Attributes.names[first.lowercased()] == nil {
            style.foreground = try color(first)
            i = 1
        }
        if i < words.count, words[i].lowercased() == "on" {
            guard i + 1 < words.count else { throw ThemeError(file: file, line: line, "'on' needs a background colour after it") }
            style.background = try color(words[i + 1])
            i += 2
        }
        while i < words.count {
            guard let a = Attributes.names[words[i].lowercased()] else {
                throw ThemeError(file: file, line: line, "'\(words[i])' is not an attribute: expected bold, dim, reverse or underline")
            }
            style.attributes.insert(a)
            i += 1
        }
        return style
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
