@testable import Drills
import Engine
import Foundation
import Testing

/// Both runtimes drive one control plane, so each built-in drill tells the same story on
/// both: the same kinds of event and the same restore sources. The table is shared with
/// the threaded end-to-end test (`scripts/drill-e2e.sh` checks `drill --all --report`
/// against the same file).
@Suite("Runtime parity")
struct DrillParityTests {
    struct Entry: Decodable {
        var events: [String]
        var restoredFrom: [String]
    }

    static func table() throws -> [String: Entry] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("DrillParity.json")
        return try JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: url))
    }

    @Test("the table covers every built-in drill")
    func coversEveryDrill() throws {
        #expect(Set(try Self.table().keys) == Set(BuiltInDrills.engine.map(\.name)))
    }

    @Test("every built-in drill, simulated, shows the table's event kinds and restore sources", arguments: BuiltInDrills.engine.map(\.name))
    func simulatedMatchesTable(name: String) throws {
        let entry = try #require(try Self.table()[name])
        let drill = try #require(try BuiltInDrills.drill(name))
        let result = DrillRunner(drill: drill).run(on: try DrillTarget.simulated(drill, seed: drill.job.seed))
        #expect(result.passed, "\(name): \(result.verdicts.filter { !$0.passed }.map(\.name))")
        #expect(result.measurements.seenEvents.map(\.rawValue).sorted() == entry.events.sorted(), "\(name) events")
        #expect(result.measurements.restoredFrom.map(\.rawValue) == entry.restoredFrom, "\(name) restore sources")
    }
}
