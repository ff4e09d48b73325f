@testable import Integrity
import Testing

/// Large stripes are mapped with room to spare and reused from a pool when freed, so a
/// checkpoint a few bytes larger or smaller than the last reuses its resident pages.
@Suite("Shard buffers", .serialized)
struct ShardBufferTests {
    @Test("a mapping leaves room: a sixteenth more, in whole 2 MB pages")
    func mappingLength() {
        #expect(ShardBuffer.mappingLength(for: 100 << 20) == 108 << 20)
        #expect(ShardBuffer.mappingLength(for: 4 << 20) % (2 << 20) == 0 && ShardBuffer.mappingLength(for: 4 << 20) >= (4 << 20) + (4 << 20) / 16)
    }

    @Test("the pool hands a freed mapping to the next stripe that fits, zeroed, and not to one far smaller")
    func reuse() {
        let shardLength = 3 << 20
        let pool = ShardBuffer.PoolBox()
        var first: UnsafeMutableRawPointer?
        do {
            let a = ShardBuffer(count: 6, shardLength: shardLength, pool: pool)
            first = a.bytes.baseAddress
            a.bytes.storeBytes(of: 0xAB, toByteOffset: 12345, as: UInt8.self)
        }
        // A few bytes more per shard: the same mapping, every byte zero again.
        let b = ShardBuffer(count: 6, shardLength: shardLength + 100, pool: pool)
        #expect(b.bytes.baseAddress == first)
        #expect(b.bytes.count == 6 * (shardLength + 100))
        #expect(b.bytes.allSatisfy { $0 == 0 })
        // A stripe under half its size gets a mapping of its own.
        let small = ShardBuffer(count: 2, shardLength: shardLength, pool: pool)
        #expect(small.bytes.baseAddress != first)
        withExtendedLifetime((b, small)) {}
    }

    @Test("the pool keeps at most its limits; it never hands out one mapping twice")
    func limits() {
        var pool = ShardBuffer.Pool()
        var pointers: [UnsafeMutableRawPointer] = []
        for i in 0..<6 {
            let p = UnsafeMutableRawPointer(bitPattern: UInt(0x1000_0000 + i * 0x100_0000)).unsafelyUnwrapped
            if pool.give(start: p, length: 64 << 20) { pointers.append(p) }
        }
        #expect(pointers.count == ShardBuffer.Pool.limit)
        let refused = pool.give(start: UnsafeMutableRawPointer(bitPattern: UInt(0x9000_0000)).unsafelyUnwrapped, length: 800 << 20)
        #expect(!refused)
        var taken = Set<UInt>()
        while let e = pool.take(atLeast: 40 << 20) { taken.insert(UInt(bitPattern: e.start)) }
        #expect(taken.count == pointers.count)
        let none = pool.take(atLeast: 1) == nil
        #expect(none)
    }
}
