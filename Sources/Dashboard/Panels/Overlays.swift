import Engine

/// The help screen and the confirmation box, drawn over the panels.
public enum Overlays {
    public static func drawHelp(_ vm: ViewModel, on c: inout Canvas) {
        let t = vm.theme
        let flink = vm.snapshot.attached != nil
        let keys = flink ? KeyTable.helpLines(for: .attached) : KeyTable.helpLines
        let grammar = flink ? Command.flinkGrammar : Command.grammar
        let commands: [(String, String)] = [
            ("", ""),
            ("commands", grammar.prefix(6).joined(separator: ", ")),
            ("", grammar.dropFirst(6).joined(separator: ", ")),
        ]
        // One column when it fits; on short terminals the keys go in two columns.
        let twoColumns = keys.count + commands.count + 3 > c.height - 2
        let rows: Int = twoColumns ? (keys.count + 1) / 2 + commands.count : keys.count + commands.count
        let width = min(c.width - 4, twoColumns ? 110 : 86)
        let height = min(c.height - 2, rows + 3)
        let r = Rect(x: (c.width - width) / 2, y: max(1, (c.height - height) / 2), width: width, height: height)
        c.fill(r, Cell(" ", t[.overlay]))
        var boxTheme = t
        boxTheme.styles[.border] = t[.border].on(t[.overlay].background)
        boxTheme.styles[.title] = t[.title].on(t[.overlay].background)
        let inner = Box.draw(r, title: "Help · lowercase looks, capitals break things", on: &c, theme: boxTheme)
        let keyStyle = t[.key].on(t[.overlay].background)
        func line(_ keys: String, _ action: String, x: Int, y: Int, width: Int) {
            guard y < inner.y + inner.height, width > 12 else { return }
            c.putFitted(keys, x: x, y: y, width: 10, keyStyle)
            c.putFitted(action, x: x + 11, y: y, width: width - 11, t[.overlay])
        }
        if twoColumns {
            let half = (keys.count + 1) / 2
            let columnWidth = (inner.width - 3) / 2
            for (i, k) in keys.enumerated() {
                let x = i < half ? inner.x + 1 : inner.x + 2 + columnWidth
                line(k.keys, k.action, x: x, y: inner.y + 1 + i % half, width: columnWidth)
            }
            for (i, k) in commands.enumerated() { line(k.0, k.1, x: inner.x + 1, y: inner.y + 1 + half + i, width: inner.width - 2) }
        } else {
            for (i, k) in (keys + commands).enumerated() { line(k.0, k.1, x: inner.x + 1, y: inner.y + 1 + i, width: inner.width - 2) }
        }
    }

    public static func drawConfirm(_ prompt: String, vm: ViewModel, on c: inout Canvas) {
        let t = vm.theme
        let width = min(c.width - 4, max(40, min(90, prompt.unicodeScalars.count + 6)))
        // A long question (a TaskManager's blast radius) wraps rather than being cut.
        let lines = wrap(prompt, width: max(10, width - 4)).prefix(max(1, c.height - 6))
        let height = lines.count + 5
        let r = Rect(x: (c.width - width) / 2, y: max(0, c.height / 2 - height / 2), width: width, height: height)
        c.fill(r, Cell(" ", t[.overlay]))
        var boxTheme = t
        boxTheme.styles[.border] = t[.warning].on(t[.overlay].background)
        boxTheme.styles[.title] = t[.warning].on(t[.overlay].background)
        let inner = Box.draw(r, title: "Confirm", on: &c, theme: boxTheme)
        for (i, line) in lines.enumerated() {
            c.putFitted(line, x: inner.x + 1, y: inner.y + 1 + i, width: inner.width - 2, t[.overlay].with(.bold))
        }
        let y = inner.y + 2 + lines.count - 1
        var x = c.put("y", x: inner.x + 1, y: y, t[.key].on(t[.overlay].background))
        x = c.put(" yes   ", x: x, y: y, t[.overlay])
        x = c.put("any other key", x: x, y: y, t[.key].on(t[.overlay].background))
        c.put(" cancel", x: x, y: y, t[.overlay])
    }

    /// Words into lines of at most `width` characters (a longer word is cut).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            let w = String(word.prefix(width))
            if line.isEmpty { line = w } else if line.unicodeScalars.count + 1 + w.unicodeScalars.count <= width { line += " " + w } else {
                lines.append(line)
                line = w
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.isEmpty ? [""] : lines
    }

    /// A centred message instead of the layout when the terminal is too small.
    public static func drawTooSmall(on c: inout Canvas, theme t: Theme, needed: (columns: Int, rows: Int)) {
        c.clear(Cell(" ", t[.text]))
        let lines = [
            "Terminal too small",
            "\(c.width)x\(c.height), needs at least \(needed.columns)x\(needed.rows)",
            "enlarge the window, or press q to quit",
        ]
        for (i, l) in lines.enumerated() {
            let y = c.height / 2 - 1 + i
            let fitted = Canvas.fit(l, c.width)
            c.put(fitted, x: max(0, (c.width - fitted.unicodeScalars.count) / 2), y: y, i == 0 ? t[.warning] : t[.text])
        }
    }
}
