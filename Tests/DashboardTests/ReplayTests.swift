@testable import Dashboard
@testable import Drills
@testable import Engine
import Foundation
import Synchronization
import Testing

/// `firedrill replay`: the position moves with a clock, pauses, steps, seeks and stops at
/// the end; the keys map to seeks; the screen says it is a replay and changes nothing.
@Suite("Replay")
struct ReplayTests {
    /// A wall clock the test moves.
    final class FakeClock: Sendable {
        let now = Mutex(100.0)
        func advance(_ s: Double) { now.withLock { $0 += s } }
        var read: @Sendable () -> Double { { [self] in now.withLock { $0 } } }
    }

    /// A 10-second simulated record with a kill at 3 s.
    static func recording() throws -> Recording {
        let path = NSTemporaryDirectory() + "firedrill-replay-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        let probe = Drill(name: "p", description: "", duration: 1, job: Drill.Job(), steps: [], expect: Expectations(), source: "t")
        let target = try DrillTarget.simulated(probe, seed: 3)
        let record = try DrillRecord(path: path, header: RecordHeader(config: target.engine.config, replicas: 1, runtime: "simulated", title: "payments (replay test)"))
        for tick in 1...100 {
            target.advance(to: Double(tick) * 0.1)
            if tick == 30 { try target.apply(.kill(2)) }
            record.writeNewEvents(target.events())
            record.writeReceipts(target.receipts(), time: target.now)
            if tick % 2 == 0 { target.recordSnapshot(into: record) }
        }
        try record.close()
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try RecordReader.read(path)
    }

    @Test("time runs with the clock at the chosen speed, pauses, and stops by itself at the end")
    func clock() throws {
        let r = try Self.recording()
        let clock = FakeClock()
        let replay = ReplaySource(r, clock: clock.read)
        #expect(abs(replay.now - r.start) < 1e-9 && !replay.isPaused)
        clock.advance(2)
        #expect(abs(replay.now - (r.start + 2)) < 1e-9)
        try replay.setSpeed(2)
        clock.advance(1)
        #expect(abs(replay.now - (r.start + 4)) < 1e-9)
        #expect(throws: SpeedError(speed: 20)) { try replay.setSpeed(20) }
        replay.setPaused(true)
        clock.advance(5)
        #expect(abs(replay.now - (r.start + 4)) < 1e-9)
        replay.setPaused(false)
        clock.advance(100)
        _ = replay.snapshot()
        #expect(replay.isPaused && replay.now == r.end)
        // Playing on from the end starts over.
        replay.setPaused(false)
        #expect(abs(replay.now - r.start) < 1e-9)
        #expect(replay.stepSpeed(faster: true) == 5 && replay.stepSpeed(faster: false) == 2)
    }

    @Test("seeks stay inside the record; the screen at a seek point is the record's there")
    func seek() throws {
        let r = try Self.recording()
        let replay = ReplaySource(r, clock: FakeClock().read)
        replay.setPaused(true)
        replay.seek(by: -5)
        #expect(replay.now == r.start)
        replay.seek(to: 1e6)
        #expect(replay.now == r.end)
        replay.seek(to: 5)
        let s = replay.snapshot()
        #expect(s.receipts.count == 1 && s.receipts[0].fault == .kill(2))
        #expect(abs(s.uptime - r.frames[r.frameIndex(at: 5)].snapshot.uptime) < 1e-9)
        replay.seek(to: 2)
        #expect(replay.snapshot().receipts.isEmpty)
        // n: the next event is the kill, at 3 s; the log shows it, and nothing after it.
        let events = replay.stepToNextEvents(maxSeconds: .infinity)
        let first = try #require(events.first)
        #expect(abs(first.time - 3) < 0.01 && first.kind == .operatorAction)
        #expect(replay.snapshot().events.last?.time == events.last?.time)
    }

    @Test("a replay refuses every command and has nothing to abort")
    func changesNothing() throws {
        let replay = ReplaySource(try Self.recording())
        #expect(throws: CommandError.self) { try replay.apply(.kill(1)) }
        #expect(replay.abort().contains("nothing to abort"))
        #expect(replay.drillStatus() == nil)
    }

    @Test("← → seek 5 s everywhere; g G go to the start and end in a replay, else select nodes")
    func keys() {
        let context = DashboardState.Context(nodes: 6, shards: 6, latestCheckpoint: 41)
        var live = DashboardState()
        #expect(live.handle(.left, context: context, now: 1) == [.seek(-5)])
        #expect(live.handle(.right, context: context, now: 1) == [.seek(5)])
        #expect(live.handle(.character("G"), context: context, now: 1).isEmpty && live.selectedNode == 5)
        var replay = DashboardState()
        replay.replay = true
        replay.readOnly = true
        #expect(replay.handle(.character("G"), context: context, now: 1) == [.seekEdge(end: true)])
        #expect(replay.handle(.character("g"), context: context, now: 1) == [.seekEdge(end: false)])
        #expect(replay.handle(.end, context: context, now: 1).isEmpty && replay.selectedNode == 5)
        #expect(replay.handle(.character("K"), context: context, now: 1).isEmpty)
        #expect(replay.message?.text.contains("a replay changes nothing") == true)
    }

    @Test("the header and footer say it is a replay, where it stands and the keys that move it")
    func screen() throws {
        let r = try Self.recording()
        var state = DashboardState()
        state.replay = true
        state.readOnly = true
        state.timePaused = true
        var vm = ViewModel(snapshot: r.snapshot(at: 5), state: state, theme: .builtIn, job: Fixtures.job)
        vm.speed = 1
        vm.replay = ViewModel.ReplayStatus(file: "run.jsonl", position: 5, end: r.end)
        var c = Canvas(width: 120, height: 40)
        DashboardView.render(vm, into: &c)
        #expect(c.row(0).contains("‖ REPLAY 5.00s / 10.0s"))
        #expect(c.row(39).contains("‖ REPLAY PAUSED: . plays, n steps"))
        #expect(c.row(39).contains("←→ 5 s") && !c.row(39).contains("K kill"))
        #expect(Fixtures.find("#1 kill node 2", in: c) != nil)
        // The job's words give way: the header's right side never covers the state, and a
        // piece that does not fit drops whole (no "· 1 s" left of "1 standby").
        #expect(c.row(0).contains("● RUNNING"))
        #expect(c.row(0).contains("RS(4+2)   up") || c.row(0).contains("RS(4+2) · 1 standby   up"), "\(c.row(0))")
        var narrow = Canvas(width: 90, height: 40)
        DashboardView.render(vm, into: &narrow)
        #expect(narrow.row(0).contains("‖ REPLAY") && narrow.row(0).contains("RUNNING") && !narrow.row(0).contains(" · 1 s"))
    }
}
