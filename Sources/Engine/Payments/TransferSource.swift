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
        let h = Self.mix(seed ^ (UInt64(truncatingIfNeeded: partition) &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(bitPattern: offset))
        // Multiply-shift range reduction (Lemire) instead of division: uniform enough, and
        // a few cycles instead of four 64-bit divides.
        let a = UInt64(accounts)
        // (In Swift `>>` binds tighter than `&*`: the parentheses matter.)
        let from = Int(((h & 0xFFFF_FFFF) &* a) >> 32)
        let step = 1 + Int((((h >> 32) & 0xFFFFF) &* (a - 1)) >> 20)
        let to = from + step < accounts ? from + step : from + step - accounts
        let amount = 1 + Int(((h >> 52) &* UInt64(Self.maxAmount)) >> 12)
        return Transfer(id: UInt64(partition) << 40 | UInt64(offset), from: from, to: to, amount: amount)
    }

    /// SplitMix64's finaliser: a strong, cheap 64-bit mix.
    @inlinable public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
