/// Panel frames: a rounded border with a title in it.
public enum Box {
    /// Draws a border around `r` with `title` on its top edge; returns the inner rectangle.
    @discardableResult
    public static func draw(_ r: Rect, title: String, on c: inout Canvas, theme: Theme, titleRight: String? = nil, titleRightStyle: Style? = nil) -> Rect {
        guard r.width >= 2, r.height >= 2 else { return Rect(x: r.x, y: r.y, width: 0, height: 0) }
        let b = theme[.border]
        let horizontal = String(repeating: "─", count: r.width - 2)
        c.put("╭" + horizontal + "╮", x: r.x, y: r.y, b)
        for y in (r.y + 1)..<(r.y + r.height - 1) {
            c.put("│", x: r.x, y: y, b)
            c.put("│", x: r.x + r.width - 1, y: y, b)
        }
        c.put("╰" + horizontal + "╯", x: r.x, y: r.y + r.height - 1, b)
        let t = Canvas.fit(" " + title + " ", r.width - 4)
        c.put(t, x: r.x + 2, y: r.y, theme[.title])
        if let right = titleRight {
            let room = r.width - 6 - t.unicodeScalars.count
            if room > 4 {
                let rt = Canvas.fit(" " + right + " ", room)
                c.put(rt, x: r.x + r.width - 2 - rt.unicodeScalars.count, y: r.y, titleRightStyle ?? theme[.muted])
            }
        }
        return r.inner
    }
}

/// A table column that is dropped first when the panel is narrow.
struct Column {
    var title: String
    var width: Int
    /// Lower is kept longer.
    var priority: Int
    var alignRight: Bool

    /// The columns that fit in `width` (one blank between columns), in their order.
    static func fitting(_ columns: [Column], width: Int) -> [Column] {
        var chosen = columns
        while chosen.count > 1 && chosen.reduce(0, { $0 + $1.width + 1 }) - 1 > width {
            guard let worst = chosen.indices.max(by: { chosen[$0].priority < chosen[$1].priority }) else { break }
            chosen.remove(at: worst)
        }
        return chosen
    }
}
