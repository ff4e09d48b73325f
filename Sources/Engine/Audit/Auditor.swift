/// What the auditor found at the last committed epoch.
public struct AuditVerdict: Sendable, Equatable, Codable {
    /// The epoch (checkpoint id) audited; nil before the first commit.
    public var checkpoint: UInt64?
    /// Every committed balance and update count equals the expected one.
    public var exact: Bool
    /// Debits and credits the sink is missing.
    public var lost: Int64
    /// Debits and credits the sink holds more than once.
    public var duplicated: Int64
    /// Accounts whose committed row differs from the expected one.
    public var mismatchedAccounts: Int
    /// The sum of committed balances equals the money the job started with.
    public var moneyConserved: Bool
    /// Sum of committed balances.
    public var committedMoney: Int64
    /// The money the job started with.
    public var expectedMoney: Int64
    /// Transfers below the committed offsets.
    public var committedTransfers: Int64
    /// The first invariant of the sink found broken (then `exact` is false too); nil when all hold.
    public var breach: AuditBreach?

    public static func initial(expectedMoney: Int64) -> AuditVerdict {
        AuditVerdict(checkpoint: nil, exact: true, lost: 0, duplicated: 0, mismatchedAccounts: 0, moneyConserved: true,
                     committedMoney: expectedMoney, expectedMoney: expectedMoney, committedTransfers: 0, breach: nil)
    }
}

/// An independent check of the sink: from the source function alone it computes what every
/// balance must be for the committed offsets, reads the database through its own
/// connection, and compares. After the first full pass it works incrementally: it
/// regenerates only the transfers between the previous and the new offsets, and reads the
/// rows the new epochs wrote plus a slice of the others in turn (`sweepSlice`), so a row
/// damaged after its epoch was audited is found within a few audits. Beside the comparison
/// it checks invariants that need no expected balance (`AuditBreach`).
public final class Auditor: @unchecked Sendable {
    let source: TransferSource
    let accounts: Int
    let initialBalance: Int64
    let db: SQLiteDatabase
    let changedRows: SQLiteDatabase.Statement
    let allRows: SQLiteDatabase.Statement
    let rowRange: SQLiteDatabase.Statement
    /// Rows re-read per audit besides the changed ones: the whole table at most every 16
    /// audits, and all of it at every audit up to 65,536 accounts (a few milliseconds).
    let sweepSlice: Int
    /// The first account of the next slice.
    var sweepAt = 0
    /// Sum of the update counts of every committed row read.
    var seenUpdatesSum: Int64 = 0
    /// Offsets of the epoch audited last, to check they only move forward.
    var auditedOffsets: [Int64]?

    var offsets: [Int64]
    /// Per account, the expected balance at `2a` and update count at `2a + 1` (one cache
    /// line holds both: the regeneration loop touches half as many lines).
    var expected: [Int64]
    var seenBalance: [Int64]
    var seenUpdates: [Int64]
    var seenMoney: Int64
    var mismatched = Set<Int>()
    var touchedMark: [Bool]
    var touched: [Int] = []
    /// So many transfers were regenerated that every account is compared at the next
    /// audit, and none is marked one by one.
    var touchedAll = false
    var auditedEpoch: UInt64?
    public private(set) var verdict: AuditVerdict
    /// Where a read that finds the sink's file damaged is reported, for the commit path to heal.
    var health: SinkHealth?
    /// When `checkSink` last ran and how long it took (nanoseconds), to bound its cost.
    var lastSinkCheck: (at: UInt64, took: UInt64)?

    /// An auditor over the sink database at `path` (its own read connection).
    public init(config: JobConfig, databasePath: String) throws(SinkError) {
        source = TransferSource(seed: config.seed, partitions: config.partitions, accounts: config.accounts)
        accounts = config.accounts
        initialBalance = config.initialBalance
        db = try SQLiteDatabase(path: databasePath)
        changedRows = try db.prepare("SELECT account, balance, updates FROM balances WHERE epoch > ?1")
        allRows = try db.prepare("SELECT account, balance, updates FROM balances")
        rowRange = try db.prepare("SELECT account, balance, updates FROM balances WHERE account >= ?1 AND account < ?2")
        sweepSlice = max(65_536, config.accounts / 16)
        offsets = [Int64](repeating: 0, count: config.partitions)
        expected = [Int64](repeating: 0, count: 2 * config.accounts)
        for a in 0..<config.accounts { expected[2 * a] = config.initialBalance }
        seenBalance = [Int64](repeating: config.initialBalance, count: config.accounts)
        seenUpdates = [Int64](repeating: 0, count: config.accounts)
        seenMoney = config.totalMoney
        touchedMark = [Bool](repeating: false, count: config.accounts)
        verdict = .initial(expectedMoney: config.totalMoney)
    }

    /// Audits the newest committed epoch. `full` re-reads every row (after a commit that
    /// replaced the table, or the first time); otherwise only rows of newer epochs.
    @discardableResult
    public func audit(full: Bool = false) throws(SinkError) -> AuditVerdict {
        let generation = health?.generation ?? 0
        do { return try auditNow(full: full) } catch {
            if error.corrupt { health?.report(error.description, generation: generation) }
            throw error
        }
    }

    /// SQLite's own check of the whole sink file (`PRAGMA quick_check`, on a connection of
    /// its own so no cached page hides what is on disk), at most every `minimum` seconds and
    /// never more than 5 % of the time; damage found is reported to the commit path. Returns
    /// what it found, nil when it did not run or found nothing.
    @discardableResult
    func checkSink(now: UInt64, minimum: Double = 2) -> String? {
        guard SinkRepair.isFile(db.path) else { return nil }
        if let last = lastSinkCheck, now &- last.at < max(UInt64(minimum * 1e9), last.took &* 20) { return nil }
        let t0 = SystemClock().nanos()
        let generation = health?.generation ?? 0
        let found = SinkRepair.damage(at: db.path)
        lastSinkCheck = (now, SystemClock().nanos() &- t0)
        if let found { health?.report("PRAGMA quick_check: \(found)", generation: generation) }
        return found
    }

    func auditNow(full: Bool) throws(SinkError) -> AuditVerdict {
        guard let epoch = try BalanceSink.lastEpoch(db) else { return verdict }
        guard epoch.offsets.count == offsets.count else {
            throw SinkError("\(db.path): epoch \(epoch.checkpoint) has \(epoch.offsets.count) partitions, the job \(offsets.count)")
        }
        let fullPass = full || auditedEpoch == nil
        if !fullPass, let done = auditedEpoch, epoch.checkpoint == done { return verdict }
        try db.execute("BEGIN")  // one consistent read of rows and epoch
        defer { try? db.execute("COMMIT") }
        // Re-read the epoch inside the read transaction.
        guard let e = try BalanceSink.lastEpoch(db) else { return verdict }
        advanceExpected(to: e.offsets)
        if fullPass {
            for a in 0..<accounts { seenBalance[a] = initialBalance; seenUpdates[a] = 0 }
            seenMoney = Int64(accounts) * initialBalance
            seenUpdatesSum = 0
            try read(allRows)
            mismatched.removeAll()
            for a in 0..<accounts { compare(a) }
        } else {
            changedRows.bind(1, Int64(auditedEpoch ?? 0))
            try read(changedRows)
            try sweep()
            if touchedAll {
                for a in 0..<accounts { compare(a) }
            } else {
                for a in touched { compare(a) }
                for a in Array(mismatched) { compare(a) }
            }
        }
        for a in touched { touchedMark[a] = false }
        touched.removeAll(keepingCapacity: true)
        touchedAll = false
        auditedEpoch = e.checkpoint
        let breach = invariantBreach(e.offsets, afterRebuild: fullPass)
        auditedOffsets = e.offsets
        var lost: Int64 = 0, duplicated: Int64 = 0
        for a in mismatched {
            let d = seenUpdates[a] - expected[2 * a + 1]
            if d > 0 { duplicated += d } else { lost -= d }
        }
        verdict = AuditVerdict(
            checkpoint: e.checkpoint, exact: mismatched.isEmpty && breach == nil, lost: lost, duplicated: duplicated,
            mismatchedAccounts: mismatched.count, moneyConserved: seenMoney == Int64(accounts) * initialBalance,
            committedMoney: seenMoney, expectedMoney: Int64(accounts) * initialBalance,
            committedTransfers: e.offsets.reduce(0, +), breach: breach)
        return verdict
    }

    /// Re-reads the next slice of accounts, wrapping around (inside the audit's read).
    private func sweep() throws(SinkError) {
        let from = sweepAt < accounts ? sweepAt : 0
        let to = min(accounts, from + sweepSlice)
        rowRange.bind(1, Int64(from))
        rowRange.bind(2, Int64(to))
        try read(rowRange)
        sweepAt = to
    }

    /// The invariants of the committed epoch with offsets `offsets`; `afterRebuild` when
    /// the rows were all replaced since the last audit (offsets may then go back).
    private func invariantBreach(_ offsets: [Int64], afterRebuild: Bool) -> AuditBreach? {
        if !afterRebuild, let before = auditedOffsets, before.count == offsets.count {
            for p in 0..<offsets.count where offsets[p] < before[p] { return .offsetWentBack(partition: p, from: before[p], to: offsets[p]) }
        }
        let transfers = offsets.reduce(0, +)
        if seenUpdatesSum != 2 * transfers { return .updatesNotTwiceTransfers(updates: seenUpdatesSum, transfers: transfers) }
        return nil
    }

    private func read(_ q: SQLiteDatabase.Statement) throws(SinkError) {
        defer { q.reset() }
        while try q.step() {
            let a = Int(q.int(0))
            guard a >= 0, a < accounts else { throw SinkError("\(db.path): row for account \(a), but the job has \(accounts) accounts") }
            let b = q.int(1), u = q.int(2)
            seenMoney += b - seenBalance[a]
            seenBalance[a] = b
            seenUpdatesSum += u - seenUpdates[a]
            seenUpdates[a] = u
            touch(a)
        }
    }

    @inline(__always) private func touch(_ a: Int) {
        if !touchedMark[a] { touchedMark[a] = true; touched.append(a) }
    }

    private func compare(_ a: Int) {
        if seenBalance[a] != expected[2 * a] || seenUpdates[a] != expected[2 * a + 1] {
            mismatched.insert(a)
        } else {
            mismatched.remove(a)
        }
    }

    /// Does ahead of time part of the work the next audit will need: moves the expected
    /// balances forward toward `ceiling` (per partition, never back), at most `limit`
    /// transfers; returns how many it regenerated. Only the timing changes: every audit
    /// still moves the expected balances to exactly the offsets the sink committed (back,
    /// if a hint overshot) and compares them with the rows it reads.
    @discardableResult
    public func lookahead(to ceiling: [Int64], limit: Int) -> Int {
        guard ceiling.count == offsets.count else { return 0 }
        var target = offsets
        var left = Int64(max(0, limit))
        for p in 0..<offsets.count where left > 0 && ceiling[p] > offsets[p] {
            let step = min(ceiling[p] - offsets[p], left)
            target[p] = offsets[p] + step
            left -= step
        }
        let done = Int64(max(0, limit)) - left
        if done > 0 { advanceExpected(to: target) }
        return Int(done)
    }

    /// Transfers between where the expected balances stand and `ceiling` (forward only).
    public func distance(to ceiling: [Int64]) -> Int64 {
        guard ceiling.count == offsets.count else { return 0 }
        var d: Int64 = 0
        for p in 0..<offsets.count where ceiling[p] > offsets[p] { d += ceiling[p] - offsets[p] }
        return d
    }

    /// Moves the expected balances from the audited offsets to `target`, in either direction.
    private func advanceExpected(to target: [Int64]) {
        var total: Int64 = 0
        for p in 0..<offsets.count { total += abs(target[p] - offsets[p]) }
        guard total > 0 else { return }
        // Marking accounts one by one pays only while few are touched.
        let markEach = !touchedAll && total < Int64(accounts)
        if !markEach { touchedAll = true }
        let source = self.source
        var newlyTouched: [Int] = []
        expected.withUnsafeMutableBufferPointer { ex in
            touchedMark.withUnsafeMutableBufferPointer { mark in
                for p in 0..<offsets.count {
                    let from = offsets[p], to = target[p]
                    if to == from { continue }
                    let sign: Int64 = to > from ? 1 : -1
                    let range = min(from, to)..<max(from, to)
                    @inline(__always) func apply(_ f: Int, _ t: Int, _ a: Int) {
                        let amount = Int64(a) &* sign
                        ex[2 &* f] &-= amount
                        ex[2 &* f &+ 1] &+= sign
                        ex[2 &* t] &+= amount
                        ex[2 &* t &+ 1] &+= sign
                    }
                    if markEach {
                        source.forEach(partition: p, in: range) { f, t, a in
                            apply(f, t, a)
                            if !mark[f] { mark[f] = true; newlyTouched.append(f) }
                            if !mark[t] { mark[t] = true; newlyTouched.append(t) }
                        }
                    } else {
                        source.forEach(partition: p, in: range, apply)
                    }
                    offsets[p] = to
                }
            }
        }
        touched += newlyTouched
    }
}
