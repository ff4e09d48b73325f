/// SplitMix64: the simulation's seeded random numbers.
public struct SplitMix: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return TransferSource.mix(state &- 0x9E37_79B9_7F4A_7C15)
    }
}
