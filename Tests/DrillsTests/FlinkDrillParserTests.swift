@testable import Drills
import Engine
import Flink
import Testing

@Suite("Drills on Flink: the target, its commands and its expectations")
struct FlinkDrillParserTests {
    func parse(_ text: String) throws(FileError) -> Drill { try DrillParser(file: "d.toml").parse(text) }

    @Test("the three built-in Flink drills parse, with a Flink target and commands Flink understands")
    func builtIn() throws {
        for name in ["flink-tm-kill", "flink-tm-hang", "flink-checkpoint-rot"] {
            let d = try #require(try BuiltInDrills.drill(name))
            #expect(d.flink != nil && d.flink?.url == nil, "\(name)")
            #expect(d.steps.allSatisfy { $0.command.runsOnFlink }, "\(name)")
            #expect(!BuiltInDrills.engine.contains { $0.name == name })
        }
        let kill = try #require(try BuiltInDrills.drill("flink-tm-kill"))
        #expect(kill.steps.first?.command == .kill(Command.busiest))
        #expect(kill.steps.first?.command.description == "kill busiest")
        #expect(kill.expect.flink.runningWithin == 15 && kill.expect.flink.restoredCheckpoint == .newest && kill.expect.exactlyOnce)
        let rot = try #require(try BuiltInDrills.drill("flink-checkpoint-rot"))
        #expect(rot.expect.flink.tellsTruth && !rot.expect.exactlyOnce)
        #expect(rot.steps.first?.command == .corruptCheckpoint(.latest, file: nil))
    }

    @Test("a URL target, TaskManagers by id or number, and every Flink expectation")
    func full() throws {
        let d = try parse("""
            name = "remote"
            duration = "30s"
            [target]
            kind = "flink"
            url = "http://10.0.0.5:8081"
            taskmanagers = 3
            output = "/data/out"
            kill_command = "kubectl delete pod {id}"
            [[step]]
            at = "2s"
            command = "kill tm 2"
            [[step]]
            at = "3s"
            command = "hang tm-1"
            [[step]]
            at = "4s"
            command = "savepoint"
            [expect]
            running_within = "10s"
            all_tasks_within = "12s"
            checkpoint_within = "20s"
            loss_seen_within = "6s"
            max_restarts = 2
            restored_checkpoint = "older"
            tells_truth = true
            """)
        #expect(d.flink?.url == "http://10.0.0.5:8081" && d.flink?.taskManagers == 3 && d.flink?.killCommand == "kubectl delete pod {id}")
        #expect(d.steps.map(\.command) == [.kill(2), .hang(1), .savepoint])
        let f = d.expect.flink
        #expect(f.runningWithin == 10 && f.allTasksWithin == 12 && f.checkpointWithin == 20 && f.lossSeenWithin == 6 && f.maxRestarts == 2)
        #expect(f.restoredCheckpoint == .older && f.tellsTruth)
    }

    @Test("what does not fit is refused with its line", arguments: [
        ("[target]\nkind = \"spark\"", 6, "'kind' must be \"flink\" or \"engine\""),
        ("[target]\nkind = \"flink\"\n[job]\nnodes = 3", 7, "[job] is the embedded engine's"),
        ("[target]\nkind = \"flink\"\n[expect]\nmax_detection = \"1s\"", 8, "'max_detection' is the embedded engine's"),
        ("[expect]\nrunning_within = \"1s\"", 6, "'running_within' is an expectation on Flink"),
        ("[target]\nkind = \"flink\"\nurl = \"http://h:1\"", 5, "the auditor needs the payments job's output"),
        ("[target]\nkind = \"flink\"\nurl = \"ftp://h\"", 7, "'url' must be Flink's REST URL"),
        ("[target]\nkind = \"flink\"\noutput = \"/x\"", 7, "'output' is for a cluster given by 'url'"),
        ("[target]\nkind = \"flink\"\ntaskmanagers = 9", 7, "'taskmanagers' must be 1-8"),
        ("[target]\nkind = \"flink\"\n[[step]]\nat = \"1s\"\ncommand = \"partition 1\"", 9, "has no meaning on Flink"),
        ("[target]\nkind = \"flink\"\n[[step]]\nat = \"1s\"\ncommand = \"kill tm 2\"", 9, "'2' is not a node"),
        ("[[step]]\nat = \"1s\"\ncommand = \"savepoint\"", 7, "is for a Flink cluster"),
        ("[target]\nkind = \"flink\"\n[expect]\nrestored_checkpoint = \"best\"", 8, "'restored_checkpoint' must be one of newest, corrupted, older"),
    ])
    func refused(_ body: String, _ line: Int, _ fragment: String) {
        let text = "name = \"x\"\nduration = \"10s\"\n\n\n" + body + "\n"
        do {
            _ = try parse(text)
            Issue.record("should not parse:\n\(text)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.description.contains(fragment), "\(error)")
        }
    }

    @Test("'busiest' names a TaskManager only where there are names; it reads back")
    func busiest() throws {
        #expect(try Command.parse("kill tm busiest", nodes: 2, shards: 1, names: ["tm-0", "tm-1"]) == .kill(Command.busiest))
        #expect(try Command.parse("hang busiest", nodes: 2, shards: 1, names: ["tm-0", "tm-1"]).description == "hang busiest")
        #expect(throws: CommandError.self) { try Command.parse("kill busiest", nodes: 2, shards: 1) }
        #expect(throws: CommandError.self) { try Command.parse("restart tm busiest", nodes: 2, shards: 1, names: ["tm-0", "tm-1"]) }
    }
}

@Suite("A drill on Flink is judged from what Flink did")
struct FlinkJudgeTests {
    func result(_ drill: Drill, _ o: FlinkRunOutcome, exact: Bool) -> DrillResult {
        var v = AuditVerdict.initial(expectedMoney: 0)
        v.exact = exact
        v.moneyConserved = true
        var r = DrillResult(drill: drill, runtime: "flink", verdict: v, events: [], recoveries: [], applied: [], samples: [], stepErrors: [],
                            stepEntries: [], wallSeconds: 1)
        r.judgeFlink(o)
        return r
    }

    func trial(fault: Double, running: Double?, checkpoint: Double?, before: UInt64) -> FlinkRecoveryClock.Trial {
        var t = FlinkRecoveryClock.Trial(faultAt: fault, taskManager: "tm-0", checkpointBefore: before)
        t.lossSeen = fault + 1
        t.leftRunning = fault + 1
        t.running = running
        t.allTasks = running.map { $0 + 1 }
        t.checkpoint = checkpoint
        t.checkpointId = checkpoint.map { _ in before + 3 }
        return t
    }

    @Test("a kill: every phase within its limit, the newest checkpoint restored, the auditor's counts in exactly_once")
    func kill() throws {
        let d = try #require(try BuiltInDrills.drill("flink-tm-kill"))
        var o = FlinkRunOutcome()
        o.restartsAtStart = 2
        o.restartsAtEnd = 3
        o.restored = [40]
        o.finalState = "RUNNING"
        o.trials = [trial(fault: 5, running: 7.2, checkpoint: 9.4, before: 40)]
        var live = LedgerAuditor.Verdict()
        live.transfers = 50_000
        o.live = live
        let r = result(d, o, exact: true)
        for v in r.verdicts where !v.passed { Issue.record("\(v.name): \(v.measured)") }
        #expect(r.passed)
        #expect(r.verdicts.first { $0.name == "running_within" }?.measured == "2200 ms (worst of 1)")
        #expect(r.verdicts.first { $0.name == "exactly_once" }?.measured.contains("of 50000 transfers audited") == true)

        // An older checkpoint restored, a recovery too slow, a duplicate: each fails, with what was measured.
        o.restored = [38]
        o.trials = [trial(fault: 5, running: 25, checkpoint: nil, before: 40)]
        live.duplicated = 2
        o.live = live
        let bad = result(d, o, exact: false)
        let failed = Set(bad.verdicts.filter { !$0.passed }.map(\.name))
        #expect(failed == ["exactly_once", "running_within", "checkpoint_within", "restored_checkpoint"], "\(failed)")
        #expect(bad.verdicts.first { $0.name == "checkpoint_within" }?.measured.contains("not reached") == true)
    }

    @Test("the guarded rot drill: a restore of a later checkpoint that refers to the rotten shared file counts as restoring the rot; one that does not, fails")
    func guardedIncremental() throws {
        let d = try #require(try BuiltInDrills.drill("flink-checkpoint-rot-guarded"))
        var o = FlinkRunOutcome()
        o.corrupted = [9]
        o.restored = [10]
        o.guardRepaired = [9]
        o.finalState = "RUNNING"
        o.trials = [trial(fault: 5, running: 7, checkpoint: 9, before: 9)]
        var live = LedgerAuditor.Verdict()
        live.transfers = 1000
        o.live = live
        var re = LedgerRecount()
        re.transfers = 1000
        o.recount = re
        // Checkpoint 10 completed between the rot and the kill and holds none of it.
        let missed = result(d, o, exact: true)
        #expect(missed.verdicts.first { $0.name == "restored_checkpoint" }?.passed == false)
        let rot = CheckpointRot(checkpoint: 9, file: "shared/x", path: "/j/shared/x", offset: 366, bit: 6, size: 21_297)
        o.restoredRot = [RestoredRot(checkpoint: 10, rot: rot)]
        let carried = result(d, o, exact: true)
        let v = try #require(carried.verdicts.first { $0.name == "restored_checkpoint" })
        #expect(v.passed && v.measured == "restored 10, which refers to shared/x corrupted in 9", "\(v.measured)")
        #expect(carried.passed)
        #expect(o.story.hasPrefix("Flink restored checkpoint 10, which refers to shared/x corrupted in 9 (firedrill corrupted 9)"), "\(o.story)")
    }

    @Test("the rot drill passes when the live verdict matches the recount, and a failed job names its exception")
    func rot() throws {
        let d = try #require(try BuiltInDrills.drill("flink-checkpoint-rot"))
        var o = FlinkRunOutcome()
        o.corrupted = [105]
        o.restored = [105]
        o.finalState = "RUNNING"
        var live = LedgerAuditor.Verdict()
        live.transfers = 1000
        live.duplicated = 12
        live.wrong = 3
        var re = LedgerRecount()
        re.transfers = 1000
        re.duplicated = 12
        re.wrong = 3
        o.live = live
        o.recount = re
        let silent = result(d, o, exact: false)
        #expect(silent.passed)
        #expect(o.story.contains("without a word") && o.story.contains("12 duplicated"))
        // The recount disagrees: firedrill did not tell the truth.
        o.recount?.wrong = 4
        #expect(!result(d, o, exact: false).passed)
        // A restart loop that ends FAILED passes only with the exception reported.
        o.recount = re
        o.finalState = "FAILED"
        #expect(!result(d, o, exact: false).passed)
        o.exceptions = ["exception: java.lang.Exception: Exception while creating StreamOperatorStateContext.",
                        "exception: org.apache.flink.runtime.JobException: Recovery is suppressed by FixedDelayRestartBackoffTimeStrategy"]
        #expect(result(d, o, exact: false).passed)
        #expect(o.story.contains("StreamOperatorStateContext") && o.story.contains("ended FAILED"))
    }
}
