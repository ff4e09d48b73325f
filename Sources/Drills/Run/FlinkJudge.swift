import Engine
import Flink

extension DrillResult {
    /// Judges a drill that ran on Flink: the auditor's counts in `exactly_once`, then each
    /// of `[expect]`'s Flink expectations against the run's outcome.
    public mutating func judgeFlink(_ o: FlinkRunOutcome) {
        flink = o
        let e = drill.expect.flink
        if let live = o.live, let i = verdicts.firstIndex(where: { $0.name == "exactly_once" }) {
            verdicts[i].measured = "\(live.lost) lost, \(live.duplicated) duplicated, \(live.wrong) wrong, \(live.missing) missing of \(live.transfers) transfers audited"
            verdicts[i].passed = live.exact
        } else if o.live == nil, let i = verdicts.firstIndex(where: { $0.name == "exactly_once" }) {
            verdicts[i].measured = "no audit: the job's output is not known"
            verdicts[i].passed = false
        }
        phase("loss_seen_within", e.lossSeenWithin, o) { $0.toLoss }
        phase("running_within", e.runningWithin, o) { $0.toRunning }
        phase("all_tasks_within", e.allTasksWithin, o) { $0.toAllTasks }
        phase("checkpoint_within", e.checkpointWithin, o) { $0.toCheckpoint }
        if let max = e.maxRestarts {
            let measured = o.restarts.map { "\($0) restart\($0 == 1 ? "" : "s")" } ?? "not known (no answer)"
            verdicts.append(ExpectationVerdict(name: "max_restarts", expected: "<= \(max)", measured: measured, passed: (o.restarts ?? Int.max) <= max))
        }
        if let want = e.restoredCheckpoint {
            let before = Set(o.trials.compactMap(\.checkpointBefore))
            let seen = o.restored.map(String.init).joined(separator: ", ")
            let passed: Bool = switch want {
            case .newest: !o.restored.isEmpty && o.restored.allSatisfy { r in before.contains { r >= $0 } }
            case .corrupted: !o.restoredRot.isEmpty
            case .older: o.restored.contains { r in before.contains { r < $0 } }
            }
            let expected = switch want {
            case .newest: "the newest completed checkpoint at each fault (\(before.sorted().map(String.init).joined(separator: ", ")))"
            case .corrupted: "the corrupted checkpoint (\(o.corrupted.map(String.init).joined(separator: ", "))) or a later one that refers to its rotten file"
            case .older: "an older checkpoint than the newest at the fault"
            }
            let carried = o.restoredRot.map(\.description).joined(separator: "; ")
            let measured = seen.isEmpty ? "no restore seen" : want == .corrupted && !carried.isEmpty ? "restored \(carried)" : "restored \(seen)"
            verdicts.append(ExpectationVerdict(name: "restored_checkpoint", expected: expected, measured: measured, passed: passed))
        }
        if e.guardRepaired {
            let hit = o.guardRepaired.filter(o.corrupted.contains)
            let said = o.guardEvents.last { $0.contains("RESTARTING") } ?? o.guardEvents.last { $0.contains("rebuilt") }
            verdicts.append(ExpectationVerdict(name: "guard_repaired", expected: "the guard rebuilds the corrupted checkpoint (\(o.corrupted.map(String.init).joined(separator: ", ")))",
                                               measured: hit.isEmpty ? "not rebuilt\(o.guardRepaired.isEmpty ? "" : " (it rebuilt \(o.guardRepaired.map(String.init).joined(separator: ", ")))")" : "rebuilt checkpoint \(hit.map(String.init).joined(separator: ", "))\(said.map { ": " + $0 } ?? "")",
                                               passed: !hit.isEmpty))
        }
        if e.tellsTruth {
            var problems: [String] = []
            if let live = o.live, let recount = o.recount {
                if !recount.agrees(with: live) {
                    problems.append("firedrill said \(live.transfers) transfers: \(live.lost) lost, \(live.duplicated) duplicated, \(live.wrong) wrong, \(live.missing) missing; the recount found \(recount.summary)")
                }
            } else {
                problems.append("no audit to check (the job's output is not known)")
            }
            if o.finalState != "RUNNING", o.exceptions.isEmpty { problems.append("the job ended \(o.finalState ?? "unknown") and no exception was reported") }
            verdicts.append(ExpectationVerdict(name: "tells_truth", expected: "the live verdict matches an independent recount; a job that did not come back is reported with its exception",
                                               measured: problems.isEmpty ? "yes: \(o.story)" : problems.joined(separator: "; "), passed: problems.isEmpty))
        }
    }

    mutating func phase(_ name: String, _ limit: Double?, _ o: FlinkRunOutcome, _ time: (FlinkRecoveryClock.Trial) -> Double?) {
        guard let limit else { return }
        let expected = "<= \(DurationText.format(limit)) after every fault"
        guard !o.trials.isEmpty else {
            verdicts.append(ExpectationVerdict(name: name, expected: expected, measured: "no fault happened", passed: false))
            return
        }
        if let miss = o.trials.first(where: { time($0) == nil }) {
            verdicts.append(ExpectationVerdict(name: name, expected: expected,
                                               measured: "not reached after the fault at \(DurationText.format(miss.faultAt)) (job last seen \(miss.lastState ?? "?"))", passed: false))
            return
        }
        let worst = o.trials.compactMap(time).max() ?? 0
        verdicts.append(ExpectationVerdict(name: name, expected: expected, measured: "\(Int((worst * 1000).rounded())) ms (worst of \(o.trials.count))", passed: worst <= limit))
    }
}

extension FlinkRunOutcome {
    /// What Flink did, in a sentence.
    public var story: String {
        let restored = self.restored.isEmpty ? "" : "restored checkpoint \(self.restored.map { r in restoredRot.first { $0.checkpoint == r }?.description ?? String(r) }.joined(separator: ", "))"
        let rot = corrupted.isEmpty ? "" : " (firedrill corrupted \(corrupted.map(String.init).joined(separator: ", ")))"
        if finalState != "RUNNING" {
            // The cause, not Flink's closing "Recovery is suppressed by …".
            let cause = exceptions.last { !$0.contains("Recovery is suppressed") } ?? exceptions.last
            let why = cause.map { "; exception: \($0.dropFirst("exception: ".count).prefix(160))" } ?? ""
            return "Flink \(restored.isEmpty ? "did not recover" : restored)\(rot), restarted \(restarts ?? 0) times and ended \(finalState ?? "unknown")\(why)"
        }
        guard let live else { return "Flink \(restored.isEmpty ? "kept running" : restored)\(rot); no audit" }
        if live.exact { return "Flink \(restored.isEmpty ? "kept running" : restored)\(rot); the output is exact (\(live.transfers) transfers)" }
        return "Flink \(restored.isEmpty ? "kept running" : restored)\(rot) without a word; the auditor found \(live.lost) lost, \(live.duplicated) duplicated, \(live.wrong) wrong, \(live.missing) missing of \(live.transfers) transfers"
    }
}
