import Engine

/// The recent checkpoints, newest first: id, status, duration, alignment, size, shards.
public enum CheckpointsPanel {
    static let columns = [
        Column(title: "id", width: 5, priority: 0, alignRight: true),
        Column(title: "status", width: 13, priority: 0, alignRight: false),
        Column(title: "took", width: 6, priority: 1, alignRight: true),
        Column(title: "align", width: 6, priority: 3, alignRight: true),
        Column(title: "size", width: 7, priority: 2, alignRight: true),
        Column(title: "shards", width: 8, priority: 1, alignRight: false),
        Column(title: "note", width: 24, priority: 4, alignRight: false),
    ]

    public static func draw(_ vm: ViewModel, in r: Rect, on c: inout Canvas) {
        let t = vm.theme
        let s = vm.snapshot
        let inner = Box.draw(r, title: "Checkpoints", on: &c, theme: t, titleRight: "\(s.checkpointsCompleted) complete")
        guard inner.width > 0, inner.height > 0 else { return }
        // Flink's statistics have no alignment time or shards: those columns are not shown.
        let usable = s.attached == nil ? columns : columns.filter { $0.title != "align" && $0.title != "shards" }
        var cols = Column.fitting(usable, width: inner.width)
        // The note takes whatever room is left.
        if let last = cols.indices.last, cols[last].title == "note" {
            let used = cols.dropLast().reduce(0) { $0 + $1.width + 1 }
            cols[last].width = max(0, inner.width - used)
        }
        var x = inner.x
        for col in cols {
            c.putFitted(col.title, x: x, y: inner.y, width: col.width, t[.muted].with(.underline), alignRight: col.alignRight)
            x += col.width + 1
        }
        let rows = s.checkpoints.reversed()
        if rows.isEmpty {
            c.put("none yet", x: inner.x + 1, y: inner.y + 1, t[.muted])
            return
        }
        for (i, cp) in rows.enumerated() {
            let y = inner.y + 1 + i
            guard y < inner.y + inner.height else { break }
            let (glyph, role): (String, Role) = switch cp.status {
            case .complete: ("✓", .checkpointComplete)
            case .inProgress: ("…", .checkpointInProgress)
            case .failed: ("✗", .checkpointFailed)
            case .restored: ("↺", .checkpointRestored)
            }
            x = inner.x
            for col in cols {
                switch col.title {
                case "id": c.putFitted(String(cp.id), x: x, y: y, width: col.width, t[.text].with(.bold), alignRight: true)
                case "status": c.putFitted(glyph + " " + (cp.status == .restored ? "restored" : cp.status.rawValue), x: x, y: y, width: col.width, t[role])
                case "took": c.putFitted(cp.duration.map(Format.duration) ?? "–", x: x, y: y, width: col.width, t[.text], alignRight: true)
                case "align": c.putFitted(cp.alignment.map(Format.duration) ?? "–", x: x, y: y, width: col.width, t[.muted], alignRight: true)
                case "size": c.putFitted(cp.bytes > 0 ? Format.bytes(cp.bytes) : "–", x: x, y: y, width: col.width, t[.text], alignRight: true)
                case "shards":
                    if cp.shards == 0 {
                        c.putFitted("–", x: x, y: y, width: col.width, t[.muted])
                    } else if cp.status == .inProgress {
                        c.putFitted("\(vm.job.dataShards)+\(vm.job.parityShards)", x: x, y: y, width: col.width, t[.muted])
                    } else {
                        let ok = cp.healthyShards >= cp.shards
                        let usable = cp.healthyShards >= vm.job.dataShards
                        c.putFitted("\(ok ? "✓" : usable ? "!" : "✗") \(cp.healthyShards)/\(cp.shards)", x: x, y: y, width: col.width,
                                    ok ? t[.integrityOK] : usable ? t[.warning] : t[.integrityBad])
                    }
                case "note": c.putFitted(cp.note, x: x, y: y, width: col.width, cp.status == .failed ? t[.checkpointFailed] : t[.muted])
                default: break
                }
                x += col.width + 1
            }
        }
    }
}
