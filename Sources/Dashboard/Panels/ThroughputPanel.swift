/// Produced and committed transfers per second over the last minute, as a braille graph
/// with a y axis, the current values and the latency percentiles.
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
        let latency = "  p50 \(Format.nanos(s.latencyP50))  p99 \(Format.nanos(s.latencyP99))"
        if x + latency.unicodeScalars.count <= inner.x + inner.width { c.put(latency, x: x, y: inner.y, t[.muted]) }

        let graphRows = inner.height - 2  // legend above, time axis below
        guard graphRows >= 1 else { return }
        let now = s.uptime
        let points = s.history.filter { now - $0.time <= window }
        let peak = max(points.map { max($0.produced, $0.committed) }.max() ?? 0, s.producedPerSecond, 1)
        let top = niceCeiling(peak)
        let label = Format.count(top)
        let axisWidth = max(label.unicodeScalars.count, 1) + 1
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
            c.putFitted(Format.count(top / 2), x: inner.x, y: inner.y + 1 + (graphRows - 1) / 2, width: axisWidth - 1, t[.graphAxis], alignRight: true)
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
        var current: (time: Double, produced: Double, committed: Double)? = nil
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
