import Engine

/// The chapter marks of a recording: a fault when its receipt opens, its outcome when the
/// receipt ends, each drill step's caption, and the drill's verdict. Fed each frame's
/// snapshot; returns the marks that are new since the last one.
public struct CastMarks: Sendable {
    private var opened = Set<Int>()
    private var ended = Set<Int>()
    private var lastCaptionAt: Double?
    private var verdictMarked = false

    public init() {}

    public mutating func new(_ s: ClusterSnapshot, drill: ViewModel.DrillStatus?) -> [String] {
        var marks: [String] = []
        for r in s.receipts {
            if opened.insert(r.id).inserted { marks.append("fault #\(r.id): \(r.title)") }
            let outcome: String? = switch r.status {
            case .proved: "✓ #\(r.id) \(r.title): proved, nothing lost"
            case .disproved: "✗ #\(r.id) \(r.title): the audit found a difference"
            case .beyondTolerance: "✗ #\(r.id) \(r.title): beyond tolerance"
            case .pending, .healed, .stuck: nil
            }
            if let o = outcome, ended.insert(r.id).inserted { marks.append(o) }
        }
        if let d = drill {
            if let at = d.captionAt, at != lastCaptionAt, let c = d.caption {
                lastCaptionAt = at
                marks.append("step \(Format.duration(at)): \(c)")
            }
            if let v = d.verdict, !verdictMarked {
                verdictMarked = true
                marks.append("verdict: drill \(d.name) \(v.passed ? "PASSED" : "FAILED")")
            }
        }
        return marks
    }
}
