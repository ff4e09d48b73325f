import Engine

/// A finished drill as text for a person, JSON for tools, and JUnit XML for CI pages.
public enum DrillReport {
    /// The verdict per expectation with the measured values, then PASSED or FAILED.
    public static func text(_ r: DrillResult) -> String {
        var lines: [String] = []
        if let h = r.drill.hypothesis {
            lines.append("")
            lines.append("hypothesis: \(h)")
        }
        if !r.receipts.isEmpty {
            lines.append("")
            lines.append("fault receipts:")
            for receipt in r.receipts { lines.append(contentsOf: receiptLines(receipt)) }
        }
        if let o = r.flink { lines.append(contentsOf: flinkLines(o)) }
        lines.append("")
        lines.append("expectations:")
        for v in r.verdicts {
            lines.append("  \(v.passed ? "✓" : "✗") \(v.name): \(v.measured)\(v.passed ? "" : " — expected \(v.expected)")")
        }
        let failed = r.verdicts.filter { !$0.passed }.count
        lines.append("")
        lines.append("drill \(r.drill.name) (\(r.runtime)): \(failed == 0 ? "PASSED" : "FAILED") — \(r.verdicts.count - failed) of \(r.verdicts.count) expectations hold")
        return lines.joined(separator: "\n")
    }

    /// A receipt for a person: the fault, then a line per step with its technique.
    public static func receiptLines(_ r: FaultReceipt) -> [String] {
        let story = r.story
        var lines = ["  #\(r.id) \(r.title) at \(JSON.number(r.at))s: \(r.status.rawValue)"]
        for i in story.indices {
            let step = story[i].step
            lines.append("      \(step.technique.rawValue.padding(18)) \(r.text(step, after: r.elapsed(story, i)))")
        }
        if let w = r.waiting { lines.append("      \("".padding(18)) … \(w)") }
        return lines
    }

    /// The whole run as one JSON object: drill, timeline, expectations, measured figures.
    public static func json(_ r: DrillResult) -> String {
        let m = r.measurements
        let timeline = r.timeline.map { JSON.object([("at", JSON.number($0.time)), ("kind", JSON.string($0.kind)), ("name", $0.name.map(JSON.string) ?? "null"), ("text", JSON.string($0.text))]) }
        let expectations = r.verdicts.map {
            JSON.object([("name", JSON.string($0.name)), ("expected", JSON.string($0.expected)), ("measured", JSON.string($0.measured)), ("passed", String($0.passed))])
        }
        let measured = JSON.object([
            ("exact", String(m.exact)), ("lost", String(m.lost)), ("duplicated", String(m.duplicated)),
            ("moneyConserved", String(m.moneyConserved)), ("committedTransfers", String(m.committedTransfers)),
            ("detectionsMs", JSON.array(m.detections.map { JSON.number($0 * 1000) })),
            ("recoveriesMs", JSON.array(m.recoveries.map { JSON.number($0 * 1000) })),
            ("throughputBefore", JSON.number(m.throughputBefore)), ("throughputAfter", JSON.number(m.throughputAfter)),
            ("measuredBefore", JSON.number(m.measuredBefore)),
            ("pausedBeforeMs", JSON.number(m.pausedBefore * 1000)), ("pausedAfterMs", JSON.number(m.pausedAfter * 1000)),
            ("restoredFrom", JSON.array(m.restoredFrom.map { JSON.string($0.rawValue) })),
            ("events", JSON.array(m.seenEvents.map { JSON.string($0.rawValue) })),
            ("stepErrors", JSON.array(m.stepErrors.map(JSON.string))),
            ("absorbed", String(m.absorbed)), ("unprovoked", String(m.unprovoked)),
        ])
        return JSON.object([
            ("drill", JSON.string(r.drill.name)), ("description", JSON.string(r.drill.description)), ("source", JSON.string(r.drill.source)),
            ("hypothesis", r.drill.hypothesis.map(JSON.string) ?? "null"),
            ("runtime", JSON.string(r.runtime)), ("passed", String(r.passed)), ("duration", JSON.number(r.drill.duration)),
            ("wallSeconds", JSON.number(r.wallSeconds)), ("timeline", JSON.array(timeline)), ("expectations", JSON.array(expectations)),
            ("measured", measured),
            ("receipts", JSON.array(r.receipts.map { DrillRecord.receiptLine($0, time: $0.healedAt ?? $0.at) })),
            ("flink", r.flink.map(flinkJSON) ?? "null"),
        ])
    }

    /// JUnit XML: one testsuite per drill, one testcase per expectation, a failure element
    /// (with the measured value) for each that does not hold.
    public static func junit(_ results: [DrillResult]) -> String {
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let tests = results.reduce(0) { $0 + $1.verdicts.count }
        let failures = results.reduce(0) { $0 + $1.verdicts.filter { !$0.passed }.count }
        let time = results.reduce(0.0) { $0 + $1.wallSeconds }
        x += "<testsuites name=\"firedrill drills\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\" time=\"\(JSON.number(time))\">\n"
        for r in results {
            let f = r.verdicts.filter { !$0.passed }.count
            x += "  <testsuite name=\"drill.\(xml(r.drill.name))\" tests=\"\(r.verdicts.count)\" failures=\"\(f)\" errors=\"0\" skipped=\"0\" time=\"\(JSON.number(r.wallSeconds))\">\n"
            x += "    <properties><property name=\"runtime\" value=\"\(xml(r.runtime))\"/><property name=\"source\" value=\"\(xml(r.drill.source))\"/></properties>\n"
            for v in r.verdicts {
                x += "    <testcase classname=\"firedrill.drill.\(xml(r.drill.name))\" name=\"\(xml(v.name))\" time=\"0\">"
                if v.passed {
                    x += "</testcase>\n"
                } else {
                    x += "\n      <failure message=\"\(xml(v.name)): measured \(xml(v.measured)), expected \(xml(v.expected))\" type=\"expectation\">"
                    x += "\(xml(v.name)): measured \(xml(v.measured)); expected \(xml(v.expected))</failure>\n    </testcase>\n"
                }
            }
            var log = r.timeline.map { "[\(JSON.number($0.time))s] \($0.kind): \($0.text)" }.joined(separator: "\n")
            if !r.receipts.isEmpty { log += "\n\nfault receipts:\n" + r.receipts.flatMap(receiptLines).joined(separator: "\n") }
            x += "    <system-out>\(xml(log))</system-out>\n"
            x += "  </testsuite>\n"
        }
        x += "</testsuites>\n"
        return x
    }

    /// Text escaped for XML attributes and content (control characters dropped).
    static func xml(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                if u.value < 0x20 && u != "\n" && u != "\t" { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
