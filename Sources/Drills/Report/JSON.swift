/// Just enough JSON writing for reports and records, without Foundation.
public enum JSON {
    /// A quoted, escaped JSON string.
    public static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7f {  // DEL too: TOML forbids it bare
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// A number with at most 6 decimals (null when not finite).
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        let scaled = (v * 1_000_000).rounded() / 1_000_000
        return String(scaled)
    }

    /// An optional number.
    public static func number(_ v: Double?) -> String { v.map { number($0) } ?? "null" }

    /// An object from ordered (key, already-encoded value) pairs.
    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(string($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// An array of already-encoded values.
    public static func array(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
}
