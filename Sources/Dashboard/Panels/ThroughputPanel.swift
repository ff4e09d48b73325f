import Engine

/// Transfers read (from the sources) and committed (by the sink) per second over the last
/// minute, as a braille graph with a y axis; the current values, the audited rate and the
/// latency percentiles above it.
public enum ThroughputPanel {
    /// Seconds of history shown.
    public static let window = 60.0

    /// Without colour the two series differ by glyph: read is a braille area, committed a line of dots.
    public static func glyphs(color: Bool) -> (read: String, committed: String) {
        color ? ("━", "━") : ("⣿", committedGlyph)
    }

    /// The glyph a committed cell takes without colour.
    static let committedGlyph = "•"

    public static func draw(_ vm: ViewModel, in r: Rect, on c: inout Canvas) {
        let t = vm.theme
        let s = vm.snapshot
        let inner = Box.draw(r, title: "Throughput (last minute)", on: &c, theme: t)
        guard inner.width > 12, inner.height >= 3 else { return }
        // Legend row: current values and latency.
        // An attached cluster's rates are over a window, and unknown (—) while not every
        // subtask runs, just after a restore, or without an answer: never the last value.
        let a = s.attached
        func rate(_ engine: Double, _ attached: Double??) -> (String, Style) {
            guard let attached else { return (Format.count(engine) + "/s", t[.text].with(.bold)) }
            return attached.map { (Format.count($0) + "/s", t[.text].with(.bold)) } ?? ("—", t[.muted])
        }
        let read = rate(s.producedPerSecond, a.map { $0.readRate })
        let committedNow = rate(s.committedPerSecond, a.map { $0.committedRate })
        let legend = glyphs(color: vm.color)
        var x = c.put(legend.read + " read ", x: inner.x, y: inner.y, t[.graphProduced])
        x = c.put(read.0, x: x, y: inner.y, read.1)
        x = c.put("  " + legend.committed + " committed ", x: x, y: inner.y, t[.graphCommitted])
        x = c.put(committedNow.0, x: x, y: inner.y, committedNow.1)
        let right = inner.x + inner.width
        let latency = "  p50 \(Format.nanos(s.latencyP50))  p99 \(Format.nanos(s.latencyP99))"
        // An attached cluster's latency is not measured here: not shown (never as zero).
        if s.attached == nil, x + latency.unicodeScalars.count <= right { x = c.put(latency, x: x, y: inner.y, t[.muted]) }
        let audited = "  audited " + rate(s.auditedPerSecond, a.map { $0.auditedRate }).0 + (a != nil ? " (over ≥5 s)" : "")
        if x + audited.unicodeScalars.count <= right { c.put(audited, x: x, y: inner.y, t[.muted]) }

        let graphRows = inner.height - 2  // legend above, time axis below
        guard graphRows >= 1 else { return }
        let now = s.uptime
        let points = s.history.filter { now - $0.time <= window }
        let top = niceCeiling(scalePeak(points, current: s.producedPerSecond))
        let label = Format.axis(top)
        let middle = Format.axis(top / 2)
        let axisWidth = max(label.unicodeScalars.count, graphRows >= 4 ? middle.unicodeScalars.count : 1, 1) + 1
        let plotX = inner.x + axisWidth
        let plotWidth = inner.width - axisWidth
        guard plotWidth > 2 else { return }
        // Y axis.
        for row in 0..<graphRows {
            c.put("│", x: plotX - 1, y: inner.y + 1 + row, t[.graphAxis])
        }
        c.put("┤", x: plotX - 1, y: inner.y + 1, t[.graphAxis])
        c.put("┤", x: plotX - 1, y: inner.y + graphRows, t[.graphAxis])
        if graphRows >= 4 { c.put("┤", x: plotX - 1, y: inner.y + 1 + (graphRows - 1) / 2, t[.graphAxis]) }
        c.putFitted(label, x: inner.x, y: inner.y + 1, width: axisWidth - 1, t[.graphAxis], alignRight: true)
        c.putFitted("0", x: inner.x, y: inner.y + graphRows, width: axisWidth - 1, t[.graphAxis], alignRight: true)
        if graphRows >= 4 {
            c.putFitted(middle, x: inner.x, y: inner.y + 1 + (graphRows - 1) / 2, width: axisWidth - 1, t[.graphAxis], alignRight: true)
        }
        // Time axis.
        let axisY = inner.y + inner.height - 1
        c.put("└", x: plotX - 1, y: axisY, t[.graphAxis])
        c.put(String(repeating: "─", count: plotWidth), x: plotX, y: axisY, t[.graphAxis])
        c.put("-\(Int(window))s", x: plotX, y: axisY, t[.graphAxis])
        c.put("now", x: plotX + plotWidth - 3, y: axisY, t[.graphAxis])

        // Braille: 2 dot columns by 4 dot rows per cell; time maps onto dot columns.
        let dotColumns = plotWidth * 2
        let dotRows = graphRows * 4
        var produced = [UInt8](repeating: 0, count: plotWidth * graphRows)
        var committed = [UInt8](repeating: 0, count: plotWidth * graphRows)
        // Read is an area (filled to the axis), committed a line over it.
        func plot(_ bits: inout [UInt8], _ value: Double, column: Int, area: Bool) {
            guard column >= 0, column < dotColumns else { return }
            let level = Int((value / top * Double(dotRows)).rounded())
            guard level > 0 else { return }
            let topDot = dotRows - min(level, dotRows)  // 0 at the top
            for dotY in topDot..<(area ? dotRows : topDot + 1) {
                bits[(dotY / 4) * plotWidth + column / 2] |= brailleBit(column % 2, dotY % 4)
            }
        }
        // Each dot column shows the newest sample at or before its moment (a step line).
        var next = 0
        var current: ClusterSnapshot.HistoryPoint? = nil
        for column in 0..<dotColumns {
            let moment = now - window + Double(column) / Double(max(1, dotColumns - 1)) * window
            while next < points.count && points[next].time <= moment + 1e-9 {
                current = points[next]
                next += 1
            }
            guard let p = current else { continue }
            plot(&produced, p.produced, column: column, area: true)
            plot(&committed, p.committed, column: column, area: false)
        }
        for row in 0..<graphRows {
            for col in 0..<plotWidth {
                let i = row * plotWidth + col
                if !vm.color, committed[i] != 0 {
                    c.put(committedGlyph, x: plotX + col, y: inner.y + 1 + row, t[.graphCommitted].with(.bold))
                    continue
                }
                let bits = produced[i] | committed[i]
                guard bits != 0, let scalar = Unicode.Scalar(0x2800 + UInt32(bits)) else { continue }
                let style = committed[i] != 0 ? t[.graphCommitted] : t[.graphProduced]
                c[plotX + col, inner.y + 1 + row] = Cell(scalar, style)
            }
        }
        drawBands(vm, plot: Rect(x: plotX, y: inner.y + 1, width: plotWidth, height: graphRows), axisY: axisY, now: now, on: &c)
        if points.isEmpty {
            c.put("collecting…", x: plotX + 1, y: inner.y + 1 + graphRows / 2, t[.muted])
        }
    }

    /// The column of `plot` a moment falls in (nil: outside the last minute).
    static func column(_ time: Double, now: Double, width: Int) -> Int? {
        let f = (time - (now - window)) / window
        guard f >= 0, f <= 1 + 1e-9 else { return nil }
        return min(width - 1, Int((f * Double(width - 1)).rounded()))
    }

    /// Shades each fault's interval (injected to healed, or to now while it lasts) with its
    /// label on top, and marks each recovery (↻) on the time axis; all scroll with the graph.
    static func drawBands(_ vm: ViewModel, plot: Rect, axisY: Int, now: Double, on c: inout Canvas) {
        let t = vm.theme
        let start = now - window
        let band = t[.graphBand]
        // Labels take at most two rows, and none of a graph too short to spare them.
        var labelEnds = [Int](repeating: plot.x, count: plot.height >= 6 ? 2 : plot.height >= 3 ? 1 : 0)
        for r in vm.snapshot.receipts {
            let end = r.healedAt ?? now
            guard end >= start, r.at <= now else { continue }
            let x0 = plot.x + (column(max(r.at, start), now: now, width: plot.width) ?? 0)
            let x1 = plot.x + (column(min(end, now), now: now, width: plot.width) ?? plot.width - 1)
            for y in plot.y..<(plot.y + plot.height) {
                for x in x0...max(x0, x1) {
                    var cell = c[x, y]
                    cell.style = vm.color ? cell.style.on(band.background) : cell.style.with(.underline)
                    c[x, y] = cell
                }
            }
            // Its label on the first row where it does not cover another's.
            guard !labelEnds.isEmpty else { continue }
            let clipped = r.at < start
            let label = (clipped ? "◂" : "") + bandLabel(r)
            let n = label.unicodeScalars.count
            let lx = max(plot.x, min(x0, plot.x + plot.width - n))
            guard let row = labelEnds.indices.first(where: { labelEnds[$0] <= lx }) else { continue }
            labelEnds[row] = c.put(label, x: lx, y: plot.y + row, t[.graphRecovery].on(vm.color ? band.background : .default), limit: plot.x + plot.width - lx) + 1
        }
        for rec in vm.snapshot.recoveries {
            guard let col = column(rec.at, now: now, width: plot.width) else { continue }
            c.put("↻", x: plot.x + col, y: axisY, t[.graphRecovery])
        }
    }

    /// A fault in a few letters for its band: `kill 2`, `flip 0`, `rot s1`, `wipe 3`.
    public static func bandLabel(_ r: FaultReceipt) -> String {
        switch r.fault {
        case let .kill(n)?: "kill \(n)"
        case let .hang(n)?: "hang \(n)"
        case let .slow(n, _)?: "slow \(n)"
        case let .corruptFrame(n)?: "flip \(n)"
        case let .partition(n)?: "part \(n)"
        case let .corruptShard(_, s)?: "rot s\(s)"
        case let .deleteShard(_, s)?: "del s\(s)"
        case let .wipeDisk(n)?: "wipe \(n)"
        case .recoverNow?: "recover"
        case let .restart(n)?: "restart \(n)"
        case .corruptSink?: "rot sink"
        case let f?: f.description
        case nil:
            switch r.subject {
            case let .node(n)?: "down \(n)?"
            case let .shard(_, s, _)?: "bad s\(s)?"
            case .sink?: "sink?"
            case nil: "?"
            }
        }
    }

    /// The value the y axis must reach: the 95th percentile of the minute's rates (a
    /// one-off spike, such as a replay or a burst of commits, is cut at the top rather
    /// than squashing the whole minute), and at least the current read rate.
    static func scalePeak(_ points: [ClusterSnapshot.HistoryPoint], current: Double) -> Double {
        var values = points.flatMap { [$0.produced, $0.committed] }
        guard !values.isEmpty else { return max(current, 1) }
        values.sort()
        let q95 = values[min(values.count - 1, Int(Double(values.count) * 0.95))]
        return max(q95 * 1.05, current, 1)
    }

    /// The braille bit of dot (x 0-1, y 0-3) in a cell.
    static func brailleBit(_ x: Int, _ y: Int) -> UInt8 {
        let left: [UInt8] = [0x01, 0x02, 0x04, 0x40]
        let right: [UInt8] = [0x08, 0x10, 0x20, 0x80]
        return x == 0 ? left[y] : right[y]
    }

    /// A round number at or above `v` (1, 2 or 5 times a power of ten).
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        var p = 1.0
        while p * 10 <= v { p *= 10 }
        for m in [1.0, 2.0, 5.0, 10.0] where m * p >= v { return m * p }
        return 10 * p
    }
}
