import Engine

/// A receipt per fault, newest first: the selected one opened up (a line per step, with the
/// technique that took it and its time since the fault), the others on one line each.
/// `PgUp`/`PgDn` (or the wheel) select, `Tab` switches to the event log.
public enum ReceiptsPanel {
    /// The receipts shown: newest first, those matching the filter.
    public static func visible(_ receipts: [FaultReceipt], filter: String?) -> [FaultReceipt] {
        let newest = receipts.reversed()
        guard let f = filter else { return Array(newest) }
        return newest.filter { LogFilter.matches($0, f) }
    }

    /// The colour of a technique's name.
    public static func role(of technique: FaultReceipt.Technique) -> Role {
        switch technique {
        case .selfHealing: .techniqueSelfHealing
        case .replication: .techniqueReplication
        case .checkAndCorrect: .techniqueCheckAndCorrect
        case .erasureCode: .techniqueErasureCode
        case .checkpoint: .techniqueCheckpoint
        case .audit: .techniqueAudit
        case .operatorAction: .techniqueOperator
        }
    }

    /// Where a receipt stands, as a glyph, a badge and a role (so it reads without colour).
    public static func badge(_ r: FaultReceipt) -> (glyph: String, text: String, role: Role) {
        switch r.status {
        case .pending: ("…", "IN PROGRESS", .warning)
        case .healed: ("⧗", "REPAIRED · AUDIT PENDING", .warning)
        case .proved: ("✓", "PROVED: NOTHING LOST", .ok)
        case .disproved: ("✗", "AUDIT FOUND A DIFFERENCE", .bad)
        case .beyondTolerance:
            r.entries.contains { if case .audited(_, true, _, _, true) = $0.step { true } else { false } }
                ? ("✗", "BEYOND TOLERANCE · OUTPUT STILL EXACT", .warning) : ("✗", "BEYOND TOLERANCE", .bad)
        case .stuck: ("⊘", "QUARANTINED", .bad)
        }
    }

    public static func draw(_ vm: ViewModel, in rect: Rect, on c: inout Canvas) {
        let t = vm.theme
        let all = vm.snapshot.receipts
        let shown = visible(all, filter: vm.state.filter)
        let right = vm.state.filter.map { "\(shown.count) of \(all.count) match '\($0)' · Esc clears" }
            ?? "\(all.count) fault\(all.count == 1 ? "" : "s") · PgUp/PgDn select · Tab: event log"
        let inner = Box.draw(rect, title: "Fault receipts (newest first)", on: &c, theme: t, titleRight: right)
        guard inner.width > 10, inner.height > 0 else { return }
        if shown.isEmpty {
            let lines: [(String, Role)] = vm.state.filter.map { f in
                [("No receipt matches '\(f)' (\(LogFilter.describe(f))). Esc clears the filter.", .warning)]
            } ?? (vm.state.replay ? [
                ("No fault in the record up to here. → moves on 5 s, G goes to the end, n to the next event.", .text),
            ] : vm.state.readOnly ? [
                ("No faults yet. This session is read-only: faults come only from a drill playing.", .text),
                ("Each receipt will list the steps the engine took, the technique behind each and its time,", .muted),
                ("and end when the audit of a later checkpoint proves nothing was lost or counted twice.", .muted),
            ] : [
                ("No faults yet. Break something, then read here what caught it:", .text),
                ("K kill · P hang · B flip a bit on a link · D rot a shard · W wipe a disk · N partition · S slow", .key),
                ("Each receipt lists the steps the engine took, the technique behind each and its time,", .muted),
                ("and ends when the audit of a later checkpoint proves nothing was lost or counted twice.", .muted),
            ])
            for (i, l) in lines.prefix(inner.height).enumerated() { c.putFitted(l.0, x: inner.x + 1, y: inner.y + i, width: inner.width - 1, t[l.1]) }
            return
        }
        let selected = min(vm.state.receiptSelection, shown.count - 1)
        let block = blockHeight(shown[selected])
        var first = max(0, selected - max(0, inner.height - block))
        if first > selected { first = selected }
        var y = inner.y
        let bottom = inner.y + inner.height
        var i = first
        while i < shown.count && y < bottom {
            let burst = unprovokedBurst(shown, from: i, selected: selected)
            if burst.count > 1 {
                drawBurst(burst, vm: vm, x: inner.x, y: y, width: inner.width, on: &c)
                y += 1
                i += burst.count
                continue
            }
            if i == selected {
                y = drawOpen(shown[i], vm: vm, x: inner.x, y: y, width: inner.width, bottom: bottom, on: &c)
            } else {
                drawLine(shown[i], vm: vm, x: inner.x, y: y, width: inner.width, on: &c)
                y += 1
            }
            i += 1
        }
    }

    /// Seconds between two unprovoked receipts of one burst.
    static let burstGap = 10.0

    /// The unprovoked receipts (no fault injected) from `start` on that make one burst: each
    /// within `burstGap` of the one before, none of them the selected one.
    static func unprovokedBurst(_ shown: [FaultReceipt], from start: Int, selected: Int) -> ArraySlice<FaultReceipt> {
        var end = start
        while end < shown.count, end != selected, shown[end].fault == nil,
              end == start || abs(shown[end - 1].at - shown[end].at) <= burstGap {
            end += 1
        }
        return shown[start..<end]
    }

    /// A burst of unprovoked receipts on one line: how many, which nodes, when.
    static func drawBurst(_ burst: ArraySlice<FaultReceipt>, vm: ViewModel, x: Int, y: Int, width: Int, on c: inout Canvas) {
        let t = vm.theme
        let right = x + width
        guard let newest = burst.first, let oldest = burst.last else { return }
        var nodes: [Int] = []
        for r in burst.reversed() {
            if case let .node(n)? = r.subject, !nodes.contains(n) { nodes.append(n) }
        }
        let proved = burst.allSatisfy { $0.status == .proved }
        var cx = c.put(proved ? " ✓ " : " ◌ ", x: x, y: y, t[proved ? .ok : .warning])
        cx = c.put("#\(oldest.id)–#\(newest.id) \(burst.count) unprovoked (no fault injected)", x: cx, y: y, t[.text].with(.bold), limit: right - cx)
        if !nodes.isEmpty {
            cx = c.put(" · node\(nodes.count == 1 ? "" : "s") " + nodes.map(String.init).joined(separator: ", "), x: cx, y: y, t[.text], limit: right - cx)
        }
        c.put(" · \(FaultReceipt.clock(oldest.at))–\(FaultReceipt.clock(newest.at)) · PgUp/PgDn opens one", x: cx, y: y, t[.muted], limit: right - cx)
    }

    static func blockHeight(_ r: FaultReceipt) -> Int { 1 + r.story.count + (r.waiting == nil ? 0 : 1) }

    /// One receipt on one line: status glyph, title, then the steps in a few words each.
    static func drawLine(_ r: FaultReceipt, vm: ViewModel, x: Int, y: Int, width: Int, on c: inout Canvas) {
        let t = vm.theme
        let b = badge(r)
        let right = x + width
        var cx = c.put(" \(b.glyph) ", x: x, y: y, t[b.role])
        cx = c.put("#\(r.id) \(r.title)", x: cx, y: y, t[.text].with(.bold), limit: right - cx)
        cx = c.put(" · \(FaultReceipt.clock(r.at))", x: cx, y: y, t[.muted], limit: right - cx)
        let story = r.story
        for j in story.indices where cx < right - 3 {
            let step = story[j].step
            let text = " → " + r.shortText(step, after: r.elapsed(story, j))
            let style = step.technique == .audit ? t[b.role == .ok ? .ok : .techniqueAudit] : t[role(of: step.technique)]
            cx = c.put(Canvas.fit(text, right - cx), x: cx, y: y, style)
        }
        if r.waiting != nil && cx < right - 3 { c.put(Canvas.fit(" → …", right - cx), x: cx, y: y, t[.muted]) }
    }

    /// The selected receipt opened up; returns the row after it.
    static func drawOpen(_ r: FaultReceipt, vm: ViewModel, x: Int, y: Int, width: Int, bottom: Int, on c: inout Canvas) -> Int {
        let t = vm.theme
        let b = badge(r)
        let right = x + width
        c.fill(Rect(x: x, y: y, width: width, height: 1), Cell(" ", t[.selected]))
        var cx = c.put(" ▸ #\(r.id) ", x: x, y: y, t[.selected])
        cx = c.put(r.title, x: cx, y: y, t[.selected].with(.bold), limit: right - cx)
        cx = c.put(" · at \(FaultReceipt.clock(r.at))", x: cx, y: y, t[.selected], limit: right - cx)
        let badgeText = " \(b.glyph) \(b.text) "
        let bx = right - badgeText.unicodeScalars.count
        if bx > cx + 1 { c.put(badgeText, x: bx, y: y, t[b.role].with(.bold)) }
        var row = y + 1
        let story = r.story
        for j in story.indices where row < bottom {
            let step = story[j].step
            let last = j == story.count - 1 && r.waiting == nil
            var sx = c.put(last ? "   └ " : "   ├ ", x: x, y: row, t[.border])
            sx = c.put(pad("+" + FaultReceipt.span(story[j].at - r.at), 9) + " ", x: sx, y: row, t[.muted])
            sx = c.put(padRight(step.technique.rawValue, 18), x: sx, y: row, t[role(of: step.technique)], limit: right - sx)
            let style: Style
            if case let .audited(_, exact, _, _, conserved) = step { style = exact && conserved ? t[.ok] : t[.bad] } else { style = t[.text] }
            c.putFitted(r.text(step, after: r.elapsed(story, j)), x: sx, y: row, width: right - sx, style)
            row += 1
        }
        if let w = r.waiting, row < bottom {
            var sx = c.put("   └ ", x: x, y: row, t[.border])
            sx = c.put(pad("…", 9) + " ", x: sx, y: row, t[.muted])
            c.putFitted(w, x: sx, y: row, width: right - sx, t[.warning])
            row += 1
        }
        return row
    }

    static func pad(_ s: String, _ w: Int) -> String {
        let n = s.unicodeScalars.count
        return n >= w ? s : String(repeating: " ", count: w - n) + s
    }

    static func padRight(_ s: String, _ w: Int) -> String {
        let n = s.unicodeScalars.count
        return n >= w ? s : s + String(repeating: " ", count: w - n)
    }
}
