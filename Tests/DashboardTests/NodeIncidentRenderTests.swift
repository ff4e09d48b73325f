@testable import Dashboard
@testable import Engine
import Testing

@Suite("A node row keeps its last incident long enough to see")
struct NodeIncidentRenderTests {
    /// A kill of node 2: the command, the detection 186 ms later, the restore from a standby 138 ms after that.
    static let killEvents = [
        EngineEvent(time: 50.0, .command(.kill(2))),
        EngineEvent(time: 50.186, .nodeDown(node: 2, phi: 8.2, silence: 0.186)),
        EngineEvent(time: 50.2, .recoveryBegan(reason: "node 2 is down")),
        EngineEvent(time: 50.324, .rolledBack(checkpoint: 38, seconds: 0.002, sources: [.local, .local, .standby(peer: 3), .local, .local, .local])),
    ]

    static func nodesRow(_ node: Int, at uptime: Double, events: [EngineEvent] = killEvents) -> (text: String, canvas: Canvas, y: Int) {
        var snap = Fixtures.snapshot(events: events)
        snap.uptime = uptime
        snap.nodes[node].restarts = 1
        var c = Canvas(width: 120, height: 10)
        let vm = ViewModel(snapshot: snap, state: DashboardState(), theme: .builtIn, job: Fixtures.job)
        NodesPanel.draw(vm, in: Rect(x: 0, y: 0, width: 120, height: NodesPanel.height(nodes: 6)), on: &c)
        let y = 2 + node
        return (c.row(y), c, y)
    }

    @Test("0.1 s, 1 s and 2.9 s after the kill's events the row reads down → standby; at 3.5 s it is healthy again")
    func heldForThreeSeconds() throws {
        let end = 50.324
        for after in [0.1, 1.0, 2.9] {
            let row = Self.nodesRow(2, at: end + after)
            let ago = Format.fixed(end + after - 50.186, 1)
            #expect(row.text.contains("✖ down \(ago)s ago → ↻ standby 138ms"), "\(after): \(row.text)")
            #expect(!row.text.contains("● healthy"), "\(after)")
            // Over, so drawn faded.
            let at = try #require(Fixtures.find("✖ down", in: row.canvas))
            #expect(row.canvas[at.x, at.y].style.attributes.contains(.dim))
            // Its peers are untouched.
            #expect(Self.nodesRow(3, at: end + after).text.contains("● healthy"))
        }
        let later = Self.nodesRow(2, at: end + 3.5)
        #expect(later.text.contains("● healthy"))
        #expect(!later.text.contains("down"))
    }

    @Test("a hang reads hung; an incident still under way is not faded")
    func hungAndUnderWay() throws {
        let events = [
            EngineEvent(time: 10.0, .command(.hang(1))),
            EngineEvent(time: 10.3, .nodeDown(node: 1, phi: 9, silence: 0.3)),
        ]
        let row = Self.nodesRow(1, at: 10.4, events: events)
        #expect(row.text.contains("‖ hung 0.1s ago"), "\(row.text)")
        let at = try #require(Fixtures.find("‖ hung", in: row.canvas))
        #expect(!row.canvas[at.x, at.y].style.attributes.contains(.dim))
    }

    @Test("an absorbed fault shows its restore source")
    func absorbed() {
        let events = [
            EngineEvent(time: 5.0, .nodeDown(node: 4, phi: 9, silence: 0.2)),
            EngineEvent(time: 5.25, .faultAbsorbed(node: 4, checkpoint: 7, source: .shards)),
        ]
        let incident = NodeIncident.latest(for: 4, in: events)
        #expect(incident?.text(at: 6.0) == "✖ down 1.0s ago → ↻ shards 250ms")
        #expect(NodeIncident.latest(for: 3, in: events) == nil)
    }
}
