/// A frame as the ANSI text a terminal would be sent for it: the cells that changed since
/// the previous frame (all of them after a clear when there is none, or it had another
/// size), each run placed with a cursor move and styled with SGR. What a recording
/// (`--cast`) stores, so a player draws exactly the cells the dashboard drew.
public enum AnsiFrame {
    public static func encode(_ canvas: Canvas, since previous: Canvas?) -> String {
        var out = ""
        let full = previous.map { $0.width != canvas.width || $0.height != canvas.height } ?? true
        if full { out += "\u{1b}[0m\u{1b}[2J" }
        var style: Style?
        var cursor: (x: Int, y: Int)?
        for y in 0..<canvas.height {
            for x in 0..<canvas.width {
                let cell = canvas[x, y]
                if !full, let p = previous, p[x, y] == cell { continue }
                if cursor.map({ $0.x != x || $0.y != y }) ?? true { out += "\u{1b}[\(y + 1);\(x + 1)H" }
                if style != cell.style {
                    out += sgr(cell.style)
                    style = cell.style
                }
                out.unicodeScalars.append(cell.character)
                cursor = (x + 1, y)
            }
        }
        if style != nil { out += "\u{1b}[0m" }
        return out
    }

    /// The SGR sequence that sets exactly `s` (from a reset).
    static func sgr(_ s: Style) -> String {
        var codes = ["0"]
        if s.attributes.contains(.bold) { codes.append("1") }
        if s.attributes.contains(.dim) { codes.append("2") }
        if s.attributes.contains(.underline) { codes.append("4") }
        if s.attributes.contains(.reverse) { codes.append("7") }
        codes.append(color(s.foreground, base: 30))
        codes.append(color(s.background, base: 40))
        return "\u{1b}[" + codes.joined(separator: ";") + "m"
    }

    static func color(_ c: Color, base: Int) -> String {
        switch c {
        case .default: String(base + 9)
        case let .indexed(i) where i < 8: String(base + Int(i))
        case let .indexed(i) where i < 16: String(base + 60 + Int(i) - 8)
        case let .indexed(i): "\(base + 8);5;\(i)"
        case let .rgb(r, g, b): "\(base + 8);2;\(r);\(g);\(b)"
        }
    }
}
