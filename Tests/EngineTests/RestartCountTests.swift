@testable import Engine
import Testing

/// The restarts a node row shows are a count since the start: a heal (which ends a quarantine and
/// clears the supervisor's intensity window) never takes them back.
@Suite("Restarts never decrease")
struct RestartCountTests {
    @Test("a kill counts one restart; H (heal all) keeps it; a second kill makes two")
    func healKeepsRestarts() throws {
        let s = try SimulatedFaultTests.sim()
        try s.apply(.kill(2))
        s.run(for: 1)
        #expect(s.snapshot().nodes[2].restarts == 1)
        var shown = s.snapshot().nodes.map(\.restarts)
        try s.apply(.heal(nil))
        for _ in 0..<10 {
            s.run(for: 0.1)
            let now = s.snapshot().nodes.map(\.restarts)
            for i in now.indices { #expect(now[i] >= shown[i], "node \(i) went from \(shown[i]) to \(now[i])") }
            shown = now
        }
        #expect(s.snapshot().nodes[2].restarts == 1)
        try s.apply(.kill(2))
        s.run(for: 1)
        #expect(s.snapshot().nodes[2].restarts == 2)
        #expect(s.finish().exact)
    }
}
