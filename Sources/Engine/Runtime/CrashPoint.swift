import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Named instants where the crash-at-any-instant test makes the process die on purpose
/// (SIGKILL, as a power cut or the OOM killer would): inside a checkpoint's shard writes,
/// just before its manifest, inside the sink's commit transaction, in the middle of a
/// recovery, between the two halves of pruning old checkpoints. Armed only by the
/// environment, `FIREDRILL_CRASH_AT=NAME:N` (die at the N-th pass of NAME); unset, a pass
/// costs one comparison.
enum CrashPoint: String, CaseIterable {
    case shardWrite = "shard-write"
    case manifestWrite = "manifest-write"
    case sinkCommit = "sink-commit"
    case recovery
    case prune

    static let armed: (point: CrashPoint, at: Int)? = {
        guard let raw = getenv("FIREDRILL_CRASH_AT") else { return nil }
        let text = String(cString: raw)
        let parts = text.split(separator: ":")
        guard parts.count == 2, let p = CrashPoint(rawValue: String(parts[0])), let n = Int(parts[1]), n >= 1 else {
            let warning = "firedrill: FIREDRILL_CRASH_AT='\(text)' is not NAME:N with NAME one of \(allCases.map(\.rawValue).joined(separator: ", ")); ignored\n"
            _ = warning.withCString { write(2, $0, strlen($0)) }
            return nil
        }
        return (p, n)
    }()
    static let passes = Atomic<Int>(0)

    /// Dies here when armed for this point and this is the N-th pass.
    @inline(__always)
    func pass() {
        guard let armed = Self.armed, armed.point == self else { return }
        if Self.passes.add(1, ordering: .relaxed).newValue == armed.at { kill(getpid(), SIGKILL) }
    }
}
