/// The top two rows: job, uptime, cluster state; the exactly-once verdict with lost and
/// duplicated counts, total money and whether it is conserved.
public enum HeaderPanel {
    public static func draw(_ vm: ViewModel, row: Int, width: Int, on c: inout Canvas) {
        let t = vm.theme
        let s = vm.snapshot
        let head = t[.header]
        c.fill(Rect(x: 0, y: row, width: width, height: 1), Cell(" ", head))
        var x = c.put(" firedrill ", x: 0, y: row, head)
        let job = "\(vm.job.name) · \(vm.job.nodes) nodes · RS(\(vm.job.dataShards)+\(vm.job.parityShards)) · \(vm.job.replicas) standby"
        x = c.put(job, x: x + 1, y: row, head.with(.dim), limit: max(0, width - x - 34))
        x = c.put("   up " + Format.duration(s.uptime), x: x, y: row, head)
        let (label, role) = vm.clusterState
        let glyph = label == "RUNNING" ? "●" : label == "STOPPED" ? "■" : "▲"
        x = c.put("   ", x: x, y: row, head)
        c.put(" \(glyph) \(label) ", x: x, y: row, t[role].on(head.background).with(.bold))
        var right: [String] = []
        if vm.state.frozen { right.append("❄ FROZEN") }
        if let d = vm.drill { right.append("drill \(d.name)") }
        if !right.isEmpty {
            let text = right.joined(separator: "  ") + " "
            c.put(text, x: width - text.unicodeScalars.count, y: row, t[.warning].on(head.background).with(.reverse))
        }

        // Second row: the audit.
        let y = row + 1
        let a = s.audit
        let exact = a.exact && a.lost == 0 && a.duplicated == 0
        var x2 = c.put(" exactly-once ", x: 0, y: y, t[.muted])
        x2 = c.put(exact ? " ✓ EXACT " : " ✗ NOT EXACT ", x: x2, y: y, exact ? t[.ok].with(.reverse) : t[.bad])
        x2 = c.put("  lost ", x: x2, y: y, t[.muted])
        x2 = c.put(String(a.lost), x: x2, y: y, a.lost == 0 ? t[.ok] : t[.bad])
        x2 = c.put("  dup ", x: x2, y: y, t[.muted])
        x2 = c.put(String(a.duplicated), x: x2, y: y, a.duplicated == 0 ? t[.ok] : t[.bad])
        if a.mismatchedAccounts > 0 {
            x2 = c.put("  accounts off ", x: x2, y: y, t[.muted])
            x2 = c.put(String(a.mismatchedAccounts), x: x2, y: y, t[.bad])
        }
        x2 = c.put("   money ", x: x2, y: y, t[.muted])
        x2 = c.put(Format.grouped(a.committedMoney), x: x2, y: y, t[.text])
        x2 = c.put(a.moneyConserved ? " ✓ conserved" : " ✗ NOT conserved (expected \(Format.grouped(a.expectedMoney)))", x: x2, y: y, a.moneyConserved ? t[.ok] : t[.bad])
        x2 = c.put("   committed ", x: x2, y: y, t[.muted])
        x2 = c.put(Format.count(Double(a.committedTransfers)), x: x2, y: y, t[.text])
        if let audited = a.checkpoint {
            x2 = c.put(" @ckpt \(audited)", x: x2, y: y, t[.muted])
        }
        if width - x2 > 22, let restored = s.restoredFrom {
            c.put("   restored from \(restored) at start", x: x2, y: y, t[.muted])
        }
    }
}
