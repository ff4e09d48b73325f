import Engine

/// The nodes table: one row per node, the selected one highlighted.
public enum NodesPanel {
    static let columns = [
        Column(title: "", width: 1, priority: 0, alignRight: false),
        Column(title: "id", width: 2, priority: 0, alignRight: true),
        Column(title: "state", width: 13, priority: 0, alignRight: false),
        Column(title: "phi", width: 5, priority: 2, alignRight: true),
        Column(title: "heartbeat", width: 9, priority: 3, alignRight: true),
        Column(title: "updates/s", width: 9, priority: 1, alignRight: true),
        Column(title: "read/s", width: 7, priority: 6, alignRight: true),
        Column(title: "queue", width: 11, priority: 2, alignRight: false),
        Column(title: "state", width: 7, priority: 4, alignRight: true),
        Column(title: "restarts", width: 8, priority: 3, alignRight: true),
        Column(title: "retx", width: 4, priority: 7, alignRight: true),
        Column(title: "standby", width: 7, priority: 8, alignRight: true),
        Column(title: "disk shards", width: 11, priority: 2, alignRight: false),
    ]

    /// An attached cluster's TaskManagers: the engine's phi, queue, standby and disk columns do
    /// not apply there and are not shown.
    static let attachedColumns = [
        Column(title: "", width: 1, priority: 0, alignRight: false),
        Column(title: "id", width: 2, priority: 0, alignRight: true),
        Column(title: "taskmanager", width: 14, priority: 0, alignRight: false),
        Column(title: "state", width: 13, priority: 0, alignRight: false),
        Column(title: "heartbeat", width: 9, priority: 2, alignRight: true),
        Column(title: "slots", width: 5, priority: 3, alignRight: true),
        Column(title: "subtasks", width: 8, priority: 1, alignRight: true),
        Column(title: "cpu", width: 5, priority: 4, alignRight: true),
        Column(title: "heap", width: 15, priority: 5, alignRight: true),
    ]

    /// The rows the panel needs: border, header and one per node.
    public static func height(nodes: Int) -> Int { nodes + 3 }

    public static func draw(_ vm: ViewModel, in r: Rect, on c: inout Canvas) {
        let t = vm.theme
        let s = vm.snapshot
        let down = s.nodes.filter { $0.health != .healthy }.count
        let silent = s.attached?.reachable == false
        let inner = Box.draw(r, title: "Nodes", on: &c, theme: t,
                             titleRight: silent ? "unknown: no answer" : down == 0 ? "all \(s.nodes.count) healthy" : "\(down) of \(s.nodes.count) not healthy",
                             titleRightStyle: silent ? t[.muted] : down == 0 ? t[.ok] : t[.warning])
        guard inner.width > 0, inner.height > 0 else { return }
        let attached = s.attached != nil
        let cols = Column.fitting(attached ? attachedColumns : columns, width: inner.width)
        var x = inner.x
        for col in cols {
            c.putFitted(col.title, x: x, y: inner.y, width: col.width, t[.muted].with(.underline), alignRight: col.alignRight)
            x += col.width + 1
        }
        let now = s.uptime
        for (row, n) in s.nodes.enumerated() {
            let y = inner.y + 1 + row
            guard y < inner.y + inner.height else { break }
            let selected = row == vm.state.selectedNode
            let base = selected ? (vm.color ? t[.selected] : t[.selected].with(.reverse)) : t[.text]
            if selected { c.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), Cell(" ", base)) }
            let look = HealthLook.of(n.health)
            func st(_ role: Role) -> Style { var v = t[role]; if selected { v.background = base.background; v.attributes.formUnion(base.attributes) }; return v }
            let incident = attached ? nil : NodeIncident.latest(for: n.id, in: s.events).flatMap { $0.isShown(at: now) ? $0 : nil }
            var coveredTo = inner.x
            x = inner.x
            for col in cols {
                defer { x += col.width + 1 }
                guard x >= coveredTo else { continue }
                switch (col.title, col.width) {
                case ("", _):
                    c.put(selected ? "▶" : " ", x: x, y: y, base)
                case ("id", _):
                    c.putFitted(String(n.id), x: x, y: y, width: col.width, base.with(.bold), alignRight: true)
                case ("state", 13) where s.attached?.reachable == false:
                    // No answer: the last state seen may be stale, so none is shown.
                    c.putFitted("? unknown", x: x, y: y, width: col.width, st(.muted))
                case ("state", 13) where incident != nil && n.health == .healthy:
                    // The last incident stays on the row (over the phi and heartbeat columns), faded once restored.
                    guard let incident else { break }
                    let text = incident.text(at: now)
                    let span = Self.incidentSpan(from: col, in: cols, needs: text.unicodeScalars.count)
                    let style = incident.isOver ? st(.muted).with(.dim) : st(incident.role)
                    c.putFitted(text, x: x, y: y, width: span, style)
                    coveredTo = x + span + 1
                case ("state", 13):
                    let word = attached && n.health == .down ? "lost" : look.word
                    c.putFitted(look.glyph + " " + word, x: x, y: y, width: col.width, st(look.role))
                case ("taskmanager", _):
                    c.putFitted(n.name ?? "–", x: x, y: y, width: col.width, base)
                case ("heartbeat", _) where attached:
                    let text = n.state == .stopped || s.attached?.reachable == false ? "–" : Format.duration(n.heartbeatAge) + " ago"
                    c.putFitted(text, x: x, y: y, width: col.width, n.heartbeatAge > 2 ? st(.nodeSuspect) : base, alignRight: true)
                case ("slots", _):
                    c.putFitted(n.slots.map(String.init) ?? "–", x: x, y: y, width: col.width, base, alignRight: true)
                case ("subtasks", _):
                    c.putFitted(n.subtasks.map(String.init) ?? "–", x: x, y: y, width: col.width, base, alignRight: true)
                case ("cpu", _):
                    c.putFitted(n.cpuLoad.map { Format.fixed($0 * 100, 0) + "%" } ?? "–", x: x, y: y, width: col.width, base, alignRight: true)
                case ("heap", _):
                    let text = n.heapUsed.map { used in Format.bytes(used) + (n.heapMax.map { " / " + Format.bytes($0) } ?? "") } ?? "–"
                    c.putFitted(text, x: x, y: y, width: col.width, base, alignRight: true)
                case ("phi", _):
                    let phi = n.phi.isFinite ? Format.fixed(min(n.phi, 999), n.phi < 10 ? 1 : 0) : "∞"
                    c.putFitted(phi, x: x, y: y, width: col.width, n.phi >= 8 ? st(.nodeDown) : n.phi >= 3 ? st(.nodeSuspect) : base, alignRight: true)
                case ("heartbeat", _):
                    c.putFitted(Format.duration(n.heartbeatAge) + " ago", x: x, y: y, width: col.width, n.heartbeatAge > 0.3 ? st(.nodeSuspect) : base, alignRight: true)
                case ("updates/s", _):
                    c.putFitted(Format.count(n.updatesPerSecond), x: x, y: y, width: col.width, base, alignRight: true)
                case ("read/s", _):
                    c.putFitted(Format.count(n.producedPerSecond), x: x, y: y, width: col.width, base, alignRight: true)
                case ("queue", _):
                    let cap = max(1, vm.job.queueCapacity)
                    let fill = min(1, Double(n.queueDepth) / Double(cap))
                    let barWidth = 6
                    let cellsOn = Int((fill * Double(barWidth)).rounded(.up))
                    let bar = String(repeating: "▮", count: cellsOn) + String(repeating: "▯", count: barWidth - cellsOn)
                    let role: Role = fill >= 0.75 ? .nodeDown : fill >= 0.4 ? .nodeSuspect : .nodeHealthy
                    let nx = c.put(bar, x: x, y: y, st(role))
                    c.putFitted(String(n.queueDepth), x: nx, y: y, width: col.width - barWidth, base, alignRight: true)
                case ("state", 7):
                    c.putFitted(Format.bytes(n.stateBytes), x: x, y: y, width: col.width, base, alignRight: true)
                case ("restarts", _):
                    c.putFitted(String(n.restarts), x: x, y: y, width: col.width, n.restarts > 0 ? st(.warning) : base, alignRight: true)
                case ("retx", _):
                    c.putFitted(String(n.retransmits), x: x, y: y, width: col.width, n.retransmits > 0 ? st(.integrityRepaired) : base, alignRight: true)
                case ("standby", _):
                    c.putFitted(String(n.standbyCopies), x: x, y: y, width: col.width, base, alignRight: true)
                case ("disk shards", _):
                    let good = n.diskShards - n.badDiskShards
                    if n.diskShards == 0 {
                        c.putFitted("–", x: x, y: y, width: col.width, st(.muted))
                    } else if n.badDiskShards > 0 {
                        c.putFitted("✗ \(good)/\(n.diskShards) bad", x: x, y: y, width: col.width, st(.integrityBad))
                    } else if let repaired = n.lastDiskRepair, now - repaired < 10 {
                        c.putFitted("↺ \(good)/\(n.diskShards) fixed", x: x, y: y, width: col.width, st(.integrityRepaired))
                    } else {
                        c.putFitted("✓ \(good)/\(n.diskShards)", x: x, y: y, width: col.width, st(.integrityOK))
                    }
                default: break
                }
            }
        }
    }

    /// The width an incident takes: the state column and as many of the next (at most three)
    /// as its text needs; they are hidden on that row while it shows.
    static func incidentSpan(from state: Column, in cols: [Column], needs: Int) -> Int {
        guard let i = cols.firstIndex(where: { $0.title == state.title && $0.width == state.width }) else { return state.width }
        var span = state.width
        for col in cols[(i + 1)...].prefix(3) where span < needs {
            span += col.width + 1
        }
        return span
    }
}
