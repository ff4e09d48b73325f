/// The bound between what the job reads and what the auditor has proven: the sources may
/// not run more than `maxUnaudited` checkpoints ahead of the newest audited one, so the
/// verdict on screen is always about the last second or two, at any rate (as Flink bounds
/// the checkpoints in flight and a two-phase-commit sink its pending transactions).
///
/// A checkpoint counts from its barrier until it is audited, or until it can no longer be
/// (abandoned, failed to store or commit, already in the sink). Both runtimes feed it the
/// same notices; it reads no clock of its own: times are the caller's nanoseconds.
public struct AuditGate: Sendable {
    /// Checkpoints that may be begun and not yet audited before the sources wait.
    public static let defaultMaxUnaudited = 2

    public let maxUnaudited: Int
    /// Begun and still to be audited, oldest first: (id, barrier injected at).
    public private(set) var open: [(id: UInt64, injected: UInt64)] = []
    /// The newest audited checkpoint (nil before the first).
    public private(set) var audited: UInt64?
    /// When the barrier of the audited checkpoint was injected; before any audit of this
    /// run, when the engine opened (the verdict then covers what it restored).
    public private(set) var auditedInjected: UInt64

    /// A gate for an engine opened at `startNanos` whose sink was audited at `audited`.
    public init(maxUnaudited: Int = defaultMaxUnaudited, startNanos: UInt64, audited: UInt64?) {
        self.maxUnaudited = max(1, maxUnaudited)
        self.audited = audited
        auditedInjected = startNanos
    }

    /// The sources must wait for the auditor.
    public var holdsSources: Bool { open.count >= maxUnaudited }

    /// Checkpoints begun and not yet audited.
    public var unaudited: Int { open.count }

    /// Barrier `id` was injected at `nanos`.
    public mutating func begun(_ id: UInt64, at nanos: UInt64) {
        guard id > (audited ?? 0), !open.contains(where: { $0.id == id }) else { return }
        open.append((id, nanos))
        open.sort { $0.id < $1.id }
    }

    /// Checkpoint `id` will never be audited (abandoned, failed, or nothing to commit).
    public mutating func dropped(_ id: UInt64) {
        open.removeAll { $0.id == id }
    }

    /// The auditor checked the sink at epoch `id`, which covers every epoch before it.
    public mutating func audited(_ id: UInt64) {
        guard id >= (audited ?? 0) else { return }
        if let e = open.first(where: { $0.id == id }) { auditedInjected = e.injected }
        audited = id
        open.removeAll { $0.id <= id }
    }

    /// How old the verdict is at `nanos`: the time since the barrier of the audited
    /// checkpoint was injected (everything read before it is proven).
    public func verdictAge(at nanos: UInt64) -> UInt64 { nanos &- min(nanos, auditedInjected) }
}
