import Engine
import Foundation
import Synchronization

/// Watches one Flink job over REST from its own thread and keeps a `ClusterSnapshot` of it:
/// TaskManagers as nodes, Flink's checkpoint history, throughput from vertex metrics, events
/// from job state changes, TaskManager arrivals and losses and the exception history, and —
/// when the job's output is known — the auditor's verdict. An unreachable cluster is shown as
/// such and polled again; nothing here throws at the reader.
public final class FlinkObserver: @unchecked Sendable {
    public let client: FlinkClient
    public let lab: LabState?
    /// The payments auditor, when the lab's job output directory is known.
    public let auditor: LedgerAuditor?
    /// What judges the job's output: the payments auditor, an `--audit` spec or an
    /// `--audit-command` (nil: nothing; the job is not judged).
    public let outputAudit: (any OutputAudit)?
    let started = Date()
    let state = Mutex<ClusterSnapshot>(ClusterSnapshot(uptime: 0, nodes: []))
    let stopFlag = Atomic<Bool>(false)
    /// Whether the polling threads run (else `poll` also does the slow tier, once).
    let threaded = Atomic<Bool>(false)

    // Poll state, under `lock` (two polling threads share it).
    let lock = NSLock()
    let auditLock = NSLock()
    let running = Atomic<Int>(0)
    var last: (FlinkModel.Job, [FlinkModel.TaskManagers.TaskManager])?
    var exceptionsSeeded = false
    var restoreSeeded = false
    var lastAudited: Int64 = -1
    var sawVerdict = false
    var lastAuditAdvance: Double = 0
    var lastRestarting: Int64 = 0
    var saidQuickRestart = false
    var jobId: String?
    var jobName: String?
    var tmOrder: [String] = []
    var present: Set<String> = []
    var saidUnregistered: Set<String> = []
    var lastJobState: String?
    var seenExceptions: Set<Int64> = []
    var checkpoints: [UInt64: ClusterSnapshot.Checkpoint] = [:]
    var restartReason = "job restarted"
    var restoredId: UInt64?
    var events: [EngineEvent] = []
    var recoveries: [ClusterSnapshot.Recovery] = []
    var samples: [(time: Double, produced: Int64, committed: Int64, audited: Int64)] = []
    var readTotal: Double = 0
    var lastPublish: Double?
    /// Read, committed and audited rates, each over a window of at least 5 s.
    var readWindow = RateWindow()
    var committedWindow = RateWindow()
    var auditedWindow = RateWindow()
    var liveness: JobLiveness?
    var lastAnswer: Double?
    /// Seconds between two looks at checkpoints, metrics and the audit; the job and the
    /// TaskManagers are looked at twice as often (`--poll`).
    public let pollInterval: Double
    /// Seconds between two looks at where subtasks run and at the TaskManagers' own metrics
    /// (sooner when the job's state or its TaskManagers change).
    public var placementInterval: Double { max(5, 5 * pollInterval) }
    var slowCache = Slow()
    var requestWindow: [(Double, Int)] = []
    let fault = Mutex<(time: Double, epoch: Double, node: Int)?>(nil)
    /// TaskManagers firedrill hung (their row says hung), by id; kept in `hungRecord` too,
    /// so a later session's `heal` finds them.
    let hung = Mutex<[String: HungTaskManagers.Entry]>([:])
    public let hungRecord: HungTaskManagers
    /// What reading `hungRecord` said when it could not be read (nil: read, or none).
    public private(set) var hungRecordProblem: String?

    struct Slow {
        var checkpoints: FlinkModel.Checkpoints?
        var restarts: Int?
        var subtasks: [String: Int] = [:]
        var cpu: [String: Double] = [:]
        var heapUsed: [String: Int] = [:]
        var heapMax: [String: Int] = [:]
        var read: Double = 0
        var written: Double = 0
        /// The source's records-out counter and when it was read.
        var readCount: (count: Double, at: Double)?
        var exceptions: [FlinkModel.Exceptions.Entry] = []
        var verdict: LedgerAuditor.Verdict?
        var auditVerdict: AuditVerdict?
        var auditFailure: String?
        var committedRecords: Int64 = 0
        /// When and for which job state and TaskManagers placement was last looked up.
        var placedAt: Double?
        var placedFor = ""
        /// Each TaskManager's host, and the jobs whose subtasks it runs.
        var hosts: [String: String] = [:]
        var jobsOn: [String: [String]] = [:]
    }

    /// `job`: the job to watch (nil: the lab's, else the only running one, resolved at the first
    /// answer). `output`: the job's output directory for the auditor.
    public init(client: FlinkClient, job: String?, lab: LabState?, output: String?, accounts: Int = PaymentsLedger().accounts, poll: Double = 1,
                audit: (any OutputAudit)? = nil) {
        self.client = client
        pollInterval = max(0.1, poll)
        hungRecord = HungTaskManagers(lab: lab, url: client.base)
        do throws(FlinkError) {
            let entries = try hungRecord.load()
            hung.withLock { h in for e in entries { h[e.id] = e } }
        } catch { hungRecordProblem = error.description }
        self.lab = lab
        jobId = job ?? lab?.jobId
        // The lab's TaskManagers are nodes even while one of them is down.
        tmOrder = (lab?.taskManagers.map(\.id) ?? []).sorted()
        if audit == nil, let output { auditor = LedgerAuditor(directory: output, ledger: PaymentsLedger(accounts: accounts)) } else { auditor = nil }
        outputAudit = audit ?? auditor
        var s = ClusterSnapshot(uptime: 0, nodes: [])
        s.attached = AttachedCluster(kind: "flink", url: client.base)
        s.attached?.pollSeconds = pollInterval
        state.withLock { $0 = s }
    }

    /// Seconds since attaching.
    public var now: Double { Date().timeIntervalSince(started) }

    /// The cluster now.
    public func snapshot() -> ClusterSnapshot {
        var s = state.withLock { $0 }
        s.uptime = now
        return s
    }

    /// Starts polling: the job and the TaskManagers every half `pollInterval` on one thread;
    /// checkpoints, exceptions and metrics every `pollInterval` on another, the auditor on a third (so a
    /// slow answer there never delays seeing a TaskManager go); where subtasks run and the
    /// TaskManagers' metrics every `placementInterval`, or sooner when the job changes.
    /// Starting it again does nothing.
    public func start() {
        guard !threaded.exchange(true, ordering: .relaxed) else { return }
        _ = loop("flink-observer", every: pollInterval / 2) { $0.poll() }
        _ = loop("flink-observer-slow", every: pollInterval) { $0.pollSlow() }
        if outputAudit != nil { _ = loop("flink-observer-audit", every: pollInterval) { $0.pollAudit() } }
    }

    /// A thread that runs `body` every `seconds` until `stop`.
    func loop(_ name: String, every seconds: Double, _ body: @escaping @Sendable (FlinkObserver) -> Void) -> Thread {
        running.add(1, ordering: .relaxed)
        let t = Thread { [self] in
            defer { running.subtract(1, ordering: .relaxed) }
            while !stopFlag.load(ordering: .relaxed) {
                let begin = Date()
                body(self)
                let spent = Date().timeIntervalSince(begin)
                if spent < seconds { Thread.sleep(forTimeInterval: seconds - spent) }
            }
        }
        t.name = name
        t.start()
        return t
    }

    /// The slow tier once: fetches without the lock, merges under it.
    public func pollSlow() {
        guard let (job, tms, previous) = lock.withLock({ last.map { ($0.0, $0.1, slowCache) } }) else { return }
        guard let s = try? slowPoll(job: job, tms: tms, previous: previous) else { return }
        lock.withLock { merge(s) }
    }

    func merge(_ s: Slow) {
        for e in s.exceptions.sorted(by: { $0.timestamp < $1.timestamp }) where !seenExceptions.contains(e.timestamp) {
            seenExceptions.insert(e.timestamp)
            if !exceptionsSeeded { continue }
            let node = e.taskManagerId.flatMap { tmOrder.firstIndex(of: $0) }
            event(.error, "exception: \(e.message)", node: node)
            restartReason = e.message
            if let last = recoveries.indices.last, recoveries[last].reason == "job restarted", now - recoveries[last].at < 15 { recoveries[last].reason = e.message }
        }
        if !exceptionsSeeded, !s.exceptions.isEmpty { event(.info, "\(s.exceptions.count) earlier exception\(s.exceptions.count == 1 ? "" : "s") in the job's history (not shown)") }
        exceptionsSeeded = true
        // Flink's per-second meter averages a minute and starts again at 0 with every restart:
        // the read rate is the source's records-out counter over a window (`RateWindow`).
        if let new = s.readCount { readWindow.add(time: new.at, count: new.count) }
        var s = s
        (s.verdict, s.auditVerdict, s.auditFailure, s.committedRecords) = (slowCache.verdict, slowCache.auditVerdict, slowCache.auditFailure, slowCache.committedRecords)
        slowCache = s
    }

    /// Stops polling and waits (up to 5 s) for both threads to finish their round.
    public func stop() {
        stopFlag.store(true, ordering: .relaxed)
        let end = now + 5
        while running.load(ordering: .relaxed) > 0 && now < end { Thread.sleep(forTimeInterval: 0.01) }
    }

    /// Stops polling, takes one last full look (the job, then the slow tier with the
    /// auditor, then the job again so both tiers are merged) and returns the snapshot.
    public func lastLook() -> ClusterSnapshot {
        stop()
        (outputAudit as? CommandAudit)?.settle()
        poll()
        pollSlow()
        pollAudit()
        poll()
        return snapshot()
    }

    /// The resolved job id, once known.
    public var job: String? { state.withLock { $0.attached?.jobId } }

    /// The TaskManager ids in node order (the lab's before the first answer).
    public var taskManagerIds: [String] {
        let published = state.withLock { $0.nodes.compactMap(\.name) }
        return published.isEmpty ? (lab?.taskManagers.map(\.id) ?? []).sorted() : published
    }

    /// Polls completed (answered or not).
    public var polls: Int { pollCount.load(ordering: .relaxed) }
    let pollCount = Atomic<Int>(0)

    /// Waits until the first poll has completed, at most `timeout` seconds.
    public func waitForFirstPoll(timeout: Double) {
        let end = now + timeout
        while polls == 0 && now < end { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// Adds an event (an operator action or its outcome) to the log.
    /// It shows at once, after every event published so far, and stays in that order: the
    /// poll moves it into the observer's own log and publishes that log with what was
    /// recorded since (a reader following the log never sees it twice or misses one).
    public func record(_ e: EngineEvent) {
        state.withLock { s in
            pendingEvents.withLock { $0.append(e) }
            s.events.append(e)
        }
    }
    /// Recorded, not yet in the observer's log (locked inside `state` when both are).
    let pendingEvents = Mutex<[EngineEvent]>([])

    func event(_ kind: EngineEvent.Kind, _ message: String, node: Int? = nil) {
        events.append(EngineEvent(time: now, node: node, kind: kind, message: message))
    }

    /// One round of requests; public for tests and the headless runner's last look.
    public func poll() {
        let t = now
        var attached = state.withLock { $0.attached } ?? AttachedCluster(kind: "flink", url: client.base)
        lock.withLock { events.append(contentsOf: pendingEvents.withLock { e in defer { e = [] }; return e }) }
        do throws(FlinkError) {
            if attached.version == nil { attached.version = try client.overview().flinkVersion }
            if jobId == nil { jobId = try client.resolveJob(nil).jid }
            guard let jid = jobId else { return }
            let job = try client.job(jid)
            jobName = job.name
            let tms = try client.taskManagers()
            lock.lock()
            defer { lock.unlock() }
            last = (job, tms)
            if polls == 0 && !threaded.load(ordering: .relaxed), let s = try? slowPoll(job: job, tms: tms, previous: slowCache) {  // a one-off look (tests, the last summary)
                merge(s)
                if let l = auditLook(jobState: job.state) { applyAudit(l) }
            }
            let live = JobLiveness(job: job, taskManagers: tms)
            if !live.isWorking { resetRates() }
            liveness = live
            lastAnswer = t
            if !attached.reachable, attached.problem != nil { event(.info, "\(client.base) answers again") }
            attached.reachable = true
            attached.problem = nil
            attached.jobId = jid
            attached.jobName = job.name
            attached.jobUptime = Double(job.duration) / 1000
            attached.jobState = job.state
            attached.jobStatus = live.text
            attached.working = live.isWorking
            attached.silentFor = nil
            (attached.tasksRunning, attached.tasksTotal) = job.tasksRunning
            let epoch = started.timeIntervalSince1970
            let onClock = { (ms: Int64?) -> Double? in ms.flatMap { $0 > 0 ? Double($0) / 1000 - epoch : nil } }
            attached.restartingAt = onClock(job.timestamps["RESTARTING"])
            attached.runningAt = onClock(job.timestamps["RUNNING"])
            attached.completions = (slowCache.checkpoints?.history ?? []).filter { $0.status == "COMPLETED" }.compactMap { c in
                onClock(c.latestAckTimestamp).map { AttachedCluster.CheckpointCompletion(id: c.id, at: $0) }
            }.sorted { $0.id < $1.id }.suffix(20).map { $0 }
            attached.restarts = slowCache.restarts
            track(job: job, tms: tms, at: t)
            publish(job: job, tms: tms, attached: &attached, at: t)
        } catch {
            lock.lock()
            defer { lock.unlock() }
            if attached.reachable || attached.problem == nil { event(.error, "cluster unreachable: \(error.description)") }
            attached.reachable = false
            attached.problem = error.description
            Self.forget(&attached)
            attached.silentFor = lastAnswer.map { t - $0 }
            resetRates()
            liveness = nil
            state.withLock { s in
                Self.forget(&s)
                s.attached = attached
                s.events = events + pendingEvents.withLock { $0 }  // recorded since the drain
            }
        }
        // REST load over a window as long as the slowest tier's round (placement), while
        // polling: a last look after the threads stopped neither adds to it nor empties it.
        if !stopFlag.load(ordering: .relaxed) {
            let window = max(10, placementInterval + pollInterval)
            requestWindow.append((t, client.requestCount))
            requestWindow.removeAll { t - $0.0 > window }
            let first = requestWindow.first ?? (t, client.requestCount)
            let rate = t - first.0 > 0.9 ? Double(client.requestCount - first.1) / (t - first.0) : 0
            state.withLock { $0.attached?.requestsPerSecond = rate }
        }
        pollCount.add(1, ordering: .relaxed)
    }

    func slowPoll(job: FlinkModel.Job, tms: [FlinkModel.TaskManagers.TaskManager], previous: Slow) throws(FlinkError) -> Slow {
        var s = Slow()
        s.checkpoints = try client.checkpoints(job: job.jid)
        s.exceptions = try client.exceptions(job: job.jid).exceptionHistory.entries
        let jm = try client.metrics("/jobs/\(job.jid)/metrics", ["numRestarts", "fullRestarts"])
        s.restarts = (jm.number("numRestarts") ?? jm.number("fullRestarts")).map { Int($0) }
        let (running, total) = job.tasksRunning
        let key = "\(job.state) \(running)/\(total) " + tms.map(\.id).sorted().joined(separator: ",")
        if previous.placedFor == key, let at = previous.placedAt, now - at < placementInterval {
            s.placedAt = at
            s.placedFor = key
            (s.subtasks, s.hosts, s.jobsOn) = (previous.subtasks, previous.hosts, previous.jobsOn)
            (s.cpu, s.heapUsed, s.heapMax) = (previous.cpu, previous.heapUsed, previous.heapMax)
        } else {
            try place(job: job, tms: tms, into: &s)
            s.placedAt = now
            s.placedFor = key
        }
        if let source = job.vertices.first, let sink = job.vertices.last {
            let m = try client.metrics("/jobs/\(job.jid)/vertices/\(source.id)/subtasks/metrics", ["numRecordsOutPerSecond", "numRecordsOut"])
            s.read = m.number("numRecordsOutPerSecond") ?? 0
            s.readCount = m.number("numRecordsOut").map { ($0, now) }
            s.written = try client.metrics("/jobs/\(job.jid)/vertices/\(sink.id)/subtasks/metrics", ["numRecordsInPerSecond"]).number("numRecordsInPerSecond") ?? 0
        }
        return s
    }

    /// What the judge of the output says now (nil: no judge). Reading a long past takes
    /// seconds: it has a thread of its own, so rates and checkpoints never wait on it.
    func auditLook(jobState: String) -> AuditLook? {
        guard let a = outputAudit else { return nil }
        // One reader of the files at a time (the audit thread, or a last look after stop).
        auditLock.lock()
        defer { auditLock.unlock() }
        // The files are listed as the read begins: the counts are of that moment, however long
        // the read takes (the first read of a long past takes seconds).
        let at = now
        a.refresh(final: ["FINISHED", "CANCELED"].contains(jobState))
        // The payments job writes two rows (debit, credit) per transfer.
        return AuditLook(at: at, verdict: a.verdict, auditVerdict: a.auditVerdict, failure: a.failure,
                         committed: a is LedgerAuditor ? a.verdict.rows / 2 : a.verdict.rows)
    }

    /// One look of the output's judge.
    struct AuditLook {
        var at: Double
        var verdict: LedgerAuditor.Verdict
        var auditVerdict: AuditVerdict
        var failure: String?
        var committed: Int64
    }

    /// Takes an audit look in (under `lock`).
    func applyAudit(_ l: AuditLook) {
        (slowCache.verdict, slowCache.auditVerdict, slowCache.auditFailure, slowCache.committedRecords) = (l.verdict, l.auditVerdict, l.failure, l.committed)
        committedWindow.add(time: l.at, count: Double(l.committed))
        auditedWindow.add(time: l.at, count: Double(l.verdict.transfers))
    }

    /// The audit tier once.
    public func pollAudit() {
        guard let state = lock.withLock({ last?.0.state }), let l = auditLook(jobState: state) else { return }
        lock.withLock { applyAudit(l) }
    }

    /// Turns changes since the last poll into events and recoveries.
    func track(job: FlinkModel.Job, tms: [FlinkModel.TaskManagers.TaskManager], at t: Double) {
        let ids = Set(tms.map(\.id))
        for id in ids.sorted() where !tmOrder.contains(id) { tmOrder.append(id) }
        // Said once per TaskManager, not at every poll while none is registered.
        if present.isEmpty {
            for id in tmOrder where !ids.contains(id) && !saidUnregistered.contains(id) {
                saidUnregistered.insert(id)
                event(.error, "TaskManager \(id) of the lab is not registered", node: tmOrder.firstIndex(of: id))
            }
        }
        for id in tmOrder {
            let node = tmOrder.firstIndex(of: id)
            if ids.contains(id) && !present.contains(id) && !present.isEmpty { event(.recovery, "TaskManager \(id) registered", node: node) }
            if !ids.contains(id) && present.contains(id) {
                let after = fault.withLock { $0 }.flatMap { $0.node == node ? t - $0.time : nil }
                event(.detection, "TaskManager \(id) lost" + (after.map { " (\(Format.seconds($0)) after the fault)" } ?? ""), node: node)
            }
        }
        if present.isEmpty && !ids.isEmpty {
            event(.info, "attached to \(job.name) (\(job.jid)) on \(client.base): \(ids.count) TaskManagers, job \(job.state)")
            for e in hung.withLock({ $0.values.sorted { $0.id < $1.id } }) {
                event(.error, "TaskManager \(e.id) is still hung by an earlier session (recorded in \(hungRecord.path)): H or 'heal' resumes it", node: tmOrder.firstIndex(of: e.id))
            }
            if let p = hungRecordProblem { event(.error, p) }
        }
        present = ids
        // A restart shorter than a poll still leaves its timestamps.
        let restartingAt = job.timestamps["RESTARTING"] ?? 0
        let runningAt = job.timestamps["RUNNING"] ?? 0
        if restartingAt > lastRestarting, lastJobState != nil {
            if lastJobState == "RUNNING" && job.state == "RUNNING" && !saidQuickRestart {
                event(.detection, "job RUNNING → RESTARTING → RUNNING (between two polls)")
                saidQuickRestart = true
            }
            resetRates()
            // A recovery is a restore that happened: the job RUNNING again with every subtask
            // RUNNING, not a job that is scheduled and waits for slots.
            if runningAt > restartingAt, liveness?.isWorking == true {
                saidQuickRestart = false
                let restored: UInt64? = nil  // filled in when Flink's checkpoint statistics show the restore
                let detect = fault.withLock { $0 }.map { Double(restartingAt) / 1000 - $0.epoch }
                recoveries.append(ClusterSnapshot.Recovery(reason: restartReason, detect: detect, restore: Double(runningAt - restartingAt) / 1000,
                                                           checkpoint: restored, at: t))
                fault.withLock { $0 = nil }
                lastRestarting = restartingAt
            }
        } else if lastJobState == nil {
            lastRestarting = restartingAt
        }
        if job.state != lastJobState {
            if let last = lastJobState { event(job.state == "RUNNING" ? .recovery : job.state == "RESTARTING" || job.state == "FAILING" ? .detection : .info, "job \(last) → \(job.state)") }
            lastJobState = job.state
        }
        if let r = slowCache.checkpoints?.latest?.restored, r.id != restoredId {
            // The restore Flink did before firedrill attached is the job's past, not an event.
            if restoreSeeded {
                event(.restore, "restored checkpoint \(r.id)\(r.externalPath.map { " from \($0)" } ?? "")")
                resetRates()
            }
            if let last = recoveries.indices.last, t - recoveries[last].at < 15 { recoveries[last].checkpoint = r.id }
            restoredId = r.id
        }
        if slowCache.checkpoints != nil { restoreSeeded = true }
        for c in slowCache.checkpoints?.history ?? [] {
            let mapped = Self.map(c, restored: restoredId)
            if let old = checkpoints[c.id], old.status == mapped.status { continue }
            if checkpoints[c.id] != nil || mapped.status != .inProgress {
                switch mapped.status {
                case .failed: event(.error, "checkpoint \(c.id) failed: \(c.failureMessage ?? "no reason given")")
                case .complete where checkpoints.count < 1 || c.isSavepoint:
                    event(.checkpoint, "\(c.isSavepoint ? "savepoint" : "checkpoint") \(c.id) completed")
                default: break
                }
            }
            checkpoints[c.id] = mapped
        }
    }

    static func map(_ c: FlinkModel.Checkpoints.Checkpoint, restored: UInt64?) -> ClusterSnapshot.Checkpoint {
        let status: ClusterSnapshot.CheckpointStatus = switch c.status {
        case "COMPLETED": c.id == restored ? .restored : .complete
        case "FAILED": .failed
        default: .inProgress
        }
        let note = c.failureMessage ?? (c.isSavepoint ? "savepoint" : (c.checkpointType ?? "").lowercased().replacingOccurrences(of: "_", with: " "))
        return ClusterSnapshot.Checkpoint(id: c.id, status: status, duration: c.endToEndDuration.map { Double($0) / 1000 },
                                          bytes: Int(c.stateSize ?? 0), note: note)
    }

    func publish(job: FlinkModel.Job, tms: [FlinkModel.TaskManagers.TaskManager], attached: inout AttachedCluster, at t: Double) {
        let nowMs = job.now ?? Int64(Date().timeIntervalSince1970 * 1000)
        let byId = Dictionary(tms.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let stopped = Set(hung.withLock { $0.keys })
        let nodes: [ClusterSnapshot.Node] = tmOrder.enumerated().map { i, id in
            var n = ClusterSnapshot.Node(id: i, name: id)
            if let tm = byId[id] {
                n.slots = tm.slotsNumber
                n.heartbeatAge = max(0, Double(nowMs - tm.timeSinceLastHeartbeat) / 1000)
                n.subtasks = slowCache.subtasks[id] ?? 0
                n.cpuLoad = slowCache.cpu[id]
                n.heapUsed = slowCache.heapUsed[id]
                n.heapMax = slowCache.heapMax[id]
                n.health = stopped.contains(id) ? .hung : n.heartbeatAge > 2 ? .suspect : job.state == "RESTARTING" ? .recovering : .healthy
            } else {
                n.state = .stopped
                n.health = stopped.contains(id) ? .hung : .down
            }
            return n
        }
        let cps = checkpoints.values.sorted { $0.id < $1.id }.suffix(60)
        var audited: Int64 = 0, committed: Int64 = 0
        if let v = slowCache.verdict {
            if v.transfers > lastAudited { lastAudited = v.transfers; lastAuditAdvance = t }
            audited = v.transfers
            committed = slowCache.committedRecords
            attached.audited = true
            attached.auditFailure = slowCache.auditFailure
            attached.wrongRows = v.wrong
            attached.missingTransfers = v.missing
            attached.firstProblem = v.firstProblem ?? v.firstMalformed.map { "malformed line at \($0)" }
        }
        // The graph's read line integrates the windowed rate over the time between looks.
        readTotal += (readWindow.rate ?? 0) * (lastPublish.map { max(0, t - $0) } ?? 0)
        lastPublish = t
        let working = liveness?.isWorking == true
        attached.readRate = working ? readWindow.rate : nil
        attached.committedRate = working ? committedWindow.rate : nil
        attached.auditedRate = working ? auditedWindow.rate : nil
        attached.taskManagerFacts = tmOrder.map { id in
            AttachedCluster.TaskManagerFacts(id: id, host: slowCache.hosts[id], jobs: slowCache.jobsOn[id] ?? [],
                                             age: slowCache.placedAt.map { max(0, now - $0) } ?? 0)
        }
        // The first verdict covers the job's whole past at once: the graph starts after it.
        if slowCache.verdict != nil && !sawVerdict { sawVerdict = true; samples.removeAll() }
        samples.append((t, Int64(readTotal), committed, audited))
        if samples.count > 4 * 70 { samples.removeFirst(samples.count - 4 * 70) }
        let history = ClusterSnapshot.HistoryPoint.points(samples)
        let snapEvents = events.suffix(500)
        events = Array(snapEvents)
        state.withLock { s in
            s.nodes = nodes
            s.running = ["RUNNING", "RESTARTING", "CREATED", "INITIALIZING"].contains(job.state)
            s.checkpoints = Array(cps)
            s.checkpointsCompleted = slowCache.checkpoints?.counts.completed ?? 0
            s.newestCheckpoint = slowCache.checkpoints?.latest?.completed?.id
            s.restoredFrom = restoredId
            s.producedPerSecond = attached.readRate ?? 0
            s.committedPerSecond = attached.committedRate ?? 0
            s.auditedPerSecond = attached.auditedRate ?? 0
            s.produced = Int64(readTotal)
            s.applied = Int64(slowCache.written)
            s.history = history
            s.recoveries = recoveries
            s.recovering = job.state == "RESTARTING"
            s.events = events + pendingEvents.withLock { $0 }  // recorded since the drain
            if var v = slowCache.auditVerdict {
                v.checkpoint = s.newestCheckpoint
                s.audit = v
                s.sinkCommittedTransfers = committed
                // Everything committed up to the last advance is proven; how old that is.
                s.verdictAge = t - lastAuditAdvance
            }
            s.attached = attached
        }
    }

    /// Marks a fault's time on a node (a kill's detection is measured from it).
    func faultInjected(node: Int) { let t = now; let e = Date().timeIntervalSince1970; fault.withLock { $0 = (t, e, node) } }
}

/// Short number words for event text.
enum Format {
    static func seconds(_ s: Double) -> String { s < 10 ? String(format: "%.2f s", s) : String(format: "%.1f s", s) }
}
