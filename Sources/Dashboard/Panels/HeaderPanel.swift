import Engine

/// The top two rows: job, uptime, cluster state; the exactly-once verdict with lost and
/// duplicated counts, total money and whether it is conserved.
public enum HeaderPanel {
    public static func draw(_ vm: ViewModel, row: Int, width: Int, on c: inout Canvas) {
        let t = vm.theme
        let s = vm.snapshot
        let head = t[.header]
        c.fill(Rect(x: 0, y: row, width: width, height: 1), Cell(" ", head))
        var right: [String] = []
        if let a = s.attached, !a.reachable { right.append("✗ \(a.url) UNREACHABLE: retrying") }
        if let since = s.diskFullSince { right.append("✗ DISK FULL \(Format.duration(max(0, s.uptime - since))): checkpoints fail") }
        if vm.state.frozen { right.append("❄ FROZEN") }
        if let r = vm.replay {
            let pace = vm.state.timePaused ? "‖" : "▶" + (vm.speed.map { $0 != 1 ? " " + TimeSpeed.text($0) : "" } ?? "")
            right.append("\(pace) REPLAY \(Format.duration(r.position)) / \(Format.duration(r.end))")
        } else {
            if vm.state.timePaused { right.append("‖ TIME PAUSED") } else if let x = vm.speed, x != 1 { right.append("▶ \(TimeSpeed.text(x))") }
            if vm.state.readOnly { right.append("READ-ONLY") }
        }
        if let phase = s.stopPhase, phase != .stopped { right.append("stopping: \(phase.rawValue)…") }
        else if s.heldForAudit && s.running { right.append("⏸ sources wait for the audit") }
        if let d = vm.drill { right.append("drill \(d.name)") }
        let rightWidth = right.isEmpty ? 0 : right.joined(separator: "  ").unicodeScalars.count + 1
        var x = c.put(" firedrill ", x: 0, y: row, head)
        let (label, role) = vm.clusterState
        let up = s.attached?.reachable == false ? "   up ?" : "   up " + Format.duration(s.attached?.jobUptime ?? s.uptime)
        // The job's words give way to the uptime, the state (the longest, RECOVERING) and the
        // right side: whole pieces drop from the end first, then the name is cut with "…".
        let after = up.unicodeScalars.count + 3 + max(label.count, 10) + 4 + 2
        let room = max(0, width - x - 1 - after - rightWidth)
        var pieces = [vm.job.name, "\(vm.job.nodes) nodes", "RS(\(vm.job.dataShards)+\(vm.job.parityShards))", "\(vm.job.replicas) standby"]
        if let a = s.attached {
            pieces = [a.jobName ?? vm.job.name, "Flink \(a.version ?? "?")", "\(s.nodes.count) TaskManagers",
                      "\(a.restarts.map(String.init) ?? "?") restarts", s.restoredFrom.map { "restored \($0)" } ?? "no restore", "REST \(Format.fixed(a.requestsPerSecond, 0))/s"]
        }
        while pieces.count > 1 && pieces.joined(separator: " · ").unicodeScalars.count > room { pieces.removeLast() }
        x = c.put(Canvas.fit(pieces.joined(separator: " · "), room), x: x + 1, y: row, head.with(.dim))
        x = c.put(up, x: x, y: row, head)
        let glyph = label == "RUNNING" ? "●" : label == "STOPPED" ? "■" : "▲"
        x = c.put("   ", x: x, y: row, head)
        c.put(" \(glyph) \(label) ", x: x, y: row, t[role].on(head.background).with(.bold))
        if !right.isEmpty {
            let text = right.joined(separator: "  ") + " "
            c.put(text, x: width - text.unicodeScalars.count, y: row, t[.warning].on(head.background).with(.reverse))
        }

        // Second row: the proof. Pieces drop, least important first, when the row is short.
        let y = row + 1
        let a = s.audit
        let verdict = VerdictBadge(s)
        typealias Piece = (text: String, role: Role, attributes: Attributes)
        let plain: Attributes = []
        var lossPieces: [Piece] = [
            ("  lost ", .muted, plain), (String(a.lost), a.lost == 0 ? .ok : .bad, plain),
            ("  dup ", .muted, plain), (String(a.duplicated), a.duplicated == 0 ? .ok : .bad, plain),
        ]
        if a.mismatchedAccounts > 0 { lossPieces += [("  accounts off ", .muted, plain), (String(a.mismatchedAccounts), .bad, plain)] }
        let conserved: Piece = a.moneyConserved ? (" ✓ conserved", .ok, plain) : (" ✗ NOT conserved (expected \(Format.grouped(a.expectedMoney)))", .bad, plain)
        let moneyLong: [Piece] = [("   money ", .muted, plain), (Format.grouped(a.committedMoney), .text, plain), conserved]
        let moneyShort: [Piece] = [("   money", .muted, plain), conserved]
        var sink: [Piece] = [("   sink committed ", .muted, plain), (Format.count(Double(s.sinkCommittedTransfers)), .text, plain)]
        if let c = s.committedCheckpoint { sink.append((" @ckpt \(c)", .muted, plain)) }
        if let at = s.attached {
            drawAttachedProof(s, at, y: y, width: width, on: &c, theme: t)
            return
        }
        let restored: [Piece] = s.restoredFrom.map { [("   restored from \($0) at start", .muted, plain)] } ?? []
        let title: [Piece] = [(" exactly-once ", .muted, plain)]
        let badge: [Piece] = [(verdict.badge, verdict.role, verdict.role == .bad ? plain : .reverse), (" " + verdict.detail, verdict.role == .ok ? .muted : verdict.role, plain)]
        func span(_ ps: [Piece]) -> Int { ps.reduce(0) { $0 + $1.text.unicodeScalars.count } }
        // Most to least complete; the first that fits is drawn (the last is cut if need be).
        let layouts: [[Piece]] = [
            title + badge + lossPieces + moneyLong + sink + restored,
            title + badge + lossPieces + moneyLong + sink,
            [(" ", .muted, plain)] + badge + lossPieces + moneyLong + sink,
            [(" ", .muted, plain)] + badge + lossPieces + moneyShort + sink,
            [(" ", .muted, plain)] + badge + lossPieces + moneyShort,
        ]
        let chosen = layouts.first { span($0) <= width } ?? layouts[layouts.count - 1]
        var x2 = 0
        for p in chosen {
            guard x2 < width else { break }
            x2 = c.put(p.text, x: x2, y: y, t[p.role].with(p.attributes), limit: width - x2)
        }
    }

    /// The proof row of an attached cluster: the auditor's verdict over the job's committed
    /// output, or why there is none.
    static func drawAttachedProof(_ s: ClusterSnapshot, _ at: AttachedCluster, y: Int, width: Int, on c: inout Canvas, theme t: Theme) {
        typealias Piece = (text: String, role: Role, attributes: Attributes)
        var pieces: [Piece]
        if !at.audited {
            pieces = [(" exactly-once ", .muted, []), (" NOT JUDGED ", .warning, .reverse),
                      (" the job's output is not known: --audit 'dir=…,format=csv,id=COL', --audit-command CMD, or --output DIR for the lab's payments job", .muted, [])]
        } else if let failure = at.auditFailure {
            pieces = [(" exactly-once ", .muted, []), (" AUDIT FAILED ", .bad, []), (" " + failure, .bad, [])]
        } else {
            let a = s.audit
            let verdict = VerdictBadge(s)
            pieces = [(" exactly-once ", .muted, []), (verdict.badge, verdict.role, verdict.role == .bad ? [] : .reverse),
                      (" \(Format.count(Double(a.committedTransfers))) transfers audited", .muted, []),
                      ("  lost ", .muted, []), (String(a.lost), a.lost == 0 ? .ok : .bad, []),
                      ("  dup ", .muted, []), (String(a.duplicated), a.duplicated == 0 ? .ok : .bad, []),
                      ("  wrong ", .muted, []), (String(at.wrongRows), at.wrongRows == 0 ? .ok : .bad, []),
                      ("  missing ", .muted, []), (String(at.missingTransfers), at.missingTransfers == 0 ? .ok : .bad, []),
                      a.moneyConserved ? ("  ✓ money conserved", .ok, []) : ("  ✗ money NOT conserved", .bad, [])]
            if let p = at.firstProblem { pieces.append(("  first: " + p, .bad, [])) }
        }
        var x = 0
        for p in pieces {
            guard x < width else { break }
            x = c.put(p.text, x: x, y: y, t[p.role].with(p.attributes), limit: width - x)
        }
    }
}
