/// Keeps a `FaultReceipt` per fault: an operator's fault command opens one, and each typed
/// event the engine logs afterwards is added to the receipts it concerns (a node down to
/// the fault on that node, a rollback to every receipt waiting for one, a retransmit to the
/// bad frame on that link, a repaired shard to the rotted shard or the wiped disk). The
/// start of each checkpoint and each audit verdict close the stories: the audit of the
/// first checkpoint begun after a repair is its proof. Something the engine finds that no
/// fault explains (a node down, a bad shard) gets a receipt of its own.
/// Both runtimes feed it from the one status board, under its lock.
public struct ReceiptBook: Sendable, Equatable {
    /// The receipts, oldest first (the newest `limit`).
    public private(set) var receipts: [FaultReceipt] = []
    private var nextID = 1
    /// Recoveries begun so far (a receipt names the one that absorbed its fault).
    private var recoveriesBegun = 0
    /// Receipts kept.
    public static let limit = 100

    public init() {}

    /// Adds what an event says to the receipts it concerns.
    public mutating func record(_ e: EngineEvent) {
        let t = e.time
        switch e.detail {
        case let .command(c): command(c, at: t)
        case let .nodeDown(n, phi, silence):
            let i = nodeReceipt(n) ?? open(nil, subject: .node(n), at: t)
            if receipts[i].lastIndex(where: { if case .detected = $0 { true } else { false } }) == nil {
                receipts[i].add(.detected(phi: phi, silence: silence), at: t)
            }
            receipts[i].needsRecovery = true
        case let .nodeStalled(n, seconds, phase):
            switch phase {
            case .began, .ended: break  // shown on the node; only a stall long enough to matter has a story
            case .restarted:
                // Heartbeating but no progress long enough: the supervisor restarts it, as a
                // detection would. Tied to a fault on the node if one is open, else its own.
                let i = nodeReceipt(n) ?? open(nil, subject: .node(n), at: t)
                receipts[i].add(.stalled(seconds: seconds), at: t)
                receipts[i].needsRecovery = true
            }
        case let .restartScheduled(n, backoff):
            guard let i = nodeReceipt(n) else { return }
            if let j = receipts[i].lastIndex(where: { if case .restarted = $0 { true } else { false } }),
               case let .restarted(times, _) = receipts[i].entries[j].step {
                receipts[i].entries[j].step = .restarted(times: times + 1, backoff: backoff)
            } else {
                receipts[i].add(.restarted(times: 1, backoff: backoff), at: t)
            }
            receipts[i].needsRecovery = true  // the restart rolls the job back (now or after the backoff)
            receipts[i].restartDue = t + backoff
        case let .quarantined(n, restarts, _):
            guard let i = nodeReceipt(n) else { return }
            receipts[i].add(.quarantined(restarts: restarts), at: t)
            receipts[i].status = .stuck
        case let .faultAbsorbed(n, id, source):
            // Only a fault not yet detected: a detection makes the node's recovery its own.
            guard let i = nodeReceipt(n), receipts[i].fault != nil,
                  !receipts[i].entries.contains(where: { if case .detected = $0.step { true } else { false } }) else { return }
            receipts[i].add(.absorbed(recovery: recoveriesBegun, checkpoint: id, source: source), at: t)
            receipts[i].needsRecovery = false
            receipts[i].inRecovery = false
            receipts[i].restartDue = nil
            receipts[i].awaitingCatchUp = true
            receipts[i].faultEnded = true
        case .recoveryBegan:
            recoveriesBegun += 1
            for i in receipts.indices where receipts[i].needsRecovery {
                receipts[i].needsRecovery = false
                receipts[i].inRecovery = true
            }
        case let .checkpointFailed(id, .abandonedByRecovery):
            for i in receipts.indices where receipts[i].inRecovery { receipts[i].add(.checkpointAbandoned(id), at: t) }
        case let .fallback(from, to):
            for i in receipts.indices where receipts[i].inRecovery || shardReceipt(i, checkpoint: from) {
                receipts[i].add(.fellBack(from: from, to: to), at: t)
            }
        case .startedOver:
            for i in receipts.indices where receipts[i].inRecovery { receipts[i].add(.startedOver, at: t) }
        case let .rolledBack(id, seconds, sources):
            for i in receipts.indices where receipts[i].inRecovery { rolledBack(i, id, seconds, sources, at: t) }
        case let .caughtUp(after):
            for i in receipts.indices where receipts[i].awaitingCatchUp {
                receipts[i].awaitingCatchUp = false
                receipts[i].add(.caughtUp(after: after), at: t)
                if receipts[i].faultEnded { receipts[i].heal(at: t) }
            }
        case let .frameCorrupt(frame, from, _):
            frameCaught(frame, from: from, receiver: e.node, corrupt: true, at: t)
        case let .frameLost(frame, from):
            frameCaught(frame, from: from, receiver: e.node, corrupt: false, at: t)
        case let .linkDegraded(from, to):
            if let i = receipts.lastIndex(where: { $0.fault == .corruptFrame(from) && !$0.isClosed }) {
                receipts[i].add(.linkDegraded(from: from, to: to), at: t)
            }
        case let .shardBad(id, shard, node, why):
            let i = shardTarget(id, shard, node) ?? open(nil, subject: .shard(checkpoint: id, shard: shard, node: node), at: t)
            let count = receipts[i].entries.count { if case .shardFound = $0.step { true } else { false } } + 1
            receipts[i].add(.shardFound(checkpoint: id, shard: shard, node: node, missing: why == "missing", count: count), at: t)
        case let .shardRepaired(id, shard, node, from):
            guard let i = shardTarget(id, shard, node) else { return }
            let count = receipts[i].entries.count { if case .shardRepaired = $0.step { true } else { false } } + 1
            receipts[i].add(.shardRepaired(checkpoint: id, shard: shard, from: from, count: count), at: t)
            if receipts[i].wipedShards == nil {  // one shard: repaired is healed
                receipts[i].faultEnded = true
                receipts[i].heal(at: t)
            }
        case let .shardRebuilt(id, shard, _):
            guard let i = shardTarget(id, shard, nil) else { return }
            receipts[i].add(.shardRebuiltOnRestore(checkpoint: id, shard: shard), at: t)
            if receipts[i].wipedShards == nil { receipts[i].heal(at: t) }
        case let .shardUnrepairable(id, shard, why):
            guard let i = shardTarget(id, shard, nil) else { return }
            receipts[i].add(.unrepairable(checkpoint: id, shard: shard, why: why), at: t)
            receipts[i].status = .beyondTolerance
            receipts[i].healedAt = receipts[i].healedAt ?? t
        case let .scrubPassed(shards, repaired, bad):
            // A whole pass that found nothing to rewrite: one that began before the wipe would
            // have met the shards deleted after its start.
            guard bad == 0, repaired == 0 else { return }
            for i in receipts.indices where receipts[i].wipedShards != nil && receipts[i].healedAt == nil
                && receipts[i].entries.contains(where: { if case .shardRepaired = $0.step { true } else { false } }) {
                receipts[i].add(.scrubVerified(shards: shards), at: t)
                receipts[i].heal(at: t)
            }
        case let .sinkRebuilt(id?, why, _, rows, seconds) where t > 0:
            // At a start (time 0) the rebuild is part of opening the directory, not a live repair.
            let i = receipts.lastIndex { $0.fault == .corruptSink && $0.healedAt == nil } ?? open(nil, subject: .sink, at: t)
            receipts[i].add(.sinkDamaged(why: why), at: max(receipts[i].at, t - seconds))  // found as the rebuild began
            receipts[i].add(.sinkRebuilt(checkpoint: id, rows: rows, seconds: seconds), at: t)
            receipts[i].faultEnded = true
            receipts[i].heal(at: t)
        case let .diskWiped(n, shards):
            guard let i = receipts.lastIndex(where: { $0.fault == .wipeDisk(n) && $0.wipedShards == nil }) else { return }
            receipts[i].wipedShards = shards
            if shards == 0 { receipts[i].heal(at: t) }
        case .started, .stopped, .warning, .restoreSkipped, .inputStalled, .checkpointFailed, .auditMismatch, .auditFailed,
             .auditRecovered, .sinkRebuilt, .diskSpaceBack, .enginePaused, .hostStall, .note:
            break  // nothing a receipt tells
        }
    }

    /// A checkpoint's barriers were injected at `time`: it is the proof of every receipt
    /// repaired before.
    public mutating func checkpointBegan(_ id: UInt64, at time: Double) {
        for i in receipts.indices where receipts[i].proofCheckpoint == nil {
            if let h = receipts[i].healedAt, h <= time { receipts[i].proofCheckpoint = id }
        }
    }

    /// The retention removed these checkpoints: a damaged shard of one of them needs no repair.
    public mutating func retired(_ ids: [UInt64], at time: Double) {
        for i in receipts.indices where receipts[i].healedAt == nil {
            switch receipts[i].fault {
            case let .corruptShard(.id(c), _)?, let .deleteShard(.id(c), _)?:
                guard ids.contains(c) else { continue }
            case nil:
                guard case let .shard(c, _, _)? = receipts[i].subject, ids.contains(c) else { continue }
            case .corruptShard(.latest, _)?, .deleteShard(.latest, _)?, .kill?, .hang?, .slow?, .corruptFrame?, .partition?, .wipeDisk?,
                 .heal?, .checkpointNow?, .recoverNow?, .restart?, .savepoint?, .corruptCheckpoint?, .corruptSink?, .tearWrite?, .corruptRows?:
                continue
            }
            receipts[i].add(.retired, at: time)
            receipts[i].heal(at: time)
        }
    }

    /// The auditor's verdict on the sink as of checkpoint `verdict.checkpoint`.
    public mutating func audited(_ v: AuditVerdict, at time: Double) {
        guard let id = v.checkpoint else { return }
        for i in receipts.indices where !receipts[i].isClosed {
            guard let p = receipts[i].proofCheckpoint, p <= id else { continue }
            let ok = v.exact && v.moneyConserved
            receipts[i].add(.audited(checkpoint: id, exact: v.exact, lost: v.lost, duplicated: v.duplicated, moneyConserved: v.moneyConserved), at: time)
            if receipts[i].status != .beyondTolerance || !ok { receipts[i].status = ok ? .proved : .disproved }
            receipts[i].proofCheckpoint = .max  // proved once
        }
    }

    // MARK: - Private

    private mutating func command(_ c: Command, at t: Double) {
        switch c {
        case .kill, .hang, .restart, .slow, .partition, .corruptFrame, .corruptShard, .deleteShard, .wipeDisk, .corruptSink:
            _ = open(c, at: t)
        case .recoverNow:
            let i = open(c, at: t)
            receipts[i].needsRecovery = true
            receipts[i].faultEnded = true
        case let .heal(target):
            for i in receipts.indices where receipts[i].healedAt == nil && (receipts[i].status == .pending || receipts[i].status == .stuck) {
                guard let f = receipts[i].fault, target == nil || receipts[i].node == target else { continue }
                switch f {
                case .slow, .partition, .hang:
                    let detected = receipts[i].entries.contains { if case .detected = $0.step { true } else { false } }
                    if case .hang = f, detected { continue }  // already replaced: nothing to heal
                    receipts[i].add(.healedByOperator, at: t)
                    receipts[i].faultEnded = true
                    if case .partition = f, detected || receipts[i].awaitingCatchUp {
                        receipts[i].needsRecovery = true  // healing a partition rolls the job back
                    } else if !detected {
                        receipts[i].add(.neverMarkedDown, at: t)
                        receipts[i].heal(at: t)
                    }
                case .kill, .corruptFrame, .corruptShard, .deleteShard, .wipeDisk, .heal, .checkpointNow, .recoverNow, .restart,
                     .savepoint, .corruptCheckpoint, .corruptSink, .tearWrite, .corruptRows:
                    if receipts[i].status == .stuck {
                        receipts[i].add(.healedByOperator, at: t)
                        receipts[i].status = .pending
                        receipts[i].needsRecovery = true  // it rejoins through a recovery
                    }
                }
            }
        case .checkpointNow, .savepoint, .corruptCheckpoint:
            break  // no fault: nothing to tell
        case .tearWrite, .corruptRows:
            break  // a torn write or moved rows: the failed checkpoint or the audit mismatch tells it; no story of its own yet
        }
    }

    private mutating func open(_ fault: Command?, subject: FaultReceipt.Subject? = nil, at t: Double) -> Int {
        receipts.append(FaultReceipt(id: nextID, fault: fault, subject: subject, at: t))
        nextID += 1
        if receipts.count > Self.limit { receipts.removeFirst(receipts.count - Self.limit) }
        return receipts.count - 1
    }

    /// The newest unfinished receipt of a fault on node `n`'s process.
    private func nodeReceipt(_ n: Int) -> Int? {
        receipts.lastIndex { r in
            guard r.healedAt == nil, r.status == .pending || r.status == .stuck, r.node == n else { return false }
            switch r.fault {
            case .kill?, .hang?, .restart?, .slow?, .partition?: return true
            case nil: if case .node = r.subject { return true } else { return false }
            case .corruptFrame?, .corruptShard?, .deleteShard?, .wipeDisk?, .heal?, .checkpointNow?, .recoverNow?, .savepoint?,
                 .corruptCheckpoint?, .corruptSink?, .tearWrite?, .corruptRows?:
                return false
            }
        }
    }

    private func shardReceipt(_ i: Int, checkpoint: UInt64) -> Bool {
        switch receipts[i].fault {
        case let .corruptShard(.id(c), _)?, let .deleteShard(.id(c), _)?: c == checkpoint
        case .corruptShard(.latest, _)?, .deleteShard(.latest, _)?, .kill?, .hang?, .slow?, .corruptFrame?, .partition?, .wipeDisk?,
             .heal?, .checkpointNow?, .recoverNow?, .restart?, .savepoint?, .corruptCheckpoint?, .corruptSink?, .tearWrite?, .corruptRows?, nil:
            false
        }
    }

    /// The receipt a shard event belongs to: the damaged shard itself, else the wiped disk.
    private func shardTarget(_ id: UInt64, _ shard: Int, _ node: Int?) -> Int? {
        if let i = receipts.lastIndex(where: { r in
            switch r.fault {
            case let .corruptShard(.id(c), s)?, let .deleteShard(.id(c), s)?: c == id && s == shard && !r.isClosed
            case nil:
                if case let .shard(c, s, _)? = r.subject { c == id && s == shard && !r.isClosed } else { false }
            case .corruptShard(.latest, _)?, .deleteShard(.latest, _)?, .kill?, .hang?, .slow?, .corruptFrame?, .partition?, .wipeDisk?,
                 .heal?, .checkpointNow?, .recoverNow?, .restart?, .savepoint?, .corruptCheckpoint?, .corruptSink?, .tearWrite?, .corruptRows?:
                false
            }
        }) { return i }
        guard let node else { return nil }
        return receipts.lastIndex { $0.fault == .wipeDisk(node) && $0.healedAt == nil }
    }

    private mutating func rolledBack(_ i: Int, _ id: UInt64, _ seconds: Double, _ sources: [RestoreSource?], at t: Double) {
        receipts[i].inRecovery = false
        receipts[i].awaitingCatchUp = true
        // A restart still in its backoff brings another recovery.
        if let due = receipts[i].restartDue, due > t + 1e-9 { receipts[i].needsRecovery = true }
        if let n = receipts[i].node, n < sources.count, receipts[i].fault != .recoverNow {
            // A repeated failure of the same fault (a partition's) keeps the newest restore and
            // replay; the restart count says how often it went round.
            receipts[i].entries.removeAll { e in
                if case .restored = e.step { return true }
                if case .caughtUp = e.step { return true }
                return false
            }
            receipts[i].add(.restored(checkpoint: id, source: sources[n], seconds: seconds), at: t)
            switch receipts[i].fault {
            case .kill?, .hang?, .restart?, nil: receipts[i].faultEnded = sources[n] != nil  // a new incarnation runs
            case .slow?, .corruptFrame?, .partition?, .corruptShard?, .deleteShard?, .wipeDisk?, .heal?, .checkpointNow?, .recoverNow?,
                 .savepoint?, .corruptCheckpoint?, .corruptSink?, .tearWrite?, .corruptRows?:
                break
            }
        } else {
            receipts[i].add(.rolledBack(checkpoint: id, seconds: seconds), at: t)
        }
    }

    private mutating func frameCaught(_ frame: UInt64, from: Int, receiver: Int?, corrupt: Bool, at t: Double) {
        guard let i = receipts.firstIndex(where: { $0.fault == .corruptFrame(from) && $0.healedAt == nil }) else { return }
        receipts[i].add(.frameCaught(frame: frame, receiver: receiver ?? -1, corrupt: corrupt), at: t)
        receipts[i].faultEnded = true
        receipts[i].heal(at: t)
    }
}
