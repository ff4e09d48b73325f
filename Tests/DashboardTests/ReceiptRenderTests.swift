@testable import Dashboard
@testable import Engine
import Testing

/// The receipts panel, the fault bands, the read-only footer, the filter and the presenter
/// caption, rendered into memory.
@Suite("Receipts, bands and modes on screen")
struct ReceiptRenderTests {
    /// Receipts as the engine builds them, from typed events (snapshot time 61 s).
    static func receipts() -> [FaultReceipt] {
        var b = ReceiptBook()
        func log(_ t: Double, _ d: EngineEvent.Detail, node: Int? = nil) { b.record(EngineEvent(time: t, node: node, d)) }
        var v = AuditVerdict.initial(expectedMoney: 10_000_000)
        // 1: a kill, proved (self-healing, replication, checkpoint, audit).
        log(20, .command(.kill(2)))
        log(20.14, .nodeDown(node: 2, phi: 8.3, silence: 0.183))
        log(20.14, .restartScheduled(node: 2, backoff: 0))
        log(20.14, .recoveryBegan(reason: "node 2 down"))
        log(20.146, .rolledBack(checkpoint: 30, seconds: 0.006, sources: [.local, .local, .standby(peer: 3), .local, .local, .local]))
        log(20.88, .caughtUp(after: 0.74))
        b.checkpointBegan(31, at: 21)
        v.checkpoint = 31
        b.audited(v, at: 22.1)
        // 2: beyond tolerance (erasure code could not).
        log(30, .command(.corruptShard(.id(33), 0)))
        log(30.05, .shardBad(checkpoint: 33, shard: 0, node: 2, why: "bad"))
        log(30.05, .shardUnrepairable(checkpoint: 33, shard: 0, why: "only 3 intact shards, 4 needed to repair"))
        // 3: a slow node healed, never marked down (a step that did not happen).
        log(40, .command(.slow(4, 0.005)))
        log(45, .command(.heal(4)))
        // 4: a bit flip at the right edge, still pending (nothing on the link yet).
        log(60.5, .command(.corruptFrame(1)))
        return b.receipts
    }

    static func snapshot() -> ClusterSnapshot {
        var s = Fixtures.snapshot()
        s.receipts = receipts()
        s.recoveries = [ClusterSnapshot.Recovery(reason: "node 2 down", detect: 0.14, restore: 0.006, replay: 0.74, checkpoint: 30, sources: [], at: 20.14)]
        return s
    }

    @Test("the receipts panel: newest open with a line per step (time since the fault, technique in its colour), the others on one line each")
    func panel() throws {
        var state = DashboardState()
        state.receiptSelection = 3  // the kill, oldest
        let c = Fixtures.render(Self.snapshot(), state: state)
        let t = Theme.builtIn
        #expect(Fixtures.find("Fault receipts (newest first)", in: c) != nil)
        let head = try #require(Fixtures.find("▸ #1 kill node 2 · at 20.0s", in: c))
        #expect(c.row(head.y).contains("✓ PROVED: NOTHING LOST"))
        let down = try #require(Fixtures.find("down after 140 ms (phi 8.3, 183 ms without a heartbeat)", in: c))
        let healing = try #require(Fixtures.find("self-healing", in: c))
        #expect(healing.y == down.y && c[healing.x, healing.y].style == t[.techniqueSelfHealing])
        #expect(c.row(down.y).contains("+140 ms"))
        let standby = try #require(Fixtures.find("restored from the standby copy on node 3 in 6 ms (checkpoint 30)", in: c))
        let replication = try #require(Fixtures.find("replication", in: c))
        #expect(replication.y == standby.y && c[replication.x, replication.y].style == t[.techniqueReplication])
        #expect(Fixtures.find("caught up after 740 ms of replay", in: c) != nil)
        let proof = try #require(Fixtures.find("✓ audited exact at checkpoint 31, 1.22 s later", in: c))
        #expect(c[proof.x, proof.y].style == t[.ok])
        // The others, one line each, newest first, with their state glyph.
        let flip = try #require(Fixtures.find("… #4 flip a bit on node 1's link", in: c))
        let slow = try #require(Fixtures.find("⧗ #3 slow node 4 by 5 ms a batch", in: c))
        let rot = try #require(Fixtures.find("✗ #2 rot shard 0 of checkpoint 33", in: c))
        #expect(flip.y < slow.y && slow.y < rot.y && rot.y < head.y)
        #expect(c.row(slow.y).contains("never down"))
        #expect(c.row(rot.y).contains("✗ unrepairable"))
    }

    @Test("every state opens readably: pending says what it waits for, beyond tolerance says so, a step that did not happen says so")
    func states() throws {
        var state = DashboardState()
        let snap = Self.snapshot()
        state.receiptSelection = 0
        var c = Fixtures.render(snap, state: state)
        #expect(Fixtures.find("… IN PROGRESS", in: c) != nil)
        #expect(Fixtures.find("armed: the next frame on node 1's link gets a flipped bit", in: c) != nil)
        state.receiptSelection = 1
        c = Fixtures.render(snap, state: state)
        #expect(Fixtures.find("never marked down: it kept heartbeating", in: c) != nil)
        #expect(Fixtures.find("REPAIRED · AUDIT PENDING", in: c) != nil)
        #expect(Fixtures.find("waiting for the next checkpoint to audit", in: c) != nil)
        state.receiptSelection = 2
        c = Fixtures.render(snap, state: state)
        let badge = try #require(Fixtures.find("✗ BEYOND TOLERANCE", in: c))
        #expect(c[badge.x, badge.y].style == Theme.builtIn[.bad].with(.bold))
        #expect(Fixtures.find("cannot be rebuilt: only 3 intact shards, 4 needed to repair (beyond tolerance)", in: c) != nil)
        let code = try #require(Fixtures.find("erasure code", in: c))
        #expect(c[code.x, code.y].style == Theme.builtIn[.techniqueErasureCode])
    }

    @Test("no receipts yet: the panel says which keys break what")
    func empty() {
        let c = Fixtures.render()
        #expect(Fixtures.find("No faults yet.", in: c) != nil)
        #expect(Fixtures.find("K kill · P hang · B flip a bit on a link · D rot a shard · W wipe a disk", in: c) != nil)
    }

    /// The plot's cells in the row of the `-60s` axis label, and the plot's rows.
    static func plot(_ c: Canvas) throws -> (axisY: Int, x0: Int, x1: Int, top: Int) {
        let axis = try #require(Fixtures.find("└-60s", in: c))
        let now = try #require(Fixtures.find("now│", in: c))
        let legend = try #require(Fixtures.find("━ read", in: c) ?? Fixtures.find("⣿ read", in: c))
        return (axis.y, axis.x + 1, now.x + 2, legend.y + 1)
    }

    @Test("bands: each fault shaded from injected to healed with its label, one still open reaches now, a recovery marked on the axis")
    func bands() throws {
        let c = Fixtures.render(Self.snapshot())
        let p = try Self.plot(c)
        let band = Theme.builtIn[.graphBand].background
        // The kill: 20.0 to 20.88 s of a minute ending at 61 s.
        let width = p.x1 - p.x0 + 1
        let killX = p.x0 + Int(((20.0 - 1) / 60 * Double(width - 1)).rounded())
        #expect(c[killX, p.axisY - 1].style.background == band)
        #expect(c[killX - 3, p.axisY - 1].style.background != band)
        #expect(c.row(p.top).contains("kill 2") || c.row(p.top + 1).contains("kill 2"))
        // The bit flip, still open, reaches the right edge.
        #expect(c[p.x1, p.axisY - 1].style.background == band)
        #expect(c.row(p.top).contains("flip 1") || c.row(p.top + 1).contains("flip 1"))
        // The recovery at 20.14 s.
        let mark = try #require(Fixtures.find("↻", in: c))
        #expect(mark.y == p.axisY && abs(mark.x - killX) <= 1)
    }

    @Test("bands at the edges: one that began before the minute is cut at the left with ◂; without colour bands underline")
    func edges() throws {
        var s = Self.snapshot()
        s.uptime = 81.5  // the kill (20–20.88 s) ended before the minute (21.5–81.5 s)
        s.history = s.history.map { var h = $0; h.time += 19; return h }
        var c = Fixtures.render(s)
        #expect(Fixtures.find("kill 2", in: c) == nil, "a band wholly before the minute is gone")
        #expect(Fixtures.find("◂slow 4", in: c) == nil)
        s.uptime = 100  // the slow node's band (40–45 s) is inside 40–100: at the left edge
        c = Fixtures.render(s)
        let p = try Self.plot(c)
        #expect(c[p.x0, p.axisY - 1].style.background == Theme.builtIn[.graphBand].background)
        s.uptime = 102
        c = Fixtures.render(s)
        let label = try #require(Fixtures.find("◂slow 4", in: c))
        #expect(label.x == p.x0)
        let mono = Fixtures.render(Self.snapshot(), color: false)
        let q = try Self.plot(mono)
        #expect(mono[q.x1, q.axisY - 1].style.attributes.contains(.underline))
    }

    @Test("read-only: the footer says so before the hints, and leaves the fault keys out")
    func readOnlyFooter() throws {
        var state = DashboardState()
        state.readOnly = true
        let c = Fixtures.render(state: state)
        let badge = try #require(Fixtures.find("READ-ONLY: fault keys off", in: c))
        #expect(badge.y == 39 && badge.x <= 1)
        #expect(!c.row(39).contains("K kill") && !c.row(39).contains("W wipe"))
        #expect(c.row(39).contains("? help"))
        #expect(Fixtures.find("This session is read-only: faults come only from a drill playing.", in: c) != nil)
        #expect(Fixtures.find("K kill · P hang", in: c) == nil, "no hint at keys that are off")
    }

    @Test("the filter: receipts and events of node 2 only; a filter matching nothing says so")
    func filter() throws {
        var state = DashboardState()
        state.filter = "n2"
        var c = Fixtures.render(Self.snapshot(), state: state)
        #expect(Fixtures.find("#1 kill node 2", in: c) != nil && Fixtures.find("#2 rot shard 0", in: c) != nil)
        #expect(Fixtures.find("slow node 4", in: c) == nil && Fixtures.find("node 1's link", in: c) == nil)
        #expect(Fixtures.find("2 of 4 match 'n2'", in: c) != nil)
        #expect(Fixtures.find("/ n2 · Esc clears", in: c) != nil)
        state.bottom = .events
        state.filter = "detection"
        c = Fixtures.render(Self.snapshot(), state: state)
        #expect(Fixtures.find("node 2 is down", in: c) != nil && Fixtures.find("rolled back to checkpoint 38", in: c) == nil)
        state.filter = "zzz"
        c = Fixtures.render(Self.snapshot(), state: state)
        #expect(Fixtures.find("No event matches 'zzz' (text 'zzz'). Esc clears the filter.", in: c) != nil)
        state.bottom = .receipts
        c = Fixtures.render(Self.snapshot(), state: state)
        #expect(Fixtures.find("No receipt matches 'zzz'", in: c) != nil)
    }

    @Test("presenter: a drill step's caption large over the graph for a few seconds")
    func caption() throws {
        var state = DashboardState()
        state.presenter = true
        var d = ViewModel.DrillStatus(name: "kill-one", elapsed: 4, duration: 8, caption: "Node 2 dies: watch the detector notice.", next: (6, "heal all"), verdict: nil)
        d.captionAt = 3
        func rows(_ c: Canvas) -> [Int] { (0..<c.height).filter { c.row($0).contains("Node 2 dies: watch the detector notice.") } }
        var c = Fixtures.render(state: state, drill: d)
        #expect(rows(c).count == 2, "the drill strip and the banner")
        let y = try #require(rows(c).last)
        #expect(y > 3)
        let x = Array(c.row(y).unicodeScalars).firstIndex(of: "N") ?? 0
        #expect(c[x, y].style.attributes.contains(.bold))
        #expect(Fixtures.find("kill-one · 3.00s", in: c) != nil)
        d.elapsed = 3 + PresenterCaption.seconds + 0.1
        c = Fixtures.render(state: state, drill: d)
        #expect(rows(c) == [2], "only the drill strip keeps it")
    }
}
