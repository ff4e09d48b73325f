/// One money transfer of the payments job.
public struct Transfer: Equatable, Sendable {
    /// Unique: partition in the high bits, offset in the low 40.
    public var id: UInt64
    public var from: Int
    public var to: Int
    public var amount: Int

    @inlinable public init(id: UInt64, from: Int, to: Int, amount: Int) {
        self.id = id
        self.from = from
        self.to = to
        self.amount = amount
    }
}

/// The payments source: `partitions` replayable logs whose record at `offset` is a pure
/// function of (seed, partition, offset), so any range can be generated again — by the
/// engine after a rollback, and by the auditor to know what the sink must hold.
public struct TransferSource: Sendable, Equatable {
    public let seed: UInt64
    public let partitions: Int
    public let accounts: Int
    /// Largest amount of one transfer.
    public static let maxAmount = 1000

    public init(seed: UInt64, partitions: Int, accounts: Int) {
        self.seed = seed
        self.partitions = partitions
        self.accounts = accounts
    }

    /// The transfer at `offset` of `partition`.
    @inlinable public func transfer(partition: Int, offset: Int64) -> Transfer {
        let (from, to, amount) = Self.decode(Self.mix(key(partition) ^ UInt64(bitPattern: offset)), accounts: UInt64(accounts))
        return Transfer(id: UInt64(partition) << 40 | UInt64(offset), from: from, to: to, amount: amount)
    }

    /// Calls `body(from, to, amount)` for the transfers at offsets `range` of `partition`,
    /// in order: the same transfers as `transfer(partition:offset:)`, without building each.
    @inlinable public func forEach(partition: Int, in range: Range<Int64>, _ body: (_ from: Int, _ to: Int, _ amount: Int) -> Void) {
        let k = key(partition), a = UInt64(accounts)
        var o = range.lowerBound
        while o < range.upperBound {
            let (from, to, amount) = Self.decode(Self.mix(k ^ UInt64(bitPattern: o)), accounts: a)
            body(from, to, amount)
            o &+= 1
        }
    }

    /// What a partition mixes into every offset's hash.
    @inlinable func key(_ partition: Int) -> UInt64 { seed ^ (UInt64(truncatingIfNeeded: partition) &* 0x9E37_79B9_7F4A_7C15) }

    /// A transfer's accounts and amount from its hash.
    @inlinable static func decode(_ h: UInt64, accounts a: UInt64) -> (from: Int, to: Int, amount: Int) {
        // Multiply-shift range reduction (Lemire) instead of division: uniform enough, and
        // a few cycles instead of four 64-bit divides.
        // (In Swift `>>` binds tighter than `&*`: the parentheses matter.)
        let from = Int(truncatingIfNeeded: ((h & 0xFFFF_FFFF) &* a) >> 32)
        let step = 1 &+ Int(truncatingIfNeeded: (((h >> 32) & 0xFFFFF) &* (a &- 1)) >> 20)
        let sum = from &+ step
        let to = sum < Int(truncatingIfNeeded: a) ? sum : sum &- Int(truncatingIfNeeded: a)
        let amount = 1 &+ Int(truncatingIfNeeded: ((h >> 52) &* UInt64(maxAmount)) >> 12)
        return (from, to, amount)
    }

    /// SplitMix64's finaliser: a strong, cheap 64-bit mix.
    @inlinable public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
