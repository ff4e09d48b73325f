/// In presenter mode, a drill step's caption drawn large across the screen for a few
/// seconds after the step runs: a framed banner over the graph, the words centred in
/// bold, in up to three lines, with the drill's progress under them.
public enum PresenterCaption {
    /// Seconds a caption stays up.
    public static let seconds = 8.0

    public static func draw(_ vm: ViewModel, over layout: DashboardView.Layout, width: Int, on c: inout Canvas) {
        guard let d = vm.drill, d.verdict == nil, let caption = d.caption, let at = d.captionAt,
              d.elapsed - at >= 0, d.elapsed - at < seconds else { return }
        let t = vm.theme
        let boxWidth = min(width - 4, 100)
        let lines = wrap(caption, boxWidth - 6).prefix(3)
        let height = lines.count + 4
        let r = Rect(x: (width - boxWidth) / 2, y: layout.throughput.y + 1, width: boxWidth, height: height)
        c.fill(r, Cell(" ", t[.overlay]))
        var boxTheme = t
        boxTheme.styles[.border] = t[.key].on(t[.overlay].background)
        boxTheme.styles[.title] = t[.key].on(t[.overlay].background)
        let inner = Box.draw(r, title: "\(d.name) · \(Format.duration(at))", on: &c, theme: boxTheme)
        for (i, line) in lines.enumerated() {
            let n = line.unicodeScalars.count
            c.put(line, x: inner.x + max(0, (inner.width - n) / 2), y: inner.y + 1 + i, t[.overlay].with(.bold))
        }
        let next = d.next.map { "next at \(Format.duration($0.at)): \($0.command)" } ?? "no more steps"
        let footer = "\(Format.duration(d.elapsed)) of \(Format.duration(d.duration)) · \(next) · . pauses"
        c.putFitted(footer, x: inner.x + 1, y: inner.y + inner.height - 1, width: inner.width - 2, t[.muted].on(t[.overlay].background))
    }

    /// Words into lines of at most `width` cells.
    static func wrap(_ text: String, _ width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            let w = String(word)
            if line.isEmpty { line = w } else if line.unicodeScalars.count + 1 + w.unicodeScalars.count <= width { line += " " + w } else {
                lines.append(line)
                line = w
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.map { Canvas.fit($0, width) }
    }
}
