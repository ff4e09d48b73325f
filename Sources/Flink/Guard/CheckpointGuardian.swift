#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Watches a Flink checkpoint directory from a thread of its own: guards each checkpoint
/// once its `_metadata` stops changing, drops guard data Flink no longer needs, scrubs the
/// guarded files at a bounded rate and repairs what rotted, and — given the job's REST
/// URL — checks and repairs the checkpoint Flink will restore the moment the job goes
/// RESTARTING, saying whether that was done before the job ran again.
public final class CheckpointGuardian: @unchecked Sendable {
    /// `execution.checkpointing.dir`: job directories, each with `chk-N/`.
    public let checkpointRoot: String
    public let parityRoot: String
    public let dataShards: Int
    public let parityShards: Int
    public let client: FlinkClient?
    public let job: String?
    /// Bytes per second the scrubber re-reads.
    public var scrubRate = 16 << 20
    /// Called with each event (on the guardian's thread).
    public var onEvent: @Sendable (Double, GuardEvent) -> Void = { _, _ in }

    let started = Date()
    let cache = ManifestCache()
    let stopFlag = Atomic<Bool>(false)
    let running = Atomic<Bool>(false)
    // Round state, touched by the guardian's thread only (or a test calling `tick`).
    var seen: [String: (size: Int, mtime: Int)] = [:]
    var scrubCursor = 0
    var reported: Set<String> = []
    var missingSince: [String: Double] = [:]
    var sharedUnits: [String: [(GuardManifest.File, UInt64)]] = [:]
    var rounds = -1
    var lastTick: Date?
    var lastScrubGap = 0.1
    var lastRestarting: Int64?
    var pending: (id: UInt64, done: Double, restartingAt: Int64, millis: Double, intact: Bool)?
    /// Milliseconds from RESTARTING seen to the restored checkpoint verified (and repaired).
    public private(set) var beforeRestoreMillis: [Double] = []
    /// Bytes of checkpoints guarded.
    public private(set) var guardedBytes = 0
    let cpuNanos = Atomic<Int>(0)
    /// CPU seconds the guardian's thread has used (its cost beside the job).
    public var cpuSeconds: Double { Double(cpuNanos.load(ordering: .relaxed)) / 1e9 }
    /// Seconds since it was made.
    public var age: Double { now }

    public init(checkpointRoot: String, parityRoot: String, dataShards: Int = 10, parityShards: Int = 2,
                client: FlinkClient? = nil, job: String? = nil) {
        self.checkpointRoot = checkpointRoot
        self.parityRoot = parityRoot
        self.dataShards = dataShards
        self.parityShards = parityShards
        self.client = client
        self.job = job
    }

    var now: Double { Date().timeIntervalSince(started) }

    func emit(_ e: GuardEvent) { onEvent(now, e) }

    /// The guards of the jobs in the directory, and of those with guard data left (whose
    /// checkpoints Flink may have dropped); the given job's only, when there is one.
    public func guards() -> [CheckpointGuard] {
        let flinks = ((try? FileManager.default.contentsOfDirectory(atPath: checkpointRoot)) ?? []).filter { name in
            ((try? FileManager.default.contentsOfDirectory(atPath: checkpointRoot + "/" + name)) ?? []).contains { $0.hasPrefix("chk-") }
        }
        let ours = (try? FileManager.default.contentsOfDirectory(atPath: parityRoot)) ?? []
        let jobs = job.map { [$0] } ?? Array(Set(flinks + ours)).sorted()
        return jobs.map { CheckpointGuard(jobDirectory: checkpointRoot + "/" + $0, parityDirectory: parityRoot + "/" + $0,
                                          dataShards: dataShards, parityShards: parityShards, cache: cache) }
    }

    /// Starts the thread: a round every 100 ms.
    public func start() {
        running.store(true, ordering: .relaxed)
        let t = Thread { [self] in
            defer { running.store(false, ordering: .relaxed) }
            while !stopFlag.load(ordering: .relaxed) {
                tick()
                var ts = timespec()
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
                cpuNanos.store(Int(ts.tv_sec) * 1_000_000_000 + ts.tv_nsec, ordering: .relaxed)
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        t.name = "checkpoint-guardian"
        t.start()
    }

    /// Stops the thread after its round (at most 5 s).
    public func stop() {
        stopFlag.store(true, ordering: .relaxed)
        let end = Date().addingTimeInterval(5)
        while running.load(ordering: .relaxed) && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
    }

    /// One round: the restart watch first (it is the one in a hurry), then new checkpoints,
    /// stale guard data, and a slice of scrubbing.
    public func tick() {
        let dt = lastTick.map { Date().timeIntervalSince($0) } ?? 0.1
        lastTick = Date()
        let gs = guards()
        rounds += 1
        watchRestart(gs)
        for g in gs {
            let guarded = Set(g.guarded())
            for id in g.retained() where !guarded.contains(id) {
                let path = "\(g.jobDirectory)/chk-\(id)/_metadata"
                var st = stat()
                guard stat(path, &st) == 0 else { continue }
                let mark = (Int(st.st_size), Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec))
                defer { seen[path] = mark }
                // Written and then left alone for a round: Flink has finished the checkpoint.
                guard let before = seen[path], before == mark else { continue }
                let t0 = Date()
                do {
                    if let (m, newShared) = try g.protectCounting(id) {
                        guardedBytes += m.totalBytes + newShared
                        emit(.guarded(id: id, files: m.files.count, bytes: m.totalBytes, parity: m.stripes * m.parityShards * m.blockSize,
                                      sharedFiles: m.shared?.count ?? 0, sharedNewBytes: newShared, millis: Date().timeIntervalSince(t0) * 1000))
                    }
                } catch { problem("guarding checkpoint \(id) of \(g.job): \(error.description)") }
            }
            // Flink drops a checkpoint about once a checkpoint interval: a look a second is enough.
            if rounds % 10 == 0 {
                let dropped = g.dropStale()
                if !dropped.isEmpty { emit(.dropped(dropped)) }
            }
        }
        lastScrubGap = dt
        scrub(gs, budget: Int(Double(scrubRate) * min(1, dt)))
    }

    /// A problem of the guard's own, once (a round would repeat it ten times a second).
    func problem(_ why: String) {
        guard !reported.contains(why) else { return }
        reported.insert(why)
        emit(.problem(why))
    }

    /// A finding as an event: every repair; damage that stays, once per file.
    func report(_ f: GuardFinding) {
        if f.outcome != .repaired {
            let key = "\(f.checkpoint)/\(f.path)"
            guard !reported.contains(key) else { return }
            reported.insert(key)
        }
        emit(.finding(f))
    }

    /// What the scrubber re-reads: a checkpoint's own files, or one shared file (once,
    /// however many checkpoints refer to it), as the newest retained one of those.
    enum ScrubUnit {
        case checkpoint(UInt64)
        case shared(GuardManifest.File, of: UInt64)

        var key: String {
            switch self {
            case let .checkpoint(id): "chk-\(id)"
            case let .shared(f, _): f.path
            }
        }
        var checkpoint: UInt64 {
            switch self {
            case let .checkpoint(id), let .shared(_, id): id
            }
        }
    }

    /// Checks guarded checkpoints' files and their shared files round robin until `budget`
    /// bytes are read; repairs.
    func scrub(_ gs: [CheckpointGuard], budget: Int) {
        var all: [(CheckpointGuard, ScrubUnit)] = []
        for g in gs {
            all += g.guarded().map { (g, .checkpoint($0)) }
            // The shared files' references change once a checkpoint: read again a second.
            if rounds % 10 == 0 || sharedUnits[g.job] == nil {
                sharedUnits[g.job] = g.sharedReferences().compactMap { r in r.referrers.last.map { (r.file, $0) } }
            }
            all += (sharedUnits[g.job] ?? []).map { (g, .shared($0.0, of: $0.1)) }
        }
        guard !all.isEmpty else { return }
        var left = budget
        var n = 0
        // At most one pass a second, however small the files: rot is found within a second
        // or two, and a restart's checkpoint is checked at once anyway.
        let units = min(all.count, max(1, Int((Double(all.count) * min(1, lastScrubGap)).rounded(.up))))
        while left > 0 && n < units {
            let (g, unit) = all[scrubCursor % all.count]
            scrubCursor += 1
            n += 1
            do {
                let peek = try check(g, unit, repair: false)
                left -= max(1, peek.bytes)
                guard !peek.gone, !peek.findings.isEmpty else { missingSince[unit.key] = nil; continue }
                // Flink discards an old checkpoint file by file, _metadata last, and the shared
                // files no retained checkpoint needs after it: files missing from one that is
                // not the newest are damage only if they stay missing.
                if peek.findings.allSatisfy({ $0.problem != .corrupt }), unit.checkpoint != g.retained().last {
                    let since = missingSince[unit.key] ?? now
                    missingSince[unit.key] = since
                    if now - since < 2 { continue }
                }
                let c = try check(g, unit, repair: true)
                for f in c.findings { report(f) }
            } catch { problem(error.description) }
        }
    }

    func check(_ g: CheckpointGuard, _ unit: ScrubUnit, repair: Bool) throws(FlinkError) -> GuardCheck {
        switch unit {
        case let .checkpoint(id): try g.check(id, repair: repair, shared: false)
        case let .shared(f, id): try g.checkShared(f, of: id, repair: repair)
        }
    }

    /// On RESTARTING (the job's own timestamp advancing), checks and repairs the newest
    /// completed checkpoint at once; later says whether that beat the job's RUNNING.
    func watchRestart(_ gs: [CheckpointGuard]) {
        guard let client, let job, let j = try? client.job(job) else { return }
        let restarting = j.timestamps["RESTARTING"] ?? 0
        if let p = pending, let running = j.timestamps["RUNNING"], running > p.restartingAt {
            let doneEpoch = started.timeIntervalSince1970 + p.done
            emit(.beforeRestore(id: p.id, millis: p.millis, intact: p.intact, inTime: doneEpoch * 1000 <= Double(running)))
            pending = nil
        }
        defer { lastRestarting = restarting }
        guard let last = lastRestarting, restarting > last else { return }
        let seenAt = Date()
        guard let g = gs.first(where: { $0.job == job }) else { return }
        // The checkpoint Flink restores is its newest completed one; REST may lag the disk
        // by its cache, so the newest guarded one is checked too.
        let candidates = [(try? client.checkpoints(job: job))?.latest?.completed?.id, g.guarded().last].compactMap { $0 }
        guard let id = candidates.max() else { return }
        let c: GuardCheck
        do { c = try g.check(id, repair: true) } catch {
            problem(error.description)
            return
        }
        let ms = Date().timeIntervalSince(seenAt) * 1000
        beforeRestoreMillis.append(ms)
        for f in c.findings { report(f) }
        pending = (id, now, restarting, ms, c.intact)
        if !c.intact && !c.gone {
            let fallback = g.guarded().filter { $0 < id }.reversed().first { (try? g.check($0, repair: true))?.intact == true }
            emit(.unrecoverable(id: id, fallback: fallback, directory: g.jobDirectory))
        }
    }
}
