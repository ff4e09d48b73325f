/// A value read from a TOML file, with the line it came from (for error messages).
public struct TOMLValue: Sendable, Equatable {
    /// What the value is.
    public enum Kind: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case bool(Bool)
        case array([TOMLValue])
    }

    public var kind: Kind
    /// 1-based line of the file.
    public var line: Int

    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    /// The type name a person reads in an error ("a string", "an integer").
    public var typeName: String {
        switch kind {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a number"
        case .bool: "true or false"
        case .array: "an array"
        }
    }
}

/// One table: its keys in file order.
public struct TOMLTable: Sendable, Equatable {
    /// The table's name (`""` for the top of the file), as written in its header.
    public var name: String
    /// The line of its header (0 for the top of the file).
    public var line: Int
    public var entries: [(key: String, value: TOMLValue)] = []

    public init(name: String, line: Int) {
        self.name = name
        self.line = line
    }

    /// The value of `key`, if the table has it.
    public subscript(key: String) -> TOMLValue? { entries.first { $0.key == key }?.value }

    public static func == (a: TOMLTable, b: TOMLTable) -> Bool {
        a.name == b.name && a.line == b.line && a.entries.map(\.key) == b.entries.map(\.key) && a.entries.map(\.value) == b.entries.map(\.value)
    }
}

/// A TOML document of the plain shape firedrill's themes and drills use: top-level keys,
/// `[table]` sections, `[[array]]` sections, and values that are strings, integers,
/// floats, booleans or arrays of those. Dotted keys, inline tables and dates are refused
/// with an error naming the line, rather than misread.
public struct TOMLDocument: Sendable, Equatable {
    /// The keys before the first section.
    public var root: TOMLTable
    /// Every `[name]` and `[[name]]` section in file order.
    public var sections: [(table: TOMLTable, isArray: Bool)]

    public static func == (a: TOMLDocument, b: TOMLDocument) -> Bool {
        a.root == b.root && a.sections.map(\.table) == b.sections.map(\.table) && a.sections.map(\.isArray) == b.sections.map(\.isArray)
    }

    /// The `[name]` table, if present.
    public func table(_ name: String) -> TOMLTable? { sections.first { !$0.isArray && $0.table.name == name }?.table }

    /// Every `[[name]]` table, in order.
    public func tables(_ name: String) -> [TOMLTable] { sections.filter { $0.isArray && $0.table.name == name }.map(\.table) }
}

/// A file (TOML, theme, drill) that cannot be used: the file, the line and what was expected.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}
