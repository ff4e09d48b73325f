import Foundation

/// What `--audit 'dir=…,format=csv,id=COL[,key=COL,value=COL,sum=COL]'` says about a job's
/// output files: where they are, how lines are written, the column with each record's sequence
/// number or id, optionally the key the sequence runs per and a value whose running sum per
/// key the job writes. A column is a name (a CSV header line, or a JSON field) or a 1-based
/// position in a CSV line.
public struct AuditSpec: Sendable, Equatable {
    public enum Format: String, Sendable, Equatable { case csv, json }
    public enum Column: Sendable, Equatable, CustomStringConvertible {
        case name(String)
        case position(Int)
        public var description: String {
            switch self {
            case let .name(n): n
            case let .position(p): "#\(p)"
            }
        }
    }

    public var directory: String
    public var format: Format
    public var id: Column
    public var key: Column?
    public var value: Column?
    public var sum: Column?

    /// Reads the spec; every error names `--audit` and what was expected.
    public init(_ text: String) throws(FlinkError) {
        var fields: [String: String] = [:]
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            guard let eq = part.firstIndex(of: "=") else { throw Self.bad("'\(part)' is not NAME=VALUE") }
            let k = part[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let v = part[part.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard ["dir", "format", "id", "key", "value", "sum"].contains(k) else { throw Self.bad("unknown setting '\(k)' (dir, format, id, key, value, sum)") }
            guard fields[k] == nil else { throw Self.bad("'\(k)' is given twice") }
            guard !v.isEmpty else { throw Self.bad("'\(k)' has no value") }
            fields[k] = v
        }
        guard let dir = fields["dir"] else { throw Self.bad("no dir=PATH (the job's output directory)") }
        directory = try Self.localPath(dir, flag: "--audit dir")
        guard let f = fields["format"].map({ $0.lowercased() }) else { throw Self.bad("no format= (csv or json)") }
        guard let format = Format(rawValue: f) else { throw Self.bad("format '\(f)' is not csv or json") }
        self.format = format
        guard let idText = fields["id"] else { throw Self.bad("no id=COL (the column with each record's sequence number or id)") }
        id = try Self.column(idText, format: format)
        key = try fields["key"].map { t throws(FlinkError) in try Self.column(t, format: format) }
        value = try fields["value"].map { t throws(FlinkError) in try Self.column(t, format: format) }
        sum = try fields["sum"].map { t throws(FlinkError) in try Self.column(t, format: format) }
        if (value == nil) != (sum == nil) { throw Self.bad("value= and sum= go together (the running sum of value per key)") }
        var named = Set<String>()
        for c in [id, key, value, sum].compactMap({ $0 }) where !named.insert(c.description).inserted {
            throw Self.bad("column \(c) is named twice")
        }
        if case .position = id, format == .json { throw Self.bad("json lines name their fields: id=NAME") }
    }

    static func bad(_ why: String) -> FlinkError {
        .malformed(url: "--audit", expected: "'dir=PATH,format=csv|json,id=COL[,key=COL,value=COL,sum=COL]'", why: why)
    }

    static func column(_ text: String, format: Format) throws(FlinkError) -> Column {
        if let p = Int(text.hasPrefix("#") ? String(text.dropFirst()) : text) {
            guard format == .csv else { throw bad("json lines name their fields: '\(text)' is a position") }
            guard p >= 1 else { throw bad("column positions count from 1; got \(p)") }
            return .position(p)
        }
        return .name(text)
    }

    /// A local or mounted directory (`file://` allowed); object stores and HDFS are refused.
    public static func localPath(_ text: String, flag: String) throws(FlinkError) -> String {
        if let r = text.range(of: "://"), !text.hasPrefix("file://") {
            let scheme = String(text[..<r.lowerBound])
            throw .malformed(url: flag, expected: "a local or mounted path", why: "'\(scheme)://' paths are not supported: only local and mounted paths are (mount the bucket or file system, or copy the output)")
        }
        var p = text.hasPrefix("file://") ? String(text.dropFirst(7)) : text
        if p.hasPrefix("file:") { p = String(p.dropFirst(5)) }
        return URL(fileURLWithPath: p).standardizedFileURL.path
    }

    /// Whether a file in the directory is committed output: Flink's in-progress and pending
    /// part files are hidden (`.part-…inprogress…`), and `_SUCCESS`-style markers are not data.
    public static func isCommitted(_ name: String) -> Bool {
        !name.hasPrefix(".") && !name.hasPrefix("_") && !name.contains(".inprogress") && !name.hasSuffix(".pending")
    }
}
