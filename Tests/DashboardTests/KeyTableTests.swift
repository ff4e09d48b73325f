@testable import Dashboard
import Engine
import Foundation
import Testing

@Suite("The key table: handler, help, footer, --help and docs/keys.md from one declaration")
struct KeyTableTests {
    static var keysDoc: String { Fixtures.root + "/docs/keys.md" }

    @Test("docs/keys.md is the table rendered (FIREDRILL_WRITE_KEYS=1 rewrites it)")
    func docsCurrent() throws {
        let want = KeyTable.markdown
        if ProcessInfo.processInfo.environment["FIREDRILL_WRITE_KEYS"] == "1" {
            try want.write(toFile: Self.keysDoc, atomically: true, encoding: .utf8)
        }
        let have = FileManager.default.contents(atPath: Self.keysDoc).map { String(decoding: $0, as: UTF8.self) }
        #expect(have == want, "docs/keys.md is out of date: FIREDRILL_WRITE_KEYS=1 swift test --filter KeyTableTests")
        for b in KeyTable.all { #expect(want.contains("`\(b.label)`") && want.contains(b.help), "\(b.label)") }
    }

    /// The footer row's hints, split where two spaces part them, after any mode pills.
    static func footerHints(_ c: Canvas) -> [String] {
        c.row(c.height - 1).components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    @Test("the footer at 80, 120 and 200 columns: whole hints only, ? always, the most important first", arguments: [80, 120, 200])
    func footerFits(width: Int) {
        for mode in KeyMode.allCases {
            for readOnly in [false, true] {
                var state = DashboardState()
                state.readOnly = readOnly || mode == .replay
                state.replay = mode == .replay
                var snapshot = Fixtures.snapshot()
                if mode == .attached { snapshot.attached = AttachedCluster(kind: "flink", url: "http://localhost:8081") }
                let c = Fixtures.render(snapshot, state: state, width: width, height: 40)
                let whole = Set(KeyTable.footer(mode, readOnly: state.readOnly).map { "\($0.key) \($0.action)" })
                let shown = Self.footerHints(c).filter { !$0.hasPrefix("READ-ONLY") && !$0.contains("REPLAY") }
                #expect(shown.first == "? help", "\(mode) \(width): \(c.row(39))")
                for h in shown { #expect(whole.contains(h), "\(mode) \(width): '\(h)' is not a whole hint in \(c.row(39))") }
                #expect(c.row(39).unicodeScalars.count <= width)
                if width >= 120 && mode != .replay { #expect(shown.contains(": command") && shown.contains("Tab log"), "\(mode): \(c.row(39))") }
                if width >= 200 { #expect(shown.count == whole.count, "\(mode) \(width): every hint fits: \(c.row(39))") }
                if state.readOnly { #expect(!shown.contains("K kill") && !shown.contains("H heal")) }
            }
        }
    }

    @Test("a live drill's pause key comes right after quit, the presenter's pace after it, and says when it resumes")
    func drillHints() {
        let d = ViewModel.DrillStatus(name: "kill-one", elapsed: 4.2, duration: 20, caption: "", next: nil, verdict: nil)
        var state = DashboardState()
        #expect(Array(Self.footerHints(Fixtures.render(state: state, width: 80, drill: d)).prefix(3)) == ["? help", "q quit", "p pause drill"])
        state.schedulePaused = true
        state.presenter = true
        #expect(Array(Self.footerHints(Fixtures.render(state: state, width: 80, drill: d)).prefix(4)) == ["? help", "q quit", ". resume drill", "[ ] pace"])
        #expect(!Self.footerHints(Fixtures.render(state: state, width: 80)).contains("[ ] pace"), "no drill, no drill keys")
    }

    @Test("fitting skips what does not fit and takes a smaller hint after it; ranks tie in the table's order")
    func fitting() {
        let hints = [KeyTable.Hint("?", "help", priority: 0), KeyTable.Hint("N", "partition", priority: 1), KeyTable.Hint("q", "quit", priority: 2),
                     KeyTable.Hint("a", "first", priority: 3), KeyTable.Hint("b", "second", priority: 3)]
        #expect(KeyTable.fitted(hints, width: 16).map(\.key) == ["?", "q"])
        #expect(KeyTable.fitted(hints, width: 6).map(\.key) == ["?"])
        #expect(KeyTable.fitted(hints.reversed(), width: 100).map(\.key) == ["?", "N", "q", "b", "a"])
    }

    @Test("every press in the table reaches the handler; no key means two things under one condition")
    func pressesHandled() {
        var seen: [String] = []
        for b in KeyTable.all {
            for p in b.presses {
                let id = "\(p.key) \(p.condition)"
                #expect(!seen.contains(id), "\(id) is bound twice")
                seen.append(id)
                let replay = p.condition == .replay, presenter = p.condition == .presenter
                #expect(KeyTable.action(for: p.key, replay: replay, presenter: presenter) == p.action, "\(b.label)")
            }
        }
        #expect(KeyTable.action(for: .character("g"), replay: true, presenter: false) == .seekStart)
        #expect(KeyTable.action(for: .character("g"), replay: false, presenter: false) == .firstNode)
        #expect(KeyTable.action(for: .character(" "), replay: false, presenter: true) == .togglePause)
        #expect(KeyTable.action(for: .character(" "), replay: false, presenter: false) == .freeze)
        #expect(KeyTable.action(for: .character("z"), replay: false, presenter: false) == nil)
        #expect(Set(DashboardState.faultKeys.keys) == ["K", "P", "S", "B", "N", "D", "W", "H", "c", "r"])
    }

    @Test("dashboard --help names every key, Tab, / , t, space and ! among them")
    func helpSummary() {
        for b in KeyTable.all { #expect(KeyTable.summary.contains("\(b.label) \(b.name)")) }
        for k in ["Tab", "/ filter", "t theme", "space freeze", "! abort"] { #expect(KeyTable.summary.contains(k), "\(k)") }
    }
}
