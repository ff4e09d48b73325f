@testable import Dashboard
@testable import Engine
import Foundation

/// A cluster snapshot built by hand, for rendering tests.
enum Fixtures {
    static func node(_ id: Int, _ health: ClusterSnapshot.Health = .healthy, queue: Int = 2) -> ClusterSnapshot.Node {
        ClusterSnapshot.Node(
            id: id, state: .running, queueDepth: queue, updatesPerSecond: 2_150_000, producedPerSecond: 1_070_000,
            produced: 1000, applied: 2000, corruptFrames: 0, stateBytes: 26_624, restarts: health == .healthy ? 0 : 1,
            health: health, phi: health == .down ? 12.5 : 0.4, heartbeatAge: health == .down ? 0.42 : 0.012,
            incarnation: 1, retransmits: 0, standbyCopies: 1, diskShards: 3, badDiskShards: 0, lastDiskRepair: nil)
    }

    static func checkpoint(_ id: UInt64, _ status: ClusterSnapshot.CheckpointStatus = .complete, healthy: Int = 6, note: String = "") -> ClusterSnapshot.Checkpoint {
        ClusterSnapshot.Checkpoint(id: id, status: status, duration: status == .inProgress ? nil : 0.042, alignment: 0.003,
                                   bytes: status == .inProgress ? 0 : 160_000, shards: 6, healthyShards: healthy, note: note)
    }

    static func snapshot(nodes: [ClusterSnapshot.Node]? = nil, exact: Bool = true, events: [EngineEvent]? = nil, verdictAge: Double = 0.7) -> ClusterSnapshot {
        var verdict = AuditVerdict.initial(expectedMoney: 10_000_000)
        verdict.exact = exact
        verdict.lost = exact ? 0 : 3
        verdict.duplicated = 0
        verdict.moneyConserved = exact
        verdict.committedMoney = exact ? 10_000_000 : 9_999_100
        verdict.committedTransfers = 41_000_000
        verdict.checkpoint = 41
        let history = (0..<60).map { i in
            ClusterSnapshot.HistoryPoint(time: Double(i) + 1, produced: 12_000_000.0, committed: i < 2 ? 0.0 : 11_500_000.0, audited: i < 2 ? 0.0 : 11_400_000.0)
        }
        var s = ClusterSnapshot(
            uptime: 61, running: true, nodes: nodes ?? (0..<6).map { node($0) },
            checkpoints: [checkpoint(40), checkpoint(41), checkpoint(42, .inProgress)],
            produced: 700_000_000, applied: 1_400_000_000, producedPerSecond: 12_000_000, committedPerSecond: 11_500_000,
            latencyP50: 180_000, latencyP99: 1_400_000, runLatencyP50: 180_000, runLatencyP99: 1_400_000, audit: verdict,
            events: events ?? [
                EngineEvent(time: 0, kind: .info, message: "started 6 nodes"),
                EngineEvent(time: 50.2, node: 2, kind: .operatorAction, message: "kill 2"),
                EngineEvent(time: 50.4, node: 2, kind: .detection, message: "node 2 is down: phi 8.2 after 186 ms without a heartbeat"),
                EngineEvent(time: 50.5, kind: .recovery, message: "rolled back to checkpoint 38 in 2 ms (standby copy on node 3: 2)"),
            ],
            restoredFrom: nil, checkpointsCompleted: 41, history: history, recoveries: [], recovering: false)
        s.committedCheckpoint = 42
        s.sinkCommittedTransfers = 41_500_000
        s.newestCheckpoint = 42
        s.verdictAge = verdictAge
        s.verdictAgeP99 = 1.1
        s.unauditedCheckpoints = 1
        s.auditedPerSecond = 11_400_000
        return s
    }

    static let job = ViewModel.Job(name: "payments", nodes: 6, dataShards: 4, parityShards: 2, replicas: 1, queueCapacity: 96, expectedMoney: 10_000_000, accounts: 10_000)

    static func render(_ snapshot: ClusterSnapshot = snapshot(), state: DashboardState = DashboardState(), width: Int = 120, height: Int = 40, theme: Theme = .builtIn, color: Bool = true, drill: ViewModel.DrillStatus? = nil) -> Canvas {
        var c = Canvas(width: width, height: height)
        DashboardView.render(ViewModel(snapshot: snapshot, state: state, theme: color ? theme : theme.adapted(to: 0), job: job, drill: drill, color: color), into: &c)
        return c
    }

    /// The row holding `text`, and the column it starts at.
    static func find(_ text: String, in c: Canvas) -> (x: Int, y: Int)? {
        for y in 0..<c.height {
            let row = Array(c.row(y).unicodeScalars)
            let needle = Array(text.unicodeScalars)
            guard needle.count <= row.count else { continue }
            for x in 0...(row.count - needle.count) where Array(row[x..<(x + needle.count)]) == needle { return (x, y) }
        }
        return nil
    }

    /// The repository's root (for the shipped theme files).
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}
