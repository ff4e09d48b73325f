/// The bottom row: the keys that apply now, or the result of the last action.
public enum FooterPanel {
    /// Seconds a message stays before the hints come back.
    public static let messageSeconds = 4.0

    public static func draw(_ vm: ViewModel, row: Int, width: Int, on c: inout Canvas) {
        let t = vm.theme
        c.fill(Rect(x: 0, y: row, width: width, height: 1), Cell(" ", t[.text]))
        switch vm.state.overlay {
        case let .commandLine(text):
            inputLine(":", text, hint: "Enter run · Esc cancel", row: row, width: width, on: &c, theme: t)
            return
        case let .filterLine(text):
            inputLine("/", text, hint: "node: n2 · kind: detection · or any text · Enter filter · Esc cancel", row: row, width: width, on: &c, theme: t)
            return
        case .confirm, .confirmAbort:
            hints(KeyTable.fitted([.init("y", "yes, do it", priority: 0), .init("any other key", "cancel", priority: 1)], width: width - 1), row: row, on: &c, theme: t)
            return
        case .help:
            hints(KeyTable.fitted([.init("Esc", "close help", priority: 0), .init("?", "close", priority: 1)], width: width - 1), row: row, on: &c, theme: t)
            return
        case .none: break
        }
        var x = 0
        // Modes first, always: a read-only or paused screen says so before anything else.
        let message = vm.state.message.flatMap { m in m.isError || vm.snapshot.uptime - m.at < messageSeconds || vm.state.frozen ? m : nil }
        if vm.state.replay {
            let pill = vm.state.timePaused ? (message == nil ? " ‖ REPLAY PAUSED: . plays, n steps " : " ‖ REPLAY ") : " ▶ REPLAY "
            x = c.put(pill, x: x, y: row, t[.warning].with(.reverse)) + 1
        } else {
            if vm.state.readOnly { x = c.put(message == nil ? " READ-ONLY: fault keys off " : " READ-ONLY ", x: x, y: row, t[.warning].with(.reverse)) + 1 }
            if vm.state.timePaused { x = c.put(message == nil ? " ‖ TIME PAUSED: . resumes, n steps " : " ‖ PAUSED ", x: x, y: row, t[.warning].with(.reverse)) + 1 }
        }
        if let f = vm.state.filter, message == nil { x = c.put(" / \(Canvas.fit(f, 20)) · Esc clears ", x: x, y: row, t[.key].with(.reverse)) + 1 }
        if let m = message {
            x = c.put(m.isError ? " ✗ " : " » ", x: x, y: row, m.isError ? t[.bad] : t[.key])
            c.putFitted(m.text, x: x + 1, y: row, width: width - x - 1, m.isError ? t[.warning] : t[.text])
            return
        }
        let mode: KeyMode = vm.state.replay ? .replay : vm.snapshot.attached != nil ? .attached : .engine
        var list = KeyTable.footer(mode, readOnly: vm.state.readOnly)
        // A drill playing live: its pause key ranks just after quit, the presenter's pace after it.
        if vm.drill != nil && !vm.state.replay {
            list.append(KeyTable.Hint(vm.state.presenter ? "." : "p", vm.state.schedulePaused ? "resume drill" : "pause drill", priority: 1))
            if vm.state.presenter { list.append(KeyTable.Hint("[ ]", "pace", priority: 1)) }
        }
        hints(KeyTable.fitted(list, width: width - x - 1), row: row, from: x + 1, on: &c, theme: t)
    }

    /// A line being typed after its key, with a cursor, and what Enter and Esc do at the right.
    static func inputLine(_ key: String, _ text: String, hint: String, row: Int, width: Int, on c: inout Canvas, theme t: Theme) {
        let hintWidth = hint.unicodeScalars.count
        var x = c.put(key, x: 0, y: row, t[.key])
        x = c.put(Canvas.fit(text, max(1, width - hintWidth - 4)), x: x, y: row, t[.input])
        c.put("▏", x: x, y: row, t[.input])
        c.putFitted(hint, x: max(x + 2, width - hintWidth - 1), y: row, width: min(hintWidth, width - x - 2), t[.hint])
    }

    /// Draws hints that were fitted to the row (`KeyTable.fitted`).
    static func hints(_ list: [KeyTable.Hint], row: Int, from start: Int = 1, on c: inout Canvas, theme t: Theme) {
        var x = start
        for h in list {
            x = c.put(h.key, x: x, y: row, t[.key])
            x = c.put(" " + h.action + "  ", x: x, y: row, t[.hint])
        }
    }
}
