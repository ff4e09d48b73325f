import Integrity
import Testing

@Suite("Reed-Solomon")
struct ReedSolomonTests {
    static func data(k: Int, length: Int, seed: UInt64) -> [[UInt8]] {
        var rng = TestRandom(seed: seed)
        return (0..<k).map { _ in rng.bytes(length) }
    }

    /// Every subset of `0..<n` with at most `m` members.
    static func subsets(n: Int, upTo m: Int) -> [[Int]] {
        var out: [[Int]] = [[]]
        func extend(_ current: [Int], from start: Int) {
            guard current.count < m else { return }
            for i in start..<n {
                let next = current + [i]
                out.append(next)
                extend(next, from: i + 1)
            }
        }
        extend([], from: 0)
        return out
    }

    @Test("every erasure pattern of size <= m restores, with every kernel this CPU runs",
          arguments: [(4, 2), (6, 3), (10, 4)], GF256.Kernel.allCases.filter(\.isAvailable))
    func everyPattern(shape: (Int, Int), kernel: GF256.Kernel) throws {
        let (k, m) = shape
        let code = try ReedSolomon(dataShards: k, parityShards: m, kernel: kernel)
        // 64-byte steps, a 32-byte step and a scalar tail.
        let data = Self.data(k: k, length: 64 * 4 + 32 + 7, seed: UInt64(k * 100 + m))
        let full = data + (try code.encode(data: data))
        #expect(try code.verify(full))
        var patterns = 0
        for lost in Self.subsets(n: k + m, upTo: m) {
            var shards: [[UInt8]?] = full
            for i in lost { shards[i] = nil }
            try code.reconstruct(&shards)
            #expect(shards.map { $0 ?? [] } == full, "\(kernel.name) lost \(lost)")
            patterns += 1
        }
        #expect(patterns == Self.subsets(n: k + m, upTo: m).count)
    }

    @Test("random patterns for wide codes", arguments: [(17, 3), (200, 55)])
    func randomPatterns(shape: (Int, Int)) throws {
        let (k, m) = shape
        let code = try ReedSolomon(dataShards: k, parityShards: m)
        let data = Self.data(k: k, length: 100, seed: 99)
        let full = data + (try code.encode(data: data))
        var rng = TestRandom(seed: UInt64(k))
        for _ in 0..<(k > 100 ? 8 : 40) {
            let count = 1 + Int(rng.next() % UInt64(m))
            var indices = Array(0..<(k + m))
            indices.shuffle(using: &rng)
            var shards: [[UInt8]?] = full
            for i in indices.prefix(count) { shards[i] = nil }
            try code.reconstruct(&shards)
            #expect(shards.map { $0 ?? [] } == full)
        }
    }

    @Test("odd shard lengths", arguments: [1, 7, 63, 4097])
    func oddLengths(length: Int) throws {
        let code = try ReedSolomon(dataShards: 4, parityShards: 2)
        let data = Self.data(k: 4, length: length, seed: UInt64(length))
        let full = data + (try code.encode(data: data))
        var shards: [[UInt8]?] = full
        shards[0] = nil
        shards[5] = nil
        try code.reconstruct(&shards)
        #expect(shards.map { $0 ?? [] } == full)
    }

    @Test("every SIMD kernel equals the scalar one")
    func kernelsAgree() throws {
        let kernels = GF256.Kernel.allCases.filter { $0.isAvailable && $0 != .scalar }
        for (k, m) in [(4, 2), (10, 4), (3, 7)] {
            for length in [1, 15, 16, 31, 33, 64, 65, 127, 1000, 70_001] {
                let data = Self.data(k: k, length: length, seed: UInt64(length * 31 + k))
                let reference = try ReedSolomon(dataShards: k, parityShards: m, kernel: .scalar).encode(data: data)
                for kernel in kernels {
                    let parity = try ReedSolomon(dataShards: k, parityShards: m, kernel: kernel).encode(data: data)
                    #expect(parity == reference, "\(kernel) k=\(k) m=\(m) length=\(length)")
                }
            }
        }
        // The single-region primitive too, including the destination as an accumulator.
        var rng = TestRandom(seed: 5)
        let src = rng.bytes(1031)
        let base = rng.bytes(1031)
        for c in [UInt8(0), 1, 2, 0x53, 0xFF] {
            let expected = zip(src, base).map { GF256.multiply(c, $0) ^ $1 }
            for kernel in GF256.Kernel.allCases where kernel.isAvailable {
                var dst = base
                src.withUnsafeBytes { s in
                    dst.withUnsafeMutableBytes { d in
                        GF256.multiplyAdd(c, s.baseAddress!, into: d.baseAddress!, count: 1031, kernel: kernel)
                    }
                }
                #expect(dst == expected, "\(kernel) c=\(c)")
            }
        }
    }

    @Test("field axioms hold for the tables")
    func field() {
        for a in 1...255 {
            #expect(GF256.multiply(UInt8(a), GF256.inverse(UInt8(a))) == 1)
        }
        #expect(GF256.multiply(0x80, 2) == 0x1D)
    }

    @Test("typed errors, not crashes")
    func errors() throws {
        #expect(throws: ReedSolomonError.invalidParameters(dataShards: 0, parityShards: 2)) { try ReedSolomon(dataShards: 0, parityShards: 2) }
        #expect(throws: ReedSolomonError.invalidParameters(dataShards: 4, parityShards: 0)) { try ReedSolomon(dataShards: 4, parityShards: 0) }
        #expect(throws: ReedSolomonError.invalidParameters(dataShards: 200, parityShards: 56)) { try ReedSolomon(dataShards: 200, parityShards: 56) }
        let code = try ReedSolomon(dataShards: 4, parityShards: 2)
        #expect(throws: ReedSolomonError.unequalShardLengths(expected: 3, actual: 2, shard: 1)) {
            try code.encode(data: [[1, 2, 3], [1, 2], [1, 2, 3], [1, 2, 3]])
        }
        #expect(throws: ReedSolomonError.wrongShardCount(expected: 4, actual: 3)) { try code.encode(data: [[1], [2], [3]]) }
        var shards: [[UInt8]?] = [[1], nil, nil, nil, [5], [6]]
        #expect(throws: ReedSolomonError.tooManyMissing(missing: 3, parityShards: 2)) { try code.reconstruct(&shards) }
        var bad = Self.data(k: 4, length: 10, seed: 1)
        bad += try code.encode(data: bad)
        bad[2][3] ^= 1
        #expect(try code.verify(bad) == false)
    }
}
