/// Every word of a receipt, written here once: the dashboard's panel, the reports and the
/// records render from these.
extension FaultReceipt {
    /// What broke, as a person says it: "kill node 2", "rot shard 1 of checkpoint 4".
    public var title: String {
        if let f = fault {
            switch f {
            case let .kill(n): return "kill node \(n)"
            case let .hang(n): return "hang node \(n)"
            case let .slow(n, d): return "slow node \(n) by \(Self.span(d)) a batch"
            case let .corruptFrame(n): return "flip a bit on node \(n)'s link"
            case let .partition(n): return "partition node \(n)"
            case let .corruptShard(c, s): return "rot shard \(s) of checkpoint \(c)"
            case let .deleteShard(c, s): return "delete shard \(s) of checkpoint \(c)"
            case let .wipeDisk(n): return "wipe node \(n)'s disk"
            case .recoverNow: return "recover now"
            case let .restart(n): return "restart node \(n)"
            case .corruptSink: return "rot a page of the sink's database"
            case .corruptRows: return "move money between two rows of the sink"
            case let .tearWrite(n): return n == 1 ? "tear the next write to the disks" : "tear the \(n)th write to the disks from now"
            case .heal, .checkpointNow, .savepoint, .corruptCheckpoint: return f.description
            }
        }
        switch subject {
        case let .node(n)?: return "node \(n) marked down, no fault injected"
        case let .shard(c, s, n)?: return "shard \(s) of checkpoint \(c) on node \(n) bad, no fault injected"
        case .sink?: return "the sink's database damaged, no fault injected"
        case nil: return "unexplained"
        }
    }

    /// The entries as shown: runs of the same shard step (a wiped disk's) kept as their last,
    /// which carries the count.
    public var story: [Entry] {
        var out: [Entry] = []
        for (i, e) in entries.enumerated() {
            if wipedShards != nil, case .shardFound = e.step,
               entries[(i + 1)...].contains(where: { if case .shardFound = $0.step { true } else { false } }) { continue }
            if wipedShards != nil, case .shardRepaired = e.step,
               entries[(i + 1)...].contains(where: { if case .shardRepaired = $0.step { true } else { false } }) { continue }
            out.append(e)
        }
        return out
    }

    /// Seconds from the step before `index` in `story` (or from the fault) to it.
    public func elapsed(_ story: [Entry], _ index: Int) -> Double {
        story[index].at - (index == 0 ? at : story[index - 1].at)
    }

    /// A step in words, with its measured time (`after`: seconds since the step before).
    public func text(_ step: Step, after: Double) -> String {
        let d = Self.span(after)
        switch step {
        case let .detected(phi, silence):
            return "down after \(d) (phi \(Self.fixed(phi)), \(Self.span(silence)) without a heartbeat)"
        case let .stalled(seconds):
            return "stalled: heartbeating but no progress for \(Self.span(seconds)) (not down), so restarted"
        case let .restarted(times, backoff):
            // Stamped when the supervisor decided: with a backoff the restart itself comes later
            // (the recovery step that follows says when).
            if times == 1 { return backoff == 0 ? "supervisor restarted it at once" : "supervisor set a \(Self.span(backoff)) backoff before restarting it" }
            return "supervisor restarted it \(times) times (the last after a \(Self.span(backoff)) backoff, set here)"
        case let .quarantined(r): return "quarantined after \(r) restarts: heal (H) lets it rejoin"
        case let .checkpointAbandoned(id): return "checkpoint \(id), in flight, abandoned"
        case let .restored(c, source, seconds):
            switch source {
            case let .standby(p)?: return "restored from the standby copy on node \(p) in \(Self.span(seconds)) (checkpoint \(c))"
            case .shards?: return "rebuilt from its erasure-coded shards in \(Self.span(seconds)) (checkpoint \(c))"
            case .local?: return "rolled back to its own copy of checkpoint \(c) in \(Self.span(seconds))"
            case nil: return "not restored: quarantined, it stays down"
            }
        case let .rolledBack(c, seconds): return "every node rolled back to checkpoint \(c) in \(Self.span(seconds))"
        case let .fellBack(from, to): return "checkpoint \(from) could not be restored: checkpoint \(to) used instead"
        case .startedOver: return "no checkpoint restored: started again from the beginning"
        case let .caughtUp(replay): return "caught up after \(Self.span(replay)) of replay"
        case let .frameCaught(frame, receiver, corrupt):
            let by = receiver >= 0 ? " at node \(receiver)" : ""
            return corrupt ? "CRC32C\(by) caught frame \(frame) after \(d); resent from the retransmit buffer"
                : "frame \(frame) lost; the gap seen\(by) after \(d); resent from the retransmit buffer"
        case let .linkDegraded(from, to): return "link \(from)→\(to) marked degraded: 3 bad frames in 10 s"
        case let .shardFound(c, s, n, missing, count):
            if count > 1 { return "scrubber found \(count) shards \(missing ? "missing" : "bad") within \(d)" }
            return "scrubber found shard \(s) of checkpoint \(c) on node \(n) \(missing ? "missing" : "failing its CRC32C") after \(d)"
        case let .shardRebuiltOnRestore(c, s): return "shard \(s) of checkpoint \(c) rebuilt from the others while restoring"
        case let .shardRepaired(_, _, from, count):
            if count > 1 { return "rebuilt \(count) shards from the intact others, each within \(Self.span(slowestRepair)) of being found" }
            return "rebuilt from shards \(from.map(String.init).joined(separator: ",")) (\(from.count) intact) in \(d); its CRC32C matches the manifest"
        case let .unrepairable(_, _, why): return "cannot be rebuilt: \(why) (beyond tolerance)"
        case let .scrubVerified(shards): return "the next full scrubber pass found all \(shards) shards intact"
        case .retired: return "the checkpoint was retired (only the newest are kept) after \(d), before anything read the shard: nothing left to repair"
        case .healedByOperator: return "healed by the operator after \(d)"
        case .neverMarkedDown: return "never marked down: it kept heartbeating"
        case let .sinkDamaged(why):
            // SQLite's words, without the sink's path in front (the title names the sink).
            let said = why.hasPrefix("/") || why.hasPrefix("file:") ? (why.split(separator: ": ", maxSplits: 1).dropFirst().first.map(String.init) ?? why) : why
            return "SQLite found the sink damaged after \(d) (\(said.count > 90 ? said.prefix(90) + "…" : Substring(said)))"
        case let .sinkRebuilt(c, rows, seconds): return "rebuilt from checkpoint \(c) while the job runs: \(rows) balances in one transaction, \(Self.span(seconds))"
        case let .absorbed(n, c, source):
            return "absorbed by recovery \(n), already under way: back at checkpoint \(c) from \(source == .shards ? "its erasure-coded shards" : "the \(source)") after \(d); no detection of its own"
        case let .audited(c, exact, lost, duplicated, conserved):
            if exact && conserved { return "✓ audited exact at checkpoint \(c), \(d) later" }
            return "✗ audit at checkpoint \(c): \(lost) lost, \(duplicated) duplicated\(conserved ? "" : ", money NOT conserved")"
        }
    }

    /// A few words per step, for a receipt on one line.
    public func shortText(_ step: Step, after: Double) -> String {
        let d = Self.span(after)
        switch step {
        case .detected: return "down \(d)"
        case let .stalled(seconds): return "stalled \(Self.span(seconds))"
        case let .restarted(times, _): return times == 1 ? "restarted" : "restarted ×\(times)"
        case .quarantined: return "quarantined"
        case let .checkpointAbandoned(id): return "ckpt \(id) abandoned"
        case let .restored(_, source, seconds):
            switch source {
            case let .standby(p)?: return "standby n\(p) \(Self.span(seconds))"
            case .shards?: return "from shards \(Self.span(seconds))"
            case .local?: return "own copy \(Self.span(seconds))"
            case nil: return "not restored"
            }
        case let .rolledBack(c, seconds): return "rolled back to \(c) \(Self.span(seconds))"
        case let .fellBack(from, to): return "\(from) lost, used \(to)"
        case .startedOver: return "started over"
        case let .caughtUp(replay): return "caught up \(Self.span(replay))"
        case let .frameCaught(_, _, corrupt): return corrupt ? "CRC32C caught \(d), resent" : "loss seen \(d), resent"
        case .linkDegraded: return "link degraded"
        case let .shardFound(_, _, _, missing, count): return count > 1 ? "\(count) found \(d)" : "\(missing ? "missing" : "bad CRC") \(d)"
        case .shardRebuiltOnRestore: return "rebuilt on restore"
        case let .shardRepaired(_, _, _, count): return count > 1 ? "\(count) rebuilt" : "rebuilt \(d)"
        case .unrepairable: return "✗ unrepairable"
        case .scrubVerified: return "verified"
        case .retired: return "retired \(d)"
        case .healedByOperator: return "healed \(d)"
        case .neverMarkedDown: return "never down"
        case .sinkDamaged: return "damage found \(d)"
        case let .sinkRebuilt(c, _, seconds): return "rebuilt from \(c) \(Self.span(seconds))"
        case let .absorbed(n, _, _): return "absorbed by recovery \(n) \(d)"
        case let .audited(c, exact, _, _, conserved): return exact && conserved ? "✓ exact @\(c)" : "✗ audit @\(c)"
        }
    }

    /// The longest a shard of this receipt waited between being found bad and rebuilt.
    var slowestRepair: Double {
        var found: [String: Double] = [:]
        var slowest = 0.0
        for e in entries {
            if case let .shardFound(c, s, _, _, _) = e.step { found["\(c).\(s)"] = e.at }
            if case let .shardRepaired(c, s, _, _) = e.step, let f = found["\(c).\(s)"] { slowest = max(slowest, e.at - f) }
        }
        return slowest
    }

    /// What the story waits for, while it has not ended (nil once proved or disproved).
    public var waiting: String? {
        switch status {
        case .proved, .disproved: return nil
        case .stuck: return "quarantined: heal (H) lets it rejoin"
        case .beyondTolerance:
            if entries.contains(where: { if case .audited = $0.step { true } else { false } }) { return nil }
            if proofCheckpoint != nil && proofCheckpoint != .max { return "the audit of checkpoint \(proofCheckpoint ?? 0) will say whether the output is still exact" }
            return entries.contains { if case .fellBack = $0.step { true } else { false } } ? "the audit of the next checkpoint"
                : "lost beyond what the code tolerates: a recovery would fall back to an older checkpoint"
        case .healed:
            if let p = proofCheckpoint { return "waiting for the audit of checkpoint \(p), the first one taken after the repair" }
            return "waiting for the next checkpoint to audit"
        case .pending: break
        }
        if inRecovery { return "rolling every node back" }
        if awaitingCatchUp { return "replaying from the checkpoint" }
        let detected = entries.contains { if case .detected = $0.step { true } else { false } }
        switch fault {
        case .kill?, .hang?, .restart?: return detected ? "waiting for the recovery" : "waiting for the failure detector"
        case .slow?: return detected ? "waiting for the recovery" : "slowed: backpressure fills its queues; heal (H) ends it"
        case .partition?: return faultEnded ? "waiting for the recovery" : "cut off from the network: heal (H) ends the partition"
        case let .corruptFrame(n)?: return "armed: the next frame on node \(n)'s link gets a flipped bit"
        case .corruptShard?, .deleteShard?:
            return entries.isEmpty ? "waiting for the scrubber (or a restore) to read the shard" : "rebuilding it from the other shards"
        case .wipeDisk?:
            let repaired = entries.count { if case .shardRepaired = $0.step { true } else { false } }
            guard let n = wipedShards else { return "waiting for the scrubber" }
            return "scrubber rebuilding: \(repaired) of \(n) shard files rewritten, then a full pass to verify"
        case .recoverNow?: return "waiting for the recovery"
        case .corruptSink?: return "waiting for SQLite to read the page (the next commit, audit or sink check)"
        case .tearWrite?: return "armed: the next writes to the disks count down to the one that tears"
        case .corruptRows?: return "waiting for the auditor to read the rows"
        case .heal?, .checkpointNow?, .savepoint?, .corruptCheckpoint?, nil: return detected ? "waiting for the recovery" : nil
        }
    }

    /// The whole receipt on one line: `kill node 2 · 3.0s → down after 138 ms (…) → … → ✓ audited …`.
    public var line: String {
        let s = story
        var parts = ["\(title) · \(Self.clock(at))"]
        for i in s.indices { parts.append(text(s[i].step, after: elapsed(s, i))) }
        if let w = waiting { parts.append("… " + w) }
        return parts.joined(separator: " → ")
    }

    /// A duration as a receipt says it: `0.02 ms`, `183 ms`, `1.25 s`.
    public static func span(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "?" }
        if s < 0.000005 { return "0 ms" }
        if s < 0.001 { return "\(fixed(s * 1000, 2)) ms" }
        if s < 1 { return "\(Int((s * 1000).rounded())) ms" }
        return "\(fixed(s, s < 10 ? 2 : 1)) s"
    }

    static func fixed(_ v: Double, _ digits: Int = 1) -> String { BenchFormat.fixed(v, digits) }

    /// Seconds since the start, like the event log: `3.0s`, `1m05.2s`.
    public static func clock(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "?" }
        if s < 60 { return fixed(s, 1) + "s" }
        let m = Int(s) / 60
        let rest = s - Double(m * 60)
        return "\(m)m\(rest < 10 ? "0" : "")\(fixed(rest, 1))s"
    }
}
