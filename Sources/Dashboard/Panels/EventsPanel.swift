import Engine

/// The event log, newest first, coloured by kind; PgUp/PgDn scroll back.
public enum EventsPanel {
    public static func role(of kind: EngineEvent.Kind) -> Role {
        switch kind {
        case .info: .eventInfo
        case .operatorAction: .eventOperator
        case .detection: .eventDetection
        case .recovery: .eventRecovery
        case .repair: .eventRepair
        case .error: .eventError
        case .checkpoint: .eventCheckpoint
        case .commit: .eventCommit
        case .audit: .eventAudit
        case .restore: .eventRestore
        }
    }

    public static func draw(_ vm: ViewModel, in r: Rect, on c: inout Canvas) {
        let t = vm.theme
        let all = vm.snapshot.events
        let events = vm.state.filter.map { f in all.filter { LogFilter.matches($0, f) } } ?? all
        let visible = max(0, r.height - 2)
        let maxScroll = max(0, events.count - visible)
        let scroll = min(vm.state.eventScroll, maxScroll)
        var right = scroll > 0 ? "scrolled back \(scroll) · PgDn" : "\(events.count) events · PgUp"
        if let f = vm.state.filter { right = "\(events.count) of \(all.count) match '\(f)' · Esc clears" }
        let inner = Box.draw(r, title: "Events (newest first) · Tab: receipts", on: &c, theme: t, titleRight: right)
        guard inner.width > 0, inner.height > 0 else { return }
        if events.isEmpty, let f = vm.state.filter {
            c.putFitted("No event matches '\(f)' (\(LogFilter.describe(f))). Esc clears the filter.", x: inner.x + 1, y: inner.y, width: inner.width - 1, t[.warning])
            return
        }
        // The time column as wide as the newest time needs (10m00.0s and on take 8).
        let clockWidth = max(7, events.last.map { Format.clock($0.time).unicodeScalars.count } ?? 7)
        for (i, e) in events.reversed().dropFirst(scroll).prefix(inner.height).enumerated() {
            let y = inner.y + i
            let style = t[role(of: e.kind)]
            var x = c.put(pad(Format.clock(e.time), clockWidth), x: inner.x, y: y, t[.muted])
            x = c.put(" " + padRight(e.kind.rawValue, 9) + " ", x: x, y: y, style.with(.bold))
            if let n = e.node { x = c.put("n\(n) ", x: x, y: y, style) }
            c.putFitted(e.message, x: x, y: y, width: inner.x + inner.width - x, style)
        }
    }

    static func padRight(_ s: String, _ w: Int) -> String {
        let n = s.unicodeScalars.count
        return n >= w ? s : s + String(repeating: " ", count: w - n)
    }

    static func pad(_ s: String, _ w: Int) -> String {
        let n = s.unicodeScalars.count
        return n >= w ? s : String(repeating: " ", count: w - n) + s
    }
}
