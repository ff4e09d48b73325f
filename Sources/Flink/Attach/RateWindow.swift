/// A rate read from a cumulative counter over a window of time, never from two neighbouring
/// looks: Flink refreshes its metrics every second to ten seconds and some sources emit each
/// second's records in one burst, so the rise between two polls is 0 or two seconds' worth
/// (aliasing). Only the looks where the counter changed are kept (an unchanged counter is the
/// same reading again); the rate is the least-squares slope over the last `window` seconds of
/// them. It is unknown (nil) until they span `minimumSpan` seconds: after a restore, a restart
/// or a lost answer it turns unknown rather than showing the old value. A counter unchanged
/// for `stillAfter` seconds of looks stands still: 0.
public struct RateWindow: Sendable, Equatable {
    /// Seconds of changes the slope is taken over.
    public let window: Double
    /// Seconds the changes must span before a rate is given.
    public let minimumSpan: Double
    /// Seconds without a change after which the counter is taken to stand still.
    public let stillAfter: Double
    var changes: [Look] = []
    var lastLook: Double?

    struct Look: Sendable, Equatable {
        var time: Double
        var count: Double
    }

    public init(window: Double = 20, minimumSpan: Double = 5, stillAfter: Double = 15) {
        self.window = max(window, minimumSpan)
        self.minimumSpan = minimumSpan
        self.stillAfter = max(stillAfter, minimumSpan)
    }

    /// Adds a look at the counter. A counter that fell below half its last value was reset (a
    /// restart): the window starts again from this look; one that fell less is a partial sum
    /// (a subtask's metrics missing from REST's answer) and is ignored. A look not later than
    /// the last is ignored.
    public mutating func add(time: Double, count: Double) {
        if let l = lastLook, time <= l { return }
        if let last = changes.last, count < last.count, count >= last.count / 2 { return }
        lastLook = time
        if let last = changes.last {
            if count == last.count { return }
            if count < last.count { changes.removeAll() }
        }
        changes.append(Look(time: time, count: count))
        changes.removeAll { time - $0.time > window }
    }

    /// Forgets every look (a restore, a restart, an unreachable cluster): unknown until the
    /// next changes span `minimumSpan` again.
    public mutating func reset() {
        changes.removeAll()
        lastLook = nil
    }

    /// Per second over the window, or nil while the changes span less than `minimumSpan`.
    public var rate: Double? {
        guard let first = changes.first, let last = changes.last, let look = lastLook else { return nil }
        if look - last.time >= stillAfter, look - first.time >= minimumSpan { return 0 }
        guard changes.count >= 2, last.time - first.time >= minimumSpan - 1e-9 else { return nil }
        let n = Double(changes.count)
        let mt = changes.reduce(0) { $0 + $1.time } / n
        let mc = changes.reduce(0) { $0 + $1.count } / n
        var num = 0.0, den = 0.0
        for l in changes {
            num += (l.time - mt) * (l.count - mc)
            den += (l.time - mt) * (l.time - mt)
        }
        guard den > 0 else { return nil }
        return max(0, num / den)
    }
}
