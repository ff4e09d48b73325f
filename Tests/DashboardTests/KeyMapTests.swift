@testable import Dashboard
import Engine
import Testing

@Suite("Keys")
struct KeyMapTests {
    let context = DashboardState.Context(nodes: 6, shards: 6, latestCheckpoint: 41)

    func press(_ keys: [Key], on state: inout DashboardState) -> [Effect] {
        var effects: [Effect] = []
        for k in keys { effects += state.handle(k, context: context, now: 1) }
        return effects
    }

    @Test("j/k and arrows select a node within bounds; capitals act on it")
    func selection() {
        var s = DashboardState()
        #expect(press([.up, .character("k")], on: &s).isEmpty)
        #expect(s.selectedNode == 0)
        _ = press([.character("j"), .down, .down], on: &s)
        #expect(s.selectedNode == 3)
        _ = press(Array(repeating: .down, count: 10), on: &s)
        #expect(s.selectedNode == 5)
        _ = press([.character("g")], on: &s)
        #expect(s.selectedNode == 0)
        _ = press([.character("j"), .character("j")], on: &s)
        #expect(press([.character("K")], on: &s) == [.command(.kill(2))])
        #expect(press([.character("P")], on: &s) == [.command(.hang(2))])
        #expect(press([.character("S")], on: &s) == [.command(.slow(2, 0.005))])
        #expect(press([.character("B")], on: &s) == [.command(.corruptFrame(2))])
        #expect(press([.character("N")], on: &s) == [.command(.partition(2))])
        #expect(press([.character("H")], on: &s) == [.command(.heal(nil))])
        #expect(press([.character("c")], on: &s) == [.command(.checkpointNow)])
        #expect(press([.character("r")], on: &s) == [.command(.recoverNow)])
        #expect(press([.character("q")], on: &s) == [.quit])
        #expect(press([.interrupt], on: &s) == [.quit])
    }

    @Test("D corrupts the selected node's shard of the latest checkpoint")
    func corruptShard() {
        var s = DashboardState()
        s.selectedNode = 4
        let effects = press([.character("D")], on: &s)
        guard case let .command(.corruptShard(.id(id), shard)) = effects.first else {
            Issue.record("expected a corrupt shard command, got \(effects)")
            return
        }
        #expect(id == 41)
        #expect(ShardStore.disk(ofShard: shard, checkpoint: 41, nodes: 6) == 4)
        var none = DashboardState()
        #expect(none.handle(.character("D"), context: .init(nodes: 6, shards: 6, latestCheckpoint: nil), now: 1).isEmpty)
        #expect(none.message?.isError == true)
        // With more nodes than shards some disks hold none of a checkpoint.
        var wide = DashboardState()
        var found = false
        for n in 0..<8 {
            wide.selectedNode = n
            if wide.handle(.character("D"), context: .init(nodes: 8, shards: 6, latestCheckpoint: 3), now: 1).isEmpty {
                found = true
                #expect(wide.message?.text.contains("holds no shard") == true)
            }
        }
        #expect(found)
    }

    @Test("W asks first: y wipes, any other key cancels")
    func confirmation() {
        var s = DashboardState()
        s.selectedNode = 3
        #expect(press([.character("W")], on: &s).isEmpty)
        guard case .confirm(.wipeDisk(3), _) = s.overlay else { Issue.record("no confirmation: \(s.overlay)"); return }
        #expect(press([.character("n")], on: &s).isEmpty)
        #expect(s.overlay == .none)
        #expect(s.message?.text.contains("cancelled") == true)
        _ = press([.character("W")], on: &s)
        #expect(press([.character("y")], on: &s) == [.command(.wipeDisk(3))])
    }

    @Test("the command line parses typed commands, reports bad text, confirms destructive ones")
    func commandLine() {
        var s = DashboardState()
        let typed = ":kill 2".map { Key.character($0) }
        #expect(press(typed, on: &s).isEmpty)
        #expect(s.overlay == .commandLine("kill 2"))
        #expect(press([.enter], on: &s) == [.command(.kill(2))])
        #expect(s.overlay == .none)

        _ = press(":heal al".map { Key.character($0) } + [.character("x"), .backspace, .character("l")], on: &s)
        #expect(press([.enter], on: &s) == [.command(.heal(nil))])

        _ = press(":kill 9".map { Key.character($0) }, on: &s)
        #expect(press([.enter], on: &s).isEmpty)
        #expect(s.message?.isError == true)
        #expect(s.message?.text.contains("nodes are 0-5") == true)

        _ = press(":frobnicate".map { Key.character($0) } + [.enter], on: &s)
        #expect(s.message?.text.contains("unknown command") == true)

        _ = press(":corrupt shard latest 3".map { Key.character($0) }, on: &s)
        #expect(press([.enter], on: &s).isEmpty)
        guard case .confirm(.corruptShard(.latest, 3), _) = s.overlay else { Issue.record("no confirmation: \(s.overlay)"); return }
        #expect(press([.character("y")], on: &s) == [.command(.corruptShard(.latest, 3))])

        _ = press([.character(":"), .character("x"), .escape], on: &s)
        #expect(s.overlay == .none)
    }

    @Test("help, freeze, refresh and theme keys")
    func looking() {
        var s = DashboardState()
        _ = press([.character("?")], on: &s)
        #expect(s.overlay == .help)
        #expect(press([.character("K")], on: &s).isEmpty, "keys other than close do nothing under help")
        _ = press([.escape], on: &s)
        #expect(s.overlay == .none)
        _ = press([.character(" ")], on: &s)
        #expect(s.frozen)
        _ = press([.character(" ")], on: &s)
        #expect(!s.frozen)
        #expect(press([.character("+")], on: &s) == [.refreshChanged])
        #expect(s.refreshMillis == 50)
        _ = press([.character("+")], on: &s)
        #expect(s.refreshMillis == 50)
        _ = press([.character("-"), .character("-"), .character("-")], on: &s)
        #expect(s.refreshMillis == 250)
        #expect(press([.character("t")], on: &s) == [.nextTheme])
        _ = press([.tab, .pageUp, .pageUp, .pageDown], on: &s)
        #expect(s.bottom == .events && s.eventScroll == 5)
        _ = press([.character("z")], on: &s)
        #expect(s.message?.isError == true)
    }

    @Test("read-only: every fault key and command refused with a message, looking keys still work")
    func readOnly() {
        var s = DashboardState()
        s.readOnly = true
        for c in DashboardState.faultKeys.keys {
            #expect(press([.character(c)], on: &s).isEmpty, "\(c)")
            #expect(s.message?.isError == true && s.message?.text.hasPrefix("read-only session: \(c)") == true)
            #expect(s.overlay == .none, "W asks nothing either")
        }
        var typed: [Key] = [.character(":")] + "wipe 1".map { .character($0) } + [.enter]
        #expect(press(typed, on: &s).isEmpty)
        #expect(s.overlay == .none && s.message?.text == "read-only session: 'wipe 1' is not run; nothing was changed")
        typed = [.character(":")] + "kill 2".map { .character($0) } + [.enter]
        #expect(press(typed, on: &s).isEmpty)
        _ = press([.down, .tab], on: &s)
        #expect(s.selectedNode == 1 && s.bottom == .events)
        #expect(press([.character("q")], on: &s) == [.quit])
    }

    @Test("! asks, then aborts (heal all, stop the drill); any other key cancels; read-only sessions may abort too")
    func abortKey() {
        var s = DashboardState()
        s.readOnly = true
        #expect(press([.character("!")], on: &s).isEmpty && s.overlay == .confirmAbort)
        #expect(press([.character("y")], on: &s) == [.abort] && s.overlay == .none)
        _ = press([.character("!"), .character("n")], on: &s)
        #expect(s.message?.text == "abort cancelled")
    }

    @Test("presenter keys: . and space pause, [ ] pace, n steps; :speed takes a number and refuses words")
    func presenter() {
        var s = DashboardState()
        s.presenter = true
        #expect(press([.character(".")], on: &s) == [.togglePause])
        #expect(press([.character(" ")], on: &s) == [.togglePause])
        #expect(s.frozen == false)
        #expect(press([.character("["), .character("]"), .character("n")], on: &s) == [.changeSpeed(faster: false), .changeSpeed(faster: true), .stepEvent])
        #expect(press([.character(":")] + "speed 0.5x".map { .character($0) } + [.enter], on: &s) == [.setSpeed(0.5)])
        #expect(press([.character(":")] + "speed 20".map { .character($0) } + [.enter], on: &s) == [.setSpeed(20)])  // the runtime refuses it
        #expect(press([.character(":")] + "speed fast".map { .character($0) } + [.enter], on: &s).isEmpty)
        #expect(s.message?.isError == true && s.message?.text.contains("0.1×–10×") == true)
        var plain = DashboardState()
        _ = press([.character(" ")], on: &plain)
        #expect(plain.frozen, "without --presenter space freezes the view")
    }

    @Test("/ sets a filter, Esc clears it; PgUp/PgDn and the wheel select receipts; a click selects a node row")
    func filterAndMouse() {
        var s = DashboardState()
        _ = press([.character("/")] + "n2".map { .character($0) } + [.enter], on: &s)
        #expect(s.filter == "n2" && s.message?.text.contains("node 2") == true)
        _ = press([.escape], on: &s)
        #expect(s.filter == nil)
        let ctx = DashboardState.Context(nodes: 6, shards: 6, latestCheckpoint: 41, receipts: 3, nodeRows: (top: 4, count: 6))
        _ = s.handle(.pageUp, context: ctx, now: 1)
        _ = s.handle(.wheelUp, context: ctx, now: 1)
        _ = s.handle(.wheelUp, context: ctx, now: 1)
        #expect(s.receiptSelection == 2, "clamped to the oldest")
        _ = s.handle(.pageDown, context: ctx, now: 1)
        #expect(s.receiptSelection == 1)
        _ = s.handle(.click(x: 10, y: 7), context: ctx, now: 1)
        #expect(s.selectedNode == 3)
        _ = s.handle(.click(x: 10, y: 30), context: ctx, now: 1)
        #expect(s.selectedNode == 3, "a click elsewhere changes nothing")
    }
}
