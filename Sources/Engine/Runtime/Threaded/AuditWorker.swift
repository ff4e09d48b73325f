import Synchronization

/// The auditor's thread: after each commit it audits the newest committed epoch (skipping
/// ahead when commits come faster than it can check, never behind), and publishes the
/// verdict. The `Auditor` it holds is used by this thread alone once it starts.
final class AuditWorker: @unchecked Sendable {
    let auditor: Auditor
    let signal = WakeSignal()
    /// Newest committed epoch, and whether any commit since the last audit rewrote every row.
    private let pending = EngineMutex<(epoch: UInt64?, full: Bool)>((nil, false))
    /// Newest audited epoch.
    let audited = Atomic<UInt64>(0)

    /// Transfers that must wait before the auditor works ahead.
    static let burst: Int64 = 4_000_000

    init(_ auditor: Auditor) {
        self.auditor = auditor
        audited.store(auditor.verdict.checkpoint ?? 0, ordering: .relaxed)
    }

    func committed(_ epoch: UInt64, replacedAll: Bool) {
        pending.withLock { p in
            p.epoch = max(p.epoch ?? 0, epoch)
            p.full = p.full || replacedAll
        }
        signal.wake()
    }

    /// Runs until `stopping`. Between audits it regenerates ahead what the next audit
    /// will check, up to the offsets `ceiling` gives (nil: nothing to do ahead), so the
    /// audit after a commit has little left to do.
    func run(stopping: borrowing Atomic<Bool>, ceiling: () -> [Int64]?, publish: (Result<AuditVerdict, SinkError>) -> Void) {
        var bursting = false
        while true {
            let job = pending.withLock { p -> (UInt64, Bool)? in
                guard let e = p.epoch else { return nil }
                defer { p = (nil, false) }
                return (e, p.full)
            }
            if let (epoch, full) = job {
                do throws(SinkError) {
                    let verdict = try auditor.audit(full: full)
                    audited.store(max(epoch, verdict.checkpoint ?? 0), ordering: .relaxed)
                    publish(.success(verdict))
                } catch {
                    publish(.failure(error))
                    // Try again soon: the verdict stays failed (and the lag bound holds the
                    // sources) until an audit succeeds.
                    pending.withLock { p in
                        p.epoch = max(p.epoch ?? 0, epoch)
                        p.full = p.full || full
                    }
                    if stopping.load(ordering: .relaxed) { return }
                    signal.sleep(nanos: 200_000_000) { true }
                }
                continue
            }
            if stopping.load(ordering: .relaxed) { return }
            // Between audits, SQLite's own check of the sink file, every few seconds: rot in
            // a page no commit touches is found and healed at the next commit.
            auditor.checkSink(now: SystemClock().nanos())
            // Work ahead in bursts (once a few million transfers wait: fewer switches between
            // the auditor and the node threads), in slices of 256k transfers (about a
            // millisecond), so a commit never waits long.
            if let c = ceiling() {
                let ahead = auditor.distance(to: c)
                if ahead >= (bursting ? 1 : Self.burst) {
                    bursting = true
                    if auditor.lookahead(to: c, limit: 262_144) > 0 { continue }
                }
                bursting = false
            }
            signal.sleep(nanos: 10_000_000) { pending.withLock { $0.epoch == nil } }
        }
    }
}
