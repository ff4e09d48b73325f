/// Lays the panels out for the canvas size and draws one frame. Pure: the same view
/// model gives the same cells, so frames are tested by rendering to memory.
public enum DashboardView {
    /// The smallest terminal the layout fits.
    public static let minimumSize = (columns: 80, rows: 24)

    /// Where each panel goes on a canvas of this size.
    public struct Layout: Sendable, Equatable {
        public var header: Int
        public var drill: Int?
        public var nodes: Rect
        public var throughput: Rect
        public var checkpoints: Rect
        public var events: Rect
        public var footer: Int

        public static func make(width: Int, height: Int, nodes: Int, drill: Bool) -> Layout {
            var y = 2
            let drillRow: Int? = drill ? 2 : nil
            if drill { y += 1 }
            let footer = height - 1
            let middle = footer - y
            // The nodes table gets its rows, but leaves room for the rest.
            let nodesHeight = min(NodesPanel.height(nodes: nodes), max(5, middle - 11))
            let nodesRect = Rect(x: 0, y: y, width: width, height: nodesHeight)
            let rest = middle - nodesHeight
            let graphHeight = max(6, min(16, rest * 55 / 100))
            let graphWidth = width >= 140 ? width * 55 / 100 : width * 52 / 100
            let top = y + nodesHeight
            let throughput = Rect(x: 0, y: top, width: graphWidth, height: graphHeight)
            let checkpoints = Rect(x: graphWidth, y: top, width: width - graphWidth, height: graphHeight)
            let events = Rect(x: 0, y: top + graphHeight, width: width, height: max(0, footer - top - graphHeight))
            return Layout(header: 0, drill: drillRow, nodes: nodesRect, throughput: throughput, checkpoints: checkpoints, events: events, footer: footer)
        }
    }

    /// Draws the whole frame into `canvas` (which keeps its size).
    public static func render(_ vm: ViewModel, into canvas: inout Canvas) {
        let t = vm.theme
        canvas.clear(Cell(" ", t[.text]))
        guard canvas.width >= minimumSize.columns, canvas.height >= minimumSize.rows else {
            Overlays.drawTooSmall(on: &canvas, theme: t, needed: minimumSize)
            return
        }
        let layout = Layout.make(width: canvas.width, height: canvas.height, nodes: vm.snapshot.nodes.count, drill: vm.drill != nil)
        HeaderPanel.draw(vm, row: layout.header, width: canvas.width, on: &canvas)
        if let row = layout.drill { DrillStrip.draw(vm, row: row, width: canvas.width, on: &canvas) }
        NodesPanel.draw(vm, in: layout.nodes, on: &canvas)
        ThroughputPanel.draw(vm, in: layout.throughput, on: &canvas)
        CheckpointsPanel.draw(vm, in: layout.checkpoints, on: &canvas)
        switch vm.state.bottom {
        case .receipts: ReceiptsPanel.draw(vm, in: layout.events, on: &canvas)
        case .events: EventsPanel.draw(vm, in: layout.events, on: &canvas)
        }
        if vm.state.presenter { PresenterCaption.draw(vm, over: layout, width: canvas.width, on: &canvas) }
        FooterPanel.draw(vm, row: layout.footer, width: canvas.width, on: &canvas)
        switch vm.state.overlay {
        case .help: Overlays.drawHelp(vm, on: &canvas)
        case let .confirm(_, prompt): Overlays.drawConfirm(prompt, vm: vm, on: &canvas)
        case .confirmAbort: Overlays.drawConfirm("Abort: heal every fault and stop the drill's schedule?", vm: vm, on: &canvas)
        default: break
        }
    }
}

/// One row under the header while a drill plays: progress, the last caption, the next
/// step, and the verdict at the end.
public enum DrillStrip {
    public static func draw(_ vm: ViewModel, row: Int, width: Int, on c: inout Canvas) {
        guard let d = vm.drill else { return }
        let t = vm.theme
        c.fill(Rect(x: 0, y: row, width: width, height: 1), Cell(" ", t[.text]))
        if let v = d.verdict {
            var x = c.put(v.passed ? " ✓ DRILL PASSED " : " ✗ DRILL FAILED ", x: 0, y: row, v.passed ? t[.ok].with(.reverse) : t[.bad])
            x = c.put(" " + d.name + ": ", x: x, y: row, t[.title])
            c.putFitted(v.summary, x: x, y: row, width: width - x, t[.text])
            return
        }
        let paused = vm.state.schedulePaused
        var x = c.put(paused ? " ‖ " : " ▶ ", x: 0, y: row, paused ? t[.warning] : t[.key])
        x = c.put("\(d.name) \(Format.duration(d.elapsed))/\(Format.duration(d.duration))", x: x, y: row, t[.title])
        if let caption = d.caption {
            x = c.put("  “", x: x, y: row, t[.muted])
            let room = max(0, width - x - 32)
            x = c.put(Canvas.fit(caption, room), x: x, y: row, t[.text].with(.bold))
            x = c.put("”", x: x, y: row, t[.muted])
        }
        if let n = d.next {
            let text = "  next at \(Format.duration(n.at)): \(n.command)"
            c.putFitted(text, x: x, y: row, width: width - x, t[.muted])
        } else {
            c.putFitted("  no more steps; verdict at \(Format.duration(d.duration))", x: x, y: row, width: width - x, t[.muted])
        }
    }
}
