@testable import Dashboard
@testable import Engine
import Testing

@Suite("Rendering panels into a canvas")
struct RenderTests {
    @Test("120x40: header verdict, money, nodes, checkpoints, graph, events, footer")
    func full() throws {
        var events = DashboardState()
        events.bottom = .events  // Tab: the event log instead of the receipts
        let c = Fixtures.render(state: events)
        let t = Theme.builtIn
        #expect(c.row(0).contains("firedrill"))
        #expect(c.row(0).contains("up 1m01s"))
        #expect(c.row(0).contains("● RUNNING"))
        let exact = try #require(Fixtures.find("✓ EXACT", in: c))
        #expect(exact.y == 1)
        #expect(c[exact.x, exact.y].style == t[.ok].with(.reverse))
        #expect(c.row(1).contains("lost 0"))
        #expect(c.row(1).contains("dup 0"))
        #expect(c.row(1).contains("money 10,000,000 ✓ conserved"))
        // Nodes table: a header row and one row per node, the first selected.
        #expect(c.row(3).contains("state") && c.row(3).contains("queue") && c.row(3).contains("disk shards"))
        let first = try #require(Fixtures.find("▶  0 ● healthy", in: c))
        #expect(c[first.x + 5, first.y].style.background == t[.selected].background)
        #expect(c.row(first.y).contains("2.15M"))
        #expect(c.row(first.y).contains("✓ 3/3"))
        // Checkpoints newest first.
        let inProgress = try #require(Fixtures.find("42 … in progress", in: c))
        let complete = try #require(Fixtures.find("41 ✓ complete", in: c))
        #expect(inProgress.y < complete.y)
        #expect(c.row(complete.y).contains("42ms") && c.row(complete.y).contains("156KB") && c.row(complete.y).contains("✓ 6/6"))
        // Graph: legend with current values, braille cells drawn.
        #expect(Fixtures.find("━ read 12.0M/s", in: c) != nil)
        #expect(Fixtures.find("committed 11.5M/s", in: c) != nil)
        #expect(Fixtures.find("p99 1ms", in: c) != nil)
        let braille = c.cells.filter { (0x2801...0x28FF).contains($0.character.value) }
        #expect(braille.count > 50)
        // Events newest first, coloured by kind.
        let recovery = try #require(Fixtures.find("rolled back to checkpoint 38", in: c))
        let kill = try #require(Fixtures.find("kill 2", in: c))
        #expect(recovery.y < kill.y)
        #expect(c[kill.x, kill.y].style == t[.eventOperator])
        #expect(c.row(39).contains("K kill"))
    }

    @Test("node states show as glyph and word with their colours, also without colour")
    func states() throws {
        let healths: [ClusterSnapshot.Health] = [.healthy, .suspect, .down, .hung, .quarantined, .partitioned]
        let snap = Fixtures.snapshot(nodes: healths.enumerated().map { Fixtures.node($0.offset, $0.element) })
        for color in [true, false] {
            let c = Fixtures.render(snap, color: color)
            for h in healths {
                let look = HealthLook.of(h)
                let at = try #require(Fixtures.find(look.glyph + " " + look.word, in: c), "\(h)")
                let style = c[at.x, at.y].style
                if color {
                    if at.y != 4 { #expect(style == Theme.builtIn[look.role], "\(h)") }
                } else {
                    #expect(style.foreground == .default && style.background == .default)
                }
            }
            #expect(Fixtures.find("DEGRADED", in: c) != nil)
            #expect(Fixtures.find("5 of 6 not healthy", in: c) != nil)
        }
        // Without colour the selected row still stands out (reverse video).
        let mono = Fixtures.render(snap, color: false)
        let sel = try #require(Fixtures.find("▶", in: mono))
        #expect(mono[sel.x, sel.y].style.attributes.contains(.reverse))
    }

    @Test("a broken audit says NOT EXACT with the counts, in the bad style")
    func notExact() throws {
        let c = Fixtures.render(Fixtures.snapshot(exact: false))
        let at = try #require(Fixtures.find("✗ NOT EXACT", in: c))
        #expect(c[at.x, at.y].style == Theme.builtIn[.bad])
        #expect(c.row(1).contains("lost 3"))
        #expect(c.row(1).contains("✗ NOT conserved (expected 10,000,000)"))
    }

    @Test("the header says what the verdict covers and how old it is, and what the sink committed, apart")
    func verdictFreshness() throws {
        let c = Fixtures.render()
        #expect(c.row(1).contains("✓ EXACT  as of ckpt 41, 0.7s ago"))
        #expect(c.row(1).contains("sink committed 41.5M @ckpt 42"))
        let small = Fixtures.render(width: 80, height: 24)
        #expect(small.row(1).contains("✓ EXACT  as of ckpt 41, 0.7s ago"))
        #expect(small.row(1).contains("lost 0  dup 0"))
        #expect(small.row(1).contains("✓ conserved"))
    }

    @Test("a verdict older than 3 s stops saying EXACT: the audit is behind, by how much")
    func auditBehind() throws {
        var s = Fixtures.snapshot(verdictAge: 4.2)
        s.unauditedCheckpoints = 3
        let c = Fixtures.render(s)
        #expect(Fixtures.find("✓ EXACT", in: c) == nil)
        let at = try #require(Fixtures.find("⧗ AUDIT BEHIND", in: c))
        #expect(c[at.x, at.y].style == Theme.builtIn[.warning].with(.reverse))
        #expect(c.row(1).contains("by 4.2s: last exact ckpt 41, 3 ckpts unaudited"))
        // Just under the limit it is still EXACT, with its age.
        #expect(Fixtures.render(Fixtures.snapshot(verdictAge: 2.9)).row(1).contains("✓ EXACT  as of ckpt 41, 2.9s ago"))
        // A stopped engine's verdict is final, whatever its age.
        var stopped = Fixtures.snapshot(verdictAge: 30)
        stopped.running = false
        #expect(Fixtures.render(stopped).row(1).contains("✓ EXACT  at ckpt 41 (final)"))
    }

    @Test("an auditor that cannot read the sink is shown as such, never as EXACT")
    func auditFailed() throws {
        var s = Fixtures.snapshot()
        s.auditError = "sink.db: database disk image is malformed"
        let c = Fixtures.render(s)
        #expect(Fixtures.find("✓ EXACT", in: c) == nil)
        let at = try #require(Fixtures.find("✗ AUDIT FAILED", in: c))
        #expect(c[at.x, at.y].style == Theme.builtIn[.bad])
        #expect(c.row(1).contains("malformed"))
    }

    @Test("the throughput panel: labels say read and committed; the y axis fits its labels; a spike does not rescale the minute")
    func throughputAxis() throws {
        var s = Fixtures.snapshot()
        s.producedPerSecond = 41_000_000
        s.committedPerSecond = 40_000_000
        s.history = (0..<60).map { i in
            ClusterSnapshot.HistoryPoint(time: Double(i) + 1, produced: i == 30 ? 500_000_000 : 41_000_000, committed: 40_000_000, audited: 40_000_000)
        }
        let c = Fixtures.render(s)
        #expect(Fixtures.find("━ read 41.0M/s", in: c) != nil)
        #expect(Fixtures.find("━ committed 40.0M/s", in: c) != nil)
        let top = try #require(Fixtures.find("50M┤", in: c), "the axis tops out at 50M, not at the 500M spike")
        #expect(Fixtures.find("25M┤", in: c) != nil, "the middle label is whole: 25M")
        #expect(Fixtures.find("…┤", in: c) == nil)
        #expect(top.y > 0)
        #expect(Format.axis(50_000_000) == "50M")
        #expect(Format.axis(2_500_000) == "2.5M")
        #expect(Format.axis(100_000_000) == "100M")
        #expect(Format.axis(0) == "0")
    }

    @Test("while the engine stops, the header says which step it is in")
    func stopping() throws {
        var s = Fixtures.snapshot()
        s.stopPhase = .auditing
        #expect(Fixtures.render(s).row(0).contains("stopping: auditing the rest…"))
        var held = Fixtures.snapshot()
        held.heldForAudit = true
        #expect(Fixtures.render(held).row(0).contains("⏸ sources wait for the audit"))
    }

    @Test("a full disk is in the header, with how long, until a checkpoint stores again; at 80 columns too")
    func diskFull() throws {
        var s = Fixtures.snapshot()
        s.diskFullSince = 58.5
        #expect(Fixtures.render(s).row(0).contains("✗ DISK FULL 2.50s: checkpoints fail"))
        let small = Fixtures.render(s, width: 80, height: 24)
        #expect(small.row(0).contains("DISK FULL") && small.row(0).contains("RUNNING"))
        #expect(!Fixtures.render(Fixtures.snapshot()).row(0).contains("DISK FULL"))
    }

    @Test("80x24 fits: every panel present, low-priority columns dropped, long text cut with …")
    func small() throws {
        let long = EngineEvent(time: 3, kind: .error, message: String(repeating: "very long message ", count: 10))
        var events = DashboardState()
        events.bottom = .events
        let c = Fixtures.render(Fixtures.snapshot(events: [long]), state: events, width: 80, height: 24)
        #expect(c.width == 80 && c.height == 24)
        #expect(Fixtures.find("Nodes", in: c) != nil)
        #expect(Fixtures.find("Throughput", in: c) != nil)
        #expect(Fixtures.find("Checkpoints", in: c) != nil)
        #expect(Fixtures.find("Events", in: c) != nil)
        #expect(Fixtures.find("standby", in: c) == nil, "low-priority columns go first")
        #expect(Fixtures.find("updates/s", in: c) != nil)
        for n in 0..<6 { #expect(Fixtures.find(" \(n) ● healthy", in: c) != nil, "node \(n)") }
        let row = try #require(Fixtures.find("very long", in: c))
        #expect(c.row(row.y).contains("…│"))
        // Borders close on the right edge of every panel row.
        for y in 2..<23 where c.row(y).hasPrefix("│") || c.row(y).hasPrefix("╭") || c.row(y).hasPrefix("╰") {
            let last = c[79, y].character
            #expect(["│", "╮", "╯"].contains(last), "row \(y): \(c.row(y))")
        }
    }

    @Test("below 80x24 a centred message gives the current and the needed size")
    func tooSmall() {
        let c = Fixtures.render(width: 60, height: 20)
        #expect(Fixtures.find("Terminal too small", in: c) != nil)
        #expect(Fixtures.find("60x20, needs at least 80x24", in: c) != nil)
        let tiny = Fixtures.render(width: 5, height: 2)
        #expect(tiny.width == 5)
    }

    @Test("overlays: help lists every key; confirmation; command line; frozen; messages")
    func overlays() throws {
        var s = DashboardState()
        s.overlay = .help
        let help = Fixtures.render(state: s)
        for (keys, action) in KeyTable.helpLines {
            #expect(Fixtures.find(keys, in: help) != nil, "\(keys)")
            #expect(Fixtures.find(String(action.prefix(20)), in: help) != nil, "\(action)")
        }
        s.overlay = .confirm(.wipeDisk(3), prompt: "Wipe node 3's disk? Every shard on it is deleted.")
        let confirm = Fixtures.render(state: s)
        #expect(Fixtures.find("Wipe node 3's disk?", in: confirm) != nil)
        #expect(confirm.row(39).contains("y yes, do it"))
        s.overlay = .commandLine("corrupt shard 4")
        let cmd = Fixtures.render(state: s)
        #expect(cmd.row(39).hasPrefix(":corrupt shard 4▏"))
        s.overlay = .none
        s.frozen = true
        s.say("view frozen", at: 60)
        let frozen = Fixtures.render(state: s)
        #expect(frozen.row(0).contains("❄ FROZEN"))
        #expect(frozen.row(39).contains("view frozen"))
        s.frozen = false
        s.say("kill 9: node 9 does not exist", error: true, at: 10)
        let err = Fixtures.render(state: s)
        let at = try #require(Fixtures.find("✗", in: err))
        #expect(at.y == 39)
        #expect(err[at.x, at.y].style == Theme.builtIn[.bad])
    }

    @Test("disk and checkpoint shard health: bad, repaired")
    func shardHealth() throws {
        var nodes = (0..<6).map { Fixtures.node($0) }
        nodes[1].badDiskShards = 1
        nodes[2].lastDiskRepair = 58
        var snap = Fixtures.snapshot(nodes: nodes)
        snap.checkpoints[1].healthyShards = 5
        let c = Fixtures.render(snap)
        let bad = try #require(Fixtures.find("✗ 2/3 bad", in: c))
        #expect(c[bad.x, bad.y].style.foreground == Theme.builtIn[.integrityBad].foreground)
        #expect(Fixtures.find("↺ 3/3 fixed", in: c) != nil)
        #expect(Fixtures.find("! 5/6", in: c) != nil)
        #expect(Fixtures.find("DEGRADED", in: c) != nil)
    }

    @Test("a live drill shows its progress, caption, next step and verdict")
    func drill() {
        let d = ViewModel.DrillStatus(name: "kill-one", elapsed: 4.2, duration: 20, caption: "Node 2 dies without warning.", next: (15, "heal all"), verdict: nil)
        let c = Fixtures.render(drill: d)
        #expect(c.row(0).contains("drill kill-one"))
        #expect(c.row(2).contains("kill-one 4.20s/20.0s"))
        #expect(c.row(2).contains("Node 2 dies without warning."))
        #expect(c.row(2).contains("next at 15.0s: heal all"))
        var done = d
        done.verdict = (true, "6 of 6 expectations hold")
        #expect(Fixtures.render(drill: done).row(2).contains("✓ DRILL PASSED"))
    }

    @Test("the same view model renders the same cells")
    func deterministic() {
        #expect(Fixtures.render() == Fixtures.render())
    }
}

@Suite("Help at 80x24")
struct SmallHelpTests {
    @Test("every key fits on the help at 80x24 (two columns)")
    func smallHelp() {
        var s = DashboardState()
        s.overlay = .help
        let c = Fixtures.render(state: s, width: 80, height: 24)
        for (keys, action) in KeyTable.helpLines {
            #expect(Fixtures.find(keys, in: c) != nil, "\(keys)")
            #expect(Fixtures.find(String(action.prefix(12)), in: c) != nil, "\(action)")
        }
        #expect(Fixtures.find("commands", in: c) != nil)
    }
}
