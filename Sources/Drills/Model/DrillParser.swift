import Engine

/// Reads a drill file: checks every key, value, command and time, and names the file and
/// line of anything wrong, so that a bad drill never starts.
public struct DrillParser {
    public var file: String

    public init(file: String) { self.file = file }

    static let rootKeys = ["name", "description", "hypothesis", "duration", "job", "steady_state", "step", "expect", "abort", "format", "target"]
    static let targetKeys = ["kind", "url", "taskmanagers", "slots", "job", "checkpoint_dir", "output", "kill_command", "guard"]
    static let flinkExpectKeys = ["exactly_once", "money_conserved", "running_within", "all_tasks_within", "checkpoint_within", "loss_seen_within",
                                  "max_restarts", "restored_checkpoint", "tells_truth", "guard_repaired"]
    static let steadyKeys = ["for", "min_throughput", "all_healthy", "max_verdict_age"]
    static let abortKeys = ["max_lost", "max_verdict_age", "max_recovery", "on_quarantine"]
    static let jobKeys = ["nodes", "rate", "accounts", "ec", "replicas", "checkpoint_interval", "seed"]
    static let stepKeys = ["at", "command", "caption"]
    static let expectKeys = ["exactly_once", "money_conserved", "max_detection", "max_recovery", "max_unprovoked", "min_throughput_after", "restored_from", "events", "absent_events"]

    /// Parses and validates a drill.
    public func parse(_ text: String) throws(FileError) -> Drill {
        let doc = try TOMLParser(file: file).parse(text)
        for (key, value) in doc.root.entries where !Self.rootKeys.contains(key) {
            throw err(value.line, "unknown key '\(key)': a drill has name, description, hypothesis, duration, [target], [job], [steady_state], [[step]], [expect] and [abort]")
        }
        for (table, isArray) in doc.sections {
            let known = isArray ? ["step"] : ["job", "expect", "steady_state", "abort", "target"]
            if !known.contains(table.name) {
                let single = ["job", "expect", "steady_state", "abort", "target"].contains(table.name)
                let hint = table.name == "step" ? "steps are [[step]] (double brackets)" : single ? "[\(table.name)] takes single brackets" : "expected [target], [job], [steady_state], [[step]], [expect] or [abort]"
                throw err(table.line, "unknown section \(isArray ? "[[\(table.name)]]" : "[\(table.name)]"): \(hint)")
            }
        }
        if let f = doc.root["format"] {
            guard case let .integer(v) = f.kind, v >= 1 else { throw err(f.line, "'format' must be a positive integer") }
            if v > Int64(DrillsInfo.formatVersion) { throw err(f.line, "drill format \(v) is newer than this firedrill reads (\(DrillsInfo.formatVersion))") }
        }
        let name = try string(doc.root, "name", required: true) ?? ""
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw err(doc.root["name"]?.line ?? 0, "'name' must be letters, digits, '-' and '_', like \"kill-one\"")
        }
        let description = try string(doc.root, "description", required: false) ?? ""
        let duration = try seconds(doc.root, "duration", required: true) ?? 0
        guard duration > 0, duration <= 3600 else { throw err(doc.root["duration"]?.line ?? 0, "'duration' must be between 1ms and 1h") }

        let flink = try target(doc.table("target"))
        if flink != nil, let t = doc.table("job") {
            throw err(t.line, "[job] is the embedded engine's; a Flink drill runs the cluster's job (the lab's payments job: size it with [target] taskmanagers and slots)")
        }
        var job = Drill.Job()
        if let t = doc.table("job") {
            try checkKeys(t, Self.jobKeys)
            if let v = try integer(t, "nodes") {
                guard (1...64).contains(v) else { throw err(t["nodes"]?.line ?? 0, "'nodes' must be between 1 and 64, got \(v)") }
                job.nodes = v
            }
            if let v = t["rate"] {
                switch v.kind {
                case .string("max"): job.rate = nil
                case let .integer(r) where r > 0: job.rate = Double(r)
                case let .float(r) where r > 0 && r.isFinite: job.rate = r
                default: throw err(v.line, "'rate' must be a positive number of transfers per second or \"max\"")
                }
            }
            if let v = try integer(t, "accounts") {
                guard (2...10_000_000).contains(v) else { throw err(t["accounts"]?.line ?? 0, "'accounts' must be between 2 and 10000000") }
                job.accounts = v
            }
            if let v = try string(t, "ec", required: false) {
                let parts = v.split(separator: "+")
                guard parts.count == 2, let k = Int(parts[0]), let m = Int(parts[1]), k >= 1, m >= 1 else {
                    throw err(t["ec"]?.line ?? 0, "'ec' must look like \"4+2\" (data + parity shards), got \"\(v)\"")
                }
                job.dataShards = k
                job.parityShards = m
            }
            if let v = try integer(t, "replicas") { job.replicas = v }
            if let v = t["checkpoint_interval"] {
                if case .string("off") = v.kind { job.checkpointInterval = nil } else {
                    guard let s = try seconds(t, "checkpoint_interval", required: false), s >= 0.01 else {
                        throw err(v.line, "'checkpoint_interval' must be a duration of at least 10ms, or \"off\"")
                    }
                    job.checkpointInterval = s
                }
            }
            if let v = try integer(t, "seed") {
                guard v >= 0 else { throw err(t["seed"]?.line ?? 0, "'seed' must not be negative") }
                job.seed = UInt64(v)
            }
            let jobLine = t.line
            do { try job.config.validate() } catch { throw err(jobLine, "[job]: \(error.description)") }
            guard job.replicas >= 0, job.replicas < job.nodes else {
                throw err(t["replicas"]?.line ?? jobLine, "'replicas' must be between 0 and \(job.nodes - 1) (the other nodes)")
            }
        }

        var steps: [Drill.Step] = []
        for t in doc.tables("step") {
            try checkKeys(t, Self.stepKeys)
            guard let at = try seconds(t, "at", required: true) else { throw err(t.line, "a step needs 'at'") }
            let line = t["at"]?.line ?? t.line
            guard at <= duration else { throw err(line, "step at \(DurationText.format(at)) is past the drill's duration (\(DurationText.format(duration)))") }
            if let prev = steps.last, at < prev.at {
                throw err(line, "steps must be in time order: this one at \(DurationText.format(at)) comes after one at \(DurationText.format(prev.at)) (line \(prev.line))")
            }
            guard let text = try string(t, "command", required: true) else { throw err(t.line, "a step needs 'command'") }
            let command: Command
            do throws(CommandError) {
                if let flink {
                    command = try Command.parse(text, nodes: flink.taskManagers, shards: 1, names: flink.names)
                    guard command.runsOnFlink else { throw CommandError("'\(command)' has no meaning on Flink; it understands: \(Command.flinkGrammar.joined(separator: ", "))") }
                } else {
                    command = try Command.parse(text, nodes: job.nodes, shards: job.dataShards + job.parityShards)
                    guard !command.flinkOnly else { throw CommandError("'\(command)' is for a Flink cluster: add [target] kind = \"flink\"") }
                }
            } catch {
                throw err(t["command"]?.line ?? t.line, "command \"\(text)\": \(error.description)")
            }
            steps.append(Drill.Step(at: at, command: command, caption: try string(t, "caption", required: false), line: line))
        }

        var expect = Expectations()
        if let t = doc.table("expect"), flink != nil {
            try checkFlinkKeys(t)
            if let v = try bool(t, "exactly_once") { expect.exactlyOnce = v }
            if let v = try bool(t, "money_conserved") { expect.moneyConserved = v }
            expect.flink.runningWithin = try seconds(t, "running_within", required: false)
            expect.flink.allTasksWithin = try seconds(t, "all_tasks_within", required: false)
            expect.flink.checkpointWithin = try seconds(t, "checkpoint_within", required: false)
            expect.flink.lossSeenWithin = try seconds(t, "loss_seen_within", required: false)
            if let v = try integer(t, "max_restarts") {
                guard v >= 0 else { throw err(t["max_restarts"]?.line ?? t.line, "'max_restarts' must not be negative") }
                expect.flink.maxRestarts = v
            }
            if let v = try string(t, "restored_checkpoint", required: false) {
                guard let r = RestoredCheckpoint(rawValue: v) else {
                    throw err(t["restored_checkpoint"]?.line ?? 0, "'restored_checkpoint' must be one of \(RestoredCheckpoint.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(v)\"")
                }
                expect.flink.restoredCheckpoint = r
            }
            if let v = try bool(t, "tells_truth") { expect.flink.tellsTruth = v }
            if let v = try bool(t, "guard_repaired") {
                guard flink?.guardCheckpoints == true || !v else { throw err(t["guard_repaired"]?.line ?? t.line, "'guard_repaired' needs the guard: [target] guard = true") }
                expect.flink.guardRepaired = v
            }
        } else if let t = doc.table("expect") {
            for (key, value) in t.entries where Self.flinkExpectKeys.contains(key) && !Self.expectKeys.contains(key) {
                throw err(value.line, "'\(key)' is an expectation on Flink: add [target] kind = \"flink\"")
            }
            try checkKeys(t, Self.expectKeys)
            if let v = try bool(t, "exactly_once") { expect.exactlyOnce = v }
            if let v = try bool(t, "money_conserved") { expect.moneyConserved = v }
            expect.maxDetection = try seconds(t, "max_detection", required: false)
            expect.maxRecovery = try seconds(t, "max_recovery", required: false)
            if let v = try integer(t, "max_unprovoked") {
                guard v >= 0 else { throw err(t["max_unprovoked"]?.line ?? t.line, "'max_unprovoked' must be a count, 0 or more") }
                expect.maxUnprovoked = v
            }
            if let v = t["min_throughput_after"] {
                guard case let .string(s) = v.kind, s.hasSuffix("%"), let p = Double(s.dropLast()), p >= 0, p <= 1000 else {
                    throw err(v.line, "'min_throughput_after' must be a percentage like \"90%\"")
                }
                expect.minThroughputAfter = p / 100
            }
            if let v = try string(t, "restored_from", required: false) {
                guard let r = RestoredFrom(rawValue: v) else {
                    throw err(t["restored_from"]?.line ?? 0, "'restored_from' must be one of \(RestoredFrom.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(v)\"")
                }
                expect.restoredFrom = r
            }
            expect.events = try events(t, "events")
            expect.absentEvents = try events(t, "absent_events")
        }
        if let flink, flink.url != nil, flink.output == nil, expect.exactlyOnce || expect.moneyConserved || expect.flink.tellsTruth {
            throw err(doc.table("target")?.line ?? 0, "on a Flink URL the auditor needs the payments job's output: give [target] output = \"DIR\", or set exactly_once, money_conserved and tells_truth to false")
        }
        var drill = Drill(name: name, description: description, duration: duration, job: job, steps: steps, expect: expect, source: file)
        drill.flink = flink
        drill.hypothesis = try string(doc.root, "hypothesis", required: false)
        if let t = doc.table("steady_state") {
            try checkKeys(t, Self.steadyKeys)
            guard let d = try seconds(t, "for", required: true), d > 0 else { throw err(t["for"]?.line ?? t.line, "'for' must be a duration above zero") }
            let firstStep = steps.first?.at ?? duration
            guard d <= firstStep else {
                throw err(t["for"]?.line ?? t.line, "'for' (\(DurationText.format(d))) must fit before the first step (at \(DurationText.format(firstStep)))")
            }
            var st = SteadyState(duration: d)
            if let v = t["min_throughput"] {
                switch v.kind {
                case let .integer(r) where r >= 0: st.minThroughput = Double(r)
                case let .float(r) where r >= 0 && r.isFinite: st.minThroughput = r
                default: throw err(v.line, "'min_throughput' must be a number of transfers per second, like 100000")
                }
            }
            if let v = try bool(t, "all_healthy") { st.allHealthy = v }
            st.maxVerdictAge = try seconds(t, "max_verdict_age", required: false)
            drill.steadyState = st
        }
        if let t = doc.table("abort") {
            try checkKeys(t, Self.abortKeys)
            var a = AbortConditions()
            if let v = try integer(t, "max_lost") {
                guard v >= 0 else { throw err(t["max_lost"]?.line ?? t.line, "'max_lost' must not be negative") }
                a.maxLost = Int64(v)
            }
            a.maxVerdictAge = try seconds(t, "max_verdict_age", required: false)
            a.maxRecovery = try seconds(t, "max_recovery", required: false)
            if let v = try bool(t, "on_quarantine") { a.onQuarantine = v }
            drill.abort = a
        }
        return drill
    }

    func events(_ t: TOMLTable, _ key: String) throws(FileError) -> [EventName] {
        guard let v = t[key] else { return [] }
        guard case let .array(items) = v.kind else { throw err(v.line, "'\(key)' must be an array of event names like [\"node-down\"]") }
        var out: [EventName] = []
        for item in items {
            guard case let .string(s) = item.kind, let e = EventName(rawValue: s) else {
                let shown: String = if case let .string(s) = item.kind { "\"\(s)\"" } else { item.typeName }
                throw err(item.line, "unknown event \(shown) in '\(key)': expected one of \(EventName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            out.append(e)
        }
        return out
    }

    func err(_ line: Int, _ message: String) -> FileError { FileError(file: file, line: line, message) }

    /// `[target]`: nil for the embedded engine (no section, or `kind = "engine"`).
    func target(_ t: TOMLTable?) throws(FileError) -> FlinkTarget? {
        guard let t else { return nil }
        try checkKeys(t, Self.targetKeys)
        guard let kind = try string(t, "kind", required: true) else { return nil }
        switch kind {
        case "engine":
            if let (key, value) = t.entries.first(where: { $0.0 != "kind" }) { throw err(value.line, "'\(key)' applies to kind = \"flink\" only") }
            return nil
        case "flink": break
        default: throw err(t["kind"]?.line ?? t.line, "'kind' must be \"flink\" or \"engine\", got \"\(kind)\"")
        }
        var f = FlinkTarget()
        if let u = try string(t, "url", required: false) {
            guard u.hasPrefix("http://") || u.hasPrefix("https://"), u.count > 8 else { throw err(t["url"]?.line ?? t.line, "'url' must be Flink's REST URL, like \"http://127.0.0.1:8081\", got \"\(u)\"") }
            f.url = u
        }
        if let v = try integer(t, "taskmanagers") {
            guard (1...8).contains(v) else { throw err(t["taskmanagers"]?.line ?? t.line, "'taskmanagers' must be 1-8, got \(v)") }
            f.taskManagers = v
        }
        if let v = try integer(t, "slots") {
            guard (1...8).contains(v) else { throw err(t["slots"]?.line ?? t.line, "'slots' must be 1-8, got \(v)") }
            f.slots = v
        }
        if let v = try string(t, "job", required: false) {
            guard v.count == 32, v.allSatisfy(\.isHexDigit) else { throw err(t["job"]?.line ?? t.line, "'job' must be a Flink job id (32 hex digits), got \"\(v)\"") }
            f.job = v
        }
        f.checkpointDir = try string(t, "checkpoint_dir", required: false)
        f.output = try string(t, "output", required: false)
        f.killCommand = try string(t, "kill_command", required: false)
        if let v = try bool(t, "guard") { f.guardCheckpoints = v }
        for key in ["checkpoint_dir", "output", "kill_command", "job"] where t[key] != nil && f.url == nil {
            throw err(t[key]?.line ?? t.line, "'\(key)' is for a cluster given by 'url'; the lab's is known")
        }
        return f
    }

    func checkFlinkKeys(_ t: TOMLTable) throws(FileError) {
        for (key, value) in t.entries where !Self.flinkExpectKeys.contains(key) {
            let hint = Self.expectKeys.contains(key) ? "'\(key)' is the embedded engine's" : "unknown key '\(key)' in [expect]"
            throw err(value.line, "\(hint): on Flink, [expect] takes \(Self.flinkExpectKeys.joined(separator: ", "))")
        }
    }

    func checkKeys(_ t: TOMLTable, _ known: [String]) throws(FileError) {
        for (key, value) in t.entries where !known.contains(key) {
            let where_ = t.name == "step" ? "[[step]]" : "[\(t.name)]"
            throw err(value.line, "unknown key '\(key)' in \(where_): expected one of \(known.joined(separator: ", "))")
        }
    }

    func string(_ t: TOMLTable, _ key: String, required: Bool) throws(FileError) -> String? {
        guard let v = t[key] else {
            if required { throw err(t.line, "missing '\(key)'\(t.name.isEmpty ? "" : " in [\(t.name)]")") }
            return nil
        }
        guard case let .string(s) = v.kind else { throw err(v.line, "'\(key)' must be a string, got \(v.typeName)") }
        return s
    }

    func integer(_ t: TOMLTable, _ key: String) throws(FileError) -> Int? {
        guard let v = t[key] else { return nil }
        guard case let .integer(i) = v.kind, let n = Int(exactly: i) else { throw err(v.line, "'\(key)' must be an integer, got \(v.typeName)") }
        return n
    }

    func bool(_ t: TOMLTable, _ key: String) throws(FileError) -> Bool? {
        guard let v = t[key] else { return nil }
        guard case let .bool(b) = v.kind else { throw err(v.line, "'\(key)' must be true or false, got \(v.typeName)") }
        return b
    }

    func seconds(_ t: TOMLTable, _ key: String, required: Bool) throws(FileError) -> Double? {
        guard let s = try string(t, key, required: required) else { return nil }
        guard let d = DurationText.parse(s) else {
            throw err(t[key]?.line ?? t.line, "'\(key)' must be a duration like \"3s\", \"250ms\" or \"1m\", got \"\(s)\"")
        }
        return d
    }
}
