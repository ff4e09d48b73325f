import Engine

/// Transfers read (from the sources) and committed (by the sink) per second over the last
/// minute, as a braille graph with a y axis; the current values, the audited rate and the
/// latency percentiles above it.
public enum ThroughputPanel {
    /// Seconds of history shown.
    public static let window = 60.0

    public static func draw(_ vm: ViewModel, in r: Rect, on c: inout Canvas) {
        let t = vm.theme
        let s = vm.snapshot
        let inner = Box.draw(r, title: "Throughput (last minute)", on: &c, theme: t)
        guard inner.width > 12, inner.height >= 3 else { return }
        // Legend row: current values and latency.
        var x = c.put("━ read ", x: inner.x, y: inner.y, t[.graphProduced])
        x = c.put(Format.count(s.producedPerSecond) + "/s", x: x, y: inner.y, t[.text].with(.bold))
        x = c.put("  ━ committed ", x: x, y: inner.y, t[.graphCommitted])
        x = c.put(Format.count(s.committedPerSecond) + "/s", x: x, y: inner.y, t[.text].with(.bold))
        let right = inner.x + inner.width
        let latency = "  p50 \(Format.nanos(s.latencyP50))  p99 \(Format.nanos(s.latencyP99))"
        if x + latency.unicodeScalars.count <= right { x = c.put(latency, x: x, y: inner.y, t[.muted]) }
        let audited = "  audited \(Format.count(s.auditedPerSecond))/s"
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
                let bits = produced[i] | committed[i]
                guard bits != 0, let scalar = Unicode.Scalar(0x2800 + UInt32(bits)) else { continue }
                let style = committed[i] != 0 ? t[.graphCommitted] : t[.graphProduced]
                c[plotX + col, inner.y + 1 + row] = Cell(scalar, style)
            }
        }
        if points.isEmpty {
            c.put("collecting…", x: plotX + 1, y: inner.y + 1 + graphRows / 2, t[.muted])
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
