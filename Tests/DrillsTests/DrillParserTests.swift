@testable import Drills
import Foundation
import Engine
import Testing

@Suite("Drill files")
struct DrillParserTests {
    func parse(_ text: String) throws(FileError) -> Drill { try DrillParser(file: "d.toml").parse(text) }

    @Test("every field of a drill file")
    func everyField() throws {
        let d = try parse("""
            name = "kill-one"
            description = "A node dies."
            duration = "20s"
            format = 1

            [job]
            nodes = 8
            rate = 250000
            accounts = 5000
            ec = "5+3"
            replicas = 2
            checkpoint_interval = "500ms"
            seed = 7

            [[step]]
            at = "3s"
            command = "kill 2"
            caption = "Node 2 dies without warning."

            [[step]]
            at = "3s"
            command = "corrupt shard latest 7"

            [[step]]
            at = "12.5s"
            command = "heal all"

            [expect]
            exactly_once = true
            money_conserved = false
            max_detection = "300ms"
            max_recovery = "1s"
            min_throughput_after = "90%"
            restored_from = "standby"        # standby | shards | previous
            events = ["node-down", "recovered"]
            absent_events = ["quarantined"]
            """)
        #expect(d.name == "kill-one")
        #expect(d.description == "A node dies.")
        #expect(d.duration == 20)
        #expect(d.job.nodes == 8 && d.job.rate == 250_000 && d.job.accounts == 5000)
        #expect(d.job.dataShards == 5 && d.job.parityShards == 3 && d.job.replicas == 2)
        #expect(d.job.checkpointInterval == 0.5 && d.job.seed == 7)
        #expect(d.steps.map(\.command) == [.kill(2), .corruptShard(.latest, 7), .heal(nil)])
        #expect(d.steps[0].caption == "Node 2 dies without warning." && d.steps[1].caption == nil)
        #expect(d.steps.map(\.line) == [16, 21, 25])
        #expect(d.expect.exactlyOnce && !d.expect.moneyConserved)
        #expect(d.expect.maxDetection == 0.3 && d.expect.maxRecovery == 1 && d.expect.minThroughputAfter == 0.9)
        #expect(d.expect.restoredFrom == .standby)
        #expect(d.expect.events == [.nodeDown, .recovered])
        #expect(d.expect.absentEvents == [.quarantined])
        let c = d.job.config
        #expect(c.partitions == 16 && c.rate == 250_000)
    }

    @Test("defaults: a minimal drill")
    func minimal() throws {
        let d = try parse("name = \"m\"\nduration = \"5s\"\n")
        #expect(d.job == Drill.Job())
        #expect(d.steps.isEmpty)
        #expect(d.expect.exactlyOnce && d.expect.moneyConserved)
        #expect(try parse("name = \"m\"\nduration = \"5s\"\n[job]\nrate = \"max\"\ncheckpoint_interval = \"off\"\n").job.rate == nil)
    }

    static let base = "name = \"x\"\nduration = \"10s\"\n"

    @Test("bad drills: an error naming the file, the line and what was expected", arguments: [
        ("duration = \"10s\"\n", 0, "missing 'name'"),
        ("name = \"x\"\n", 0, "missing 'duration'"),
        (base + "colour = \"red\"\n", 3, "unknown key 'colour'"),
        (base + "[job]\nnodes = 6\nwidgets = 3\n", 5, "unknown key 'widgets' in [job]"),
        (base + "[[step]]\nat = \"1s\"\ncommand = \"frobnicate 2\"\n", 5, "unknown command 'frobnicate'"),
        (base + "[[step]]\nat = \"1s\"\ncommand = \"kill 6\"\n", 5, "nodes are 0-5"),
        (base + "[[step]]\nat = \"1s\"\ncommand = \"corrupt shard latest 9\"\n", 5, "shards are 0-5"),
        (base + "[[step]]\nat = \"5s\"\ncommand = \"kill 1\"\n[[step]]\nat = \"2s\"\ncommand = \"kill 2\"\n", 7, "time order"),
        (base + "[[step]]\nat = \"11s\"\ncommand = \"kill 1\"\n", 4, "past the drill's duration"),
        (base + "[[step]]\nat = \"soon\"\ncommand = \"kill 1\"\n", 4, "must be a duration"),
        // Found by fuzzing (scripts/fuzz.sh drill): a 95-digit time trapped converting to Int.
        (base + "[[step]]\nat = \"" + String(repeating: "3", count: 95) + ".s\"\ncommand = \"kill 1\"\n", 4, "must be a duration"),
        (base + "[[step]]\nat = \"1s\"\ncommand = \"kill 1\"\nwhen = 3\n", 6, "unknown key 'when' in [[step]]"),
        (base + "[[step]]\ncommand = \"kill 1\"\n", 3, "missing 'at'"),
        ("name = \"x\"\nduration = \"ten\"\n", 2, "must be a duration"),
        ("name = \"x y\"\nduration = \"1s\"\n", 1, "'name' must be"),
        (base + "[job]\nnodes = 0\n", 4, "between 1 and 64"),
        (base + "[job]\nec = \"4-2\"\n", 4, "must look like \"4+2\""),
        (base + "[job]\nnodes = 4\nec = \"4+2\"\n", 3, "only 4 nodes"),
        (base + "[job]\nreplicas = 9\n", 4, "'replicas' must be between 0 and 5"),
        (base + "[job]\nrate = -5\n", 4, "'rate' must be"),
        (base + "[job]\nnodes = \"six\"\n", 4, "must be an integer"),
        (base + "[expect]\nrestored_from = \"tape\"\n", 4, "one of standby, shards, previous"),
        (base + "[expect]\nevents = [\"node-down\", \"party\"]\n", 4, "unknown event \"party\""),
        (base + "[expect]\nmin_throughput_after = \"0.9\"\n", 4, "percentage"),
        (base + "[expect]\nexactly_once = \"yes\"\n", 4, "true or false"),
        (base + "[step]\nat = \"1s\"\n", 3, "double brackets"),
        (base + "[[expect]]\n", 3, "single brackets"),
        (base + "format = 9\n", 3, "newer"),
        (base + "[job\n", 3, "closing"),
        // Steady state, abort, hypothesis.
        (base + "[steady_state]\nfor = \"1s\"\nwobble = 3\n", 5, "unknown key 'wobble' in [steady_state]: expected one of for, min_throughput, all_healthy, max_verdict_age"),
        (base + "[steady_state]\nmin_throughput = 5\n", 3, "missing 'for' in [steady_state]"),
        (base + "[steady_state]\nfor = \"3s\"\n[[step]]\nat = \"2s\"\ncommand = \"kill 1\"\n", 4, "must fit before the first step (at 2.0s)"),
        (base + "[steady_state]\nfor = \"1s\"\nmin_throughput = \"lots\"\n", 5, "'min_throughput' must be a number"),
        (base + "[steady_state]\nfor = \"1s\"\nall_healthy = \"yes\"\n", 5, "'all_healthy' must be true or false"),
        (base + "[abort]\nmax_lost = -1\n", 4, "'max_lost' must not be negative"),
        (base + "[abort]\nmax_recovery = \"soon\"\n", 4, "'max_recovery' must be a duration"),
        (base + "[abort]\nstop_if_sad = true\n", 4, "unknown key 'stop_if_sad' in [abort]"),
        (base + "[[abort]]\nmax_lost = 1\n", 3, "[abort] takes single brackets"),
        (base + "hypothesis = 3\n", 3, "'hypothesis' must be a string"),
    ])
    func errors(text: String, line: Int, fragment: String) {
        do {
            _ = try parse(text)
            Issue.record("should not parse:\n\(text)")
        } catch {
            #expect(error.file == "d.toml")
            #expect(error.line == line, "\(error)")
            #expect(error.description.contains(fragment), "\(error)")
        }
    }

    @Test("the built-in library: at least ten drills, one line each, every one parses")
    func library() throws {
        #expect(BuiltInDrills.all.count >= 10)
        for needed in ["kill-one", "hung-node", "slow-node", "bitflip-link", "shard-rot", "disk-wipe", "two-disks-lost", "kill-during-checkpoint", "cascade", "beyond-tolerance"] {
            let d = try #require(try BuiltInDrills.drill(needed), "\(needed)")
            #expect(d.name == needed)
            #expect(!d.description.isEmpty && !d.description.contains("\n"))
            #expect(!d.steps.isEmpty)
        }
        do {
            _ = try DrillLibrary.load("no-such-drill")
            Issue.record("an unknown name should fail")
        } catch {
            #expect(error.message.contains("kill-one"))
        }
    }
}

@Suite("Drills on the simulated runtime", .serialized)
struct SimulatedDrillTests {
    @Test("every built-in drill passes on the simulated runtime", arguments: BuiltInDrills.engine.map(\.name))
    func builtIn(name: String) throws {
        let drill = try #require(try BuiltInDrills.drill(name))
        let result = DrillRunner(drill: drill).run(on: try DrillTarget.simulated(drill, seed: drill.job.seed))
        for v in result.verdicts where !v.passed { Issue.record("\(name): \(v.name): \(v.measured), expected \(v.expected)") }
        #expect(result.passed)
        // A drill that damages the sink's rows on purpose expects the audit not to be exact.
        #expect(result.measurements.exact == drill.expect.exactlyOnce && result.measurements.committedTransfers > 0)
    }

    @Test("the same seed gives the same run")
    func deterministic() throws {
        let drill = try #require(try BuiltInDrills.drill("cascade"))
        let a = DrillRunner(drill: drill).run(on: try DrillTarget.simulated(drill, seed: 5))
        let b = DrillRunner(drill: drill).run(on: try DrillTarget.simulated(drill, seed: 5))
        #expect(a.timeline == b.timeline)
        #expect(a.measurements == b.measurements)
    }

    @Test("an expectation that cannot hold fails, showing the measured value")
    func impossible() throws {
        var drill = try #require(try BuiltInDrills.drill("kill-one"))
        drill.expect.maxRecovery = 0.001
        drill.expect.events.append(.fallback)
        let result = DrillRunner(drill: drill).run(on: try DrillTarget.simulated(drill, seed: 1))
        #expect(!result.passed)
        let recovery = try #require(result.verdicts.first { $0.name == "max_recovery" })
        #expect(!recovery.passed)
        #expect(recovery.measured.hasSuffix("(worst of 1)") && recovery.measured.contains(" ms"))
        #expect(recovery.expected == "<= 1ms from the fault to caught up")
        #expect(result.verdicts.first { $0.name == "event fallback" }?.passed == false)
        #expect(DrillReport.text(result).contains("✗ max_recovery: "))
        #expect(DrillReport.text(result).contains("FAILED"))
        let xml = DrillReport.junit([result])
        #expect(xml.contains("<testcase classname=\"firedrill.drill.kill-one\" name=\"max_recovery\""))
        #expect(xml.contains("<failure message=\"max_recovery: measured "))
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == result.verdicts.count)
        let json = DrillReport.json(result)
        #expect(json.contains("\"passed\": false") && json.contains("\"recoveriesMs\": ["))
    }

    @Test("a step the engine refuses fails the drill with why")
    func refusedStep() throws {
        let drill = try DrillParser(file: "r.toml").parse("""
            name = "early"
            duration = "2s"
            [[step]]
            at = "0.1s"
            command = "corrupt shard latest 1"
            """)
        let result = DrillRunner(drill: drill).run(on: try DrillTarget.simulated(drill, seed: 1))
        let steps = try #require(result.verdicts.first { $0.name == "steps" })
        #expect(!steps.passed)
        #expect(steps.measured.contains("there is no checkpoint yet"))
    }
}

@Suite("JSON and XML text")
struct ReportTextTests {
    @Test("escaping")
    func escaping() {
        #expect(JSON.string("a\"b\\c\nd\u{1}") == "\"a\\\"b\\\\c\\nd\\u0001\"")
        #expect(JSON.number(3) == "3")
        #expect(JSON.number(0.25) == "0.25")
        #expect(JSON.number(Double.nan) == "null")
        #expect(DrillReport.xml("<a & 'b'>\u{1}") == "&lt;a &amp; &apos;b&apos;&gt;")
    }
}
