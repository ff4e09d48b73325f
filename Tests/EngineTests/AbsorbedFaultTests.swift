@testable import Engine
import Testing

/// A fault that lands while a recovery is already under way belongs to that recovery, never
/// to a later, unrelated detection of the same node.
@Suite("Absorbed faults")
struct AbsorbedFaultTests {
    static let ms: UInt64 = 1_000_000

    func config() -> JobConfig {
        var c = JobConfig()
        c.nodes = 4
        c.partitions = 4
        c.checkpointInterval = 1
        return c
    }

    @Test("a kill after the recovery was ordered, restored by it from a standby copy: absorbed, its clock stopped")
    func killDuringRecovery() throws {
        var plane = ControlPlane(config: config(), startNanos: 0)
        var t: UInt64 = 0
        let beats = Array(repeating: UInt64(0), count: 4)
        func tick() -> [ControlAction] {
            t += ControlPlane.tickNanos
            let o = ControlPlane.Observation(heartbeats: beats.map { _ in t }, stalled: [false, false, false, false], offsetsRead: 100,
                                             checkpoint: .idle, heldForAudit: false, stopping: false)
            return plane.tick(at: t, o)
        }
        for _ in 0..<500 { _ = tick() }
        _ = try plane.command(.recoverNow, at: t).get()
        let order = try #require(tick().compactMap { if case let .recover(o) = $0 { o } else { nil } }.first)
        #expect(order.failed.isEmpty)
        // The operator kills node 2 while the rollback is being carried out.
        #expect(try plane.command(.kill(2), at: t + 3 * Self.ms).get() == [.kill(2)])
        let result = RecoveryResult(checkpoint: 5, newest: 5, sources: [.local, .local, .standby(peer: 3), .local], skipped: [], rebuilt: [])
        let told = plane.recovered(order, plan: result, restoreSeconds: 0.1, at: t + 100 * Self.ms)
        #expect(told.contains(.event(.faultAbsorbed(node: 2, checkpoint: 5, source: .standby(peer: 3)))), "\(told)")
        #expect(plane.faultAt[2] == nil)
        #expect(plane.conditions[2] == .alive)
    }

    @Test("a kill just before the recovery was ordered, swept into it undetected, is absorbed; an operator's restart is not")
    func killSweptIntoRecovery() throws {
        var plane = ControlPlane(config: config(), startNanos: 0)
        _ = try plane.command(.kill(3), at: 1 * Self.ms).get()
        _ = try plane.command(.restart(1), at: 1 * Self.ms).get()
        _ = try plane.command(.recoverNow, at: 2 * Self.ms).get()
        let order = RecoveryOrder(reason: "operator asked", failed: [1, 3], quarantined: [false, false, false, false], offsetsRead: 0, at: 0)
        let result = RecoveryResult(checkpoint: 5, newest: 5, sources: [.local, .standby(peer: 2), .local, .shards], skipped: [], rebuilt: [])
        let told = plane.recovered(order, plan: result, restoreSeconds: 0.1, at: 100 * Self.ms)
        #expect(told.contains(.event(.faultAbsorbed(node: 3, checkpoint: 5, source: .shards))), "\(told)")
        #expect(!told.contains { if case .event(.faultAbsorbed(1, _, _)) = $0 { true } else { false } })
    }

    @Test("a kill after the restore (its own copy restored: it was alive then) is not absorbed")
    func killAfterRestore() throws {
        var plane = ControlPlane(config: config(), startNanos: 0)
        _ = try plane.command(.recoverNow, at: 0).get()
        let order = RecoveryOrder(reason: "operator asked", failed: [], quarantined: [false, false, false, false], offsetsRead: 0, at: 0)
        _ = try plane.command(.kill(1), at: 5 * Self.ms).get()
        let result = RecoveryResult(checkpoint: 5, newest: 5, sources: [.local, .local, .local, .local], skipped: [], rebuilt: [])
        let told = plane.recovered(order, plan: result, restoreSeconds: 0.1, at: 100 * Self.ms)
        #expect(!told.contains { if case .event(.faultAbsorbed) = $0 { true } else { false } })
        #expect(plane.faultAt[1] != nil)
    }

    @Test("the receipt closes as absorbed, is proved by the audit, and a later detection of the node is unprovoked")
    func receipt() {
        var book = ReceiptBook()
        func e(_ t: Double, _ d: EngineEvent.Detail, node: Int? = nil) { book.record(EngineEvent(time: t, node: node, d)) }
        e(2.895, .nodeDown(node: 4, phi: 9.1, silence: 0.205), node: 4)
        e(2.895, .recoveryBegan(reason: "node 4 down"))
        e(3.003, .command(.kill(2)), node: 2)
        e(3.100, .rolledBack(checkpoint: 5, seconds: 0.1, sources: [.local, .local, .standby(peer: 3), .local, .standby(peer: 5), .local]))
        e(3.100, .faultAbsorbed(node: 2, checkpoint: 5, source: .standby(peer: 3)), node: 2)
        e(3.300, .caughtUp(after: 0.2))
        book.checkpointBegan(6, at: 3.4)
        var v = AuditVerdict.initial(expectedMoney: 0)
        v.checkpoint = 6
        v.exact = true
        v.moneyConserved = true
        book.audited(v, at: 3.6)
        let kill = book.receipts.first { $0.fault == .kill(2) }
        #expect(kill?.entries.contains { if case .absorbed(1, 5, .standby(peer: 3)) = $0.step { true } else { false } } == true, "\(String(describing: kill))")
        #expect(kill?.status == .proved)
        #expect(kill?.entries.contains { if case .detected = $0.step { true } else { false } } == false)
        // Sixteen seconds later node 2 is marked down with no fault: its own receipt.
        e(19.9, .nodeDown(node: 2, phi: 8.2, silence: 0.19), node: 2)
        let later = book.receipts.last
        #expect(later?.fault == nil)
        #expect(later?.node == 2)
        #expect(book.receipts.first { $0.fault == .kill(2) }?.entries.contains { if case .detected = $0.step { true } else { false } } == false)
    }
}
