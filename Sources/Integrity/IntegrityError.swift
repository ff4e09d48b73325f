/// Why a Reed-Solomon operation refused its input.
public enum ReedSolomonError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `k` or `m` outside 1...255, or `k + m` over 255.
    case invalidParameters(dataShards: Int, parityShards: Int)
    /// The call passed the wrong number of shards.
    case wrongShardCount(expected: Int, actual: Int)
    /// Shards of different lengths.
    case unequalShardLengths(expected: Int, actual: Int, shard: Int)
    /// More shards are missing than the parity can restore.
    case tooManyMissing(missing: Int, parityShards: Int)

    public var description: String {
        switch self {
        case let .invalidParameters(k, m):
            "invalid Reed-Solomon parameters k=\(k) m=\(m): need 1 <= k, 1 <= m, k + m <= 255"
        case let .wrongShardCount(expected, actual):
            "expected \(expected) shards, got \(actual)"
        case let .unequalShardLengths(expected, actual, shard):
            "shard \(shard) is \(actual) bytes long, the others \(expected): shards must have equal lengths"
        case let .tooManyMissing(missing, parity):
            "\(missing) shards are missing but only \(parity) can be restored"
        }
    }
}
