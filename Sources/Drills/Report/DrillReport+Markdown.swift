import Engine

/// A finished drill as Markdown a person pastes into a game-day write-up: hypothesis, job,
/// timeline of steps and notable events, the fault receipts, the expectations with what was
/// measured, the verdict. No wall-clock figures, so a simulated run renders the same every time.
extension DrillReport {
    public static func markdown(_ r: DrillResult) -> String {
        var md: [String] = []
        let failed = r.verdicts.filter { !$0.passed }.count
        md.append("# Drill `\(r.drill.name)`: \(failed == 0 ? "PASSED" : "FAILED")")
        md.append("")
        if !r.drill.description.isEmpty { md += ["> \(cell(r.drill.description))", ""] }
        if let h = r.drill.hypothesis { md += ["**Hypothesis:** \(cell(h))", ""] }
        let j = r.drill.job
        // As the engine ran it: the simulated runtime caps the rate and the accounts.
        let c = r.config ?? j.config
        let rate = c.rate.map { "\(Int($0)) transfers/s" } ?? "unthrottled"
        let ckpt = c.checkpointInterval.map { "every \(DurationText.format($0))" } ?? "off"
        md += [
            "| | |", "|---|---|",
            "| runtime | \(cell(r.runtime)) |",
            "| job | \(c.nodes) nodes, \(c.accounts) accounts, RS(\(c.dataShards)+\(c.parityShards)), \(j.replicas) standby, \(rate), checkpoints \(ckpt), seed \(c.seed) |",
            "| duration | \(DurationText.format(r.drill.duration)) |",
            "| source | \(cell(r.drill.source)) |",
        ]
        if let st = r.drill.steadyState { md.append("| steady state | \(cell(steadyText(st))) |") }
        if let a = r.drill.abort { md.append("| abort when | \(cell(abortText(a))) |") }
        md += ["", "## Timeline", "", "| at | kind | what |", "|---:|---|---|"]
        for e in r.timeline {
            let what = e.kind == "step" ? "**\(cell(e.text))**" : cell(e.text)
            md.append("| \(JSON.number(e.time))s | \(cell(e.kind)) | \(what) |")
        }
        if !r.receipts.isEmpty {
            md += ["", "## Fault receipts"]
            for receipt in r.receipts {
                md += ["", "### #\(receipt.id) \(cell(receipt.title)) at \(JSON.number(receipt.at))s: \(receipt.status.rawValue)", "",
                       "| since the fault | technique | step |", "|---:|---|---|"]
                let story = receipt.story
                for i in story.indices {
                    let step = story[i].step
                    md.append("| +\(FaultReceipt.span(story[i].at - receipt.at)) | \(step.technique.rawValue) | \(cell(receipt.text(step, after: receipt.elapsed(story, i)))) |")
                }
                if let w = receipt.waiting { md.append("| … | | \(cell(w)) |") }
            }
        }
        md += ["", "## Expectations", "", "| | expectation | expected | measured |", "|---|---|---|---|"]
        for v in r.verdicts {
            md.append("| \(v.passed ? "✓" : "✗") | \(cell(v.name)) | \(cell(v.expected)) | \(cell(v.measured)) |")
        }
        md += ["", "**Verdict: \(failed == 0 ? "PASSED" : "FAILED")**: \(r.verdicts.count - failed) of \(r.verdicts.count) expectations hold.", ""]
        return md.joined(separator: "\n")
    }

    /// Several drills in one file: a summary table, then each drill a level down.
    public static func markdown(_ results: [DrillResult]) -> String {
        guard results.count != 1 else { return markdown(results[0]) }
        let passed = results.filter(\.passed).count
        var md = ["# Drills: \(passed) of \(results.count) passed", "", "| | drill | runtime | expectations |", "|---|---|---|---|"]
        for r in results {
            let held = r.verdicts.filter(\.passed).count
            md.append("| \(r.passed ? "✓" : "✗") | `\(r.drill.name)` | \(cell(r.runtime)) | \(held) of \(r.verdicts.count) hold |")
        }
        for r in results {
            md.append("")
            // Each drill's headings one level down.
            md.append(markdown(r).split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix("#") ? "#" + $0 : String($0) }.joined(separator: "\n"))
        }
        return md.joined(separator: "\n")
    }

    static func steadyText(_ st: SteadyState) -> String {
        var checks: [String] = []
        if let m = st.minThroughput { checks.append("at least \(Int(m)) transfers/s read") }
        if st.allHealthy { checks.append("every node healthy") }
        if let m = st.maxVerdictAge { checks.append("verdict at most \(DurationText.format(m)) old") }
        return (checks.isEmpty ? "the run" : checks.joined(separator: ", ")) + " for \(DurationText.format(st.duration)) before the first step"
    }

    static func abortText(_ a: AbortConditions) -> String {
        var c: [String] = []
        if let m = a.maxLost { c.append("more than \(m) lost") }
        if let m = a.maxVerdictAge { c.append("the verdict older than \(DurationText.format(m))") }
        if let m = a.maxRecovery { c.append("a recovery longer than \(DurationText.format(m))") }
        if a.onQuarantine { c.append("a node quarantined") }
        return c.isEmpty ? "never" : c.joined(separator: "; ")
    }

    /// Text safe in a Markdown table cell: pipes escaped, line breaks as spaces.
    static func cell(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "|": out += "\\|"
            case "\n", "\r": out += " "
            default: out.append(ch)
            }
        }
        return out
    }
}
