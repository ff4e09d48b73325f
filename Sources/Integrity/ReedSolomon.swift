import CIntegrity
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A systematic Reed-Solomon erasure code over GF(2^8): `k` data shards, `m` parity shards.
///
/// The coding matrix is the identity over a Cauchy matrix (`1 / (i xor j)`), for which every
/// set of `k` surviving rows is invertible: any `m` lost shards, data or parity, restore.
public struct ReedSolomon: Sendable {
    /// Number of data shards, `k`.
    public let dataShards: Int
    /// Number of parity shards, `m`.
    public let parityShards: Int
    /// The region kernel used; `.automatic` picks the fastest this CPU has.
    public var kernel: GF256.Kernel

    /// The full (k+m) x k coding matrix.
    let matrix: GFMatrix
    /// The parity rows only, row-major m x k, for the kernel.
    let parityCoefficients: [UInt8]

    /// `k + m`.
    public var totalShards: Int { dataShards + parityShards }

    /// A code with `dataShards` data and `parityShards` parity shards.
    /// - Throws: `ReedSolomonError.invalidParameters` unless 1 <= k, 1 <= m, k + m <= 255.
    public init(dataShards k: Int, parityShards m: Int, kernel: GF256.Kernel = .automatic) throws {
        guard k >= 1, m >= 1, k + m <= 255 else {
            throw ReedSolomonError.invalidParameters(dataShards: k, parityShards: m)
        }
        dataShards = k
        parityShards = m
        self.kernel = kernel
        var a = GFMatrix(rows: k + m, columns: k)
        for i in 0..<k { a[i, i] = 1 }
        for i in k..<(k + m) {
            for j in 0..<k { a[i, j] = GF256.inverse(UInt8(i ^ j)) }
        }
        matrix = a
        parityCoefficients = Array(a.elements[(k * k)...])
    }

    // MARK: - Pointer API (no copies)

    /// Computes the `m` parity shards from the `k` data shards, each `shardLength` bytes.
    public func encode(shardLength: Int, data: [UnsafeRawPointer], parity: [UnsafeMutableRawPointer]) throws {
        guard data.count == dataShards else { throw ReedSolomonError.wrongShardCount(expected: dataShards, actual: data.count) }
        guard parity.count == parityShards else { throw ReedSolomonError.wrongShardCount(expected: parityShards, actual: parity.count) }
        Self.matmul(kernel, shardLength, parityCoefficients, sources: data, destinations: parity)
    }

    /// Encodes a stripe in place: shards `0..<k` are data, `k..<k+m` get the parity.
    public func encode(_ stripe: ShardBuffer) throws {
        guard stripe.count == totalShards else { throw ReedSolomonError.wrongShardCount(expected: totalShards, actual: stripe.count) }
        try encode(
            shardLength: stripe.shardLength,
            data: (0..<dataShards).map { UnsafeRawPointer(stripe.pointer($0)) },
            parity: (dataShards..<totalShards).map { stripe.pointer($0) })
    }

    /// Rebuilds every shard whose `present` flag is false, in place, from the others.
    /// - Throws: `tooManyMissing` when fewer than `k` shards are present.
    public func reconstruct(shardLength: Int, shards: [UnsafeMutableRawPointer], present: [Bool]) throws {
        guard shards.count == totalShards else { throw ReedSolomonError.wrongShardCount(expected: totalShards, actual: shards.count) }
        guard present.count == totalShards else { throw ReedSolomonError.wrongShardCount(expected: totalShards, actual: present.count) }
        let missing = (0..<totalShards).filter { !present[$0] }
        if missing.isEmpty { return }
        guard missing.count <= parityShards else {
            throw ReedSolomonError.tooManyMissing(missing: missing.count, parityShards: parityShards)
        }
        let survivors = Array((0..<totalShards).filter { present[$0] }.prefix(dataShards))
        let coefficients = try decodeCoefficients(survivors: survivors, missing: missing)
        Self.matmul(
            kernel, shardLength, coefficients,
            sources: survivors.map { UnsafeRawPointer(shards[$0]) },
            destinations: missing.map { shards[$0] })
    }

    /// Rebuilds the shards of `stripe` not marked present.
    public func reconstruct(_ stripe: ShardBuffer, present: [Bool]) throws {
        try reconstruct(shardLength: stripe.shardLength, shards: (0..<stripe.count).map { stripe.pointer($0) }, present: present)
    }

    /// Whether the parity of `stripe` matches its data.
    public func verify(_ stripe: ShardBuffer) throws -> Bool {
        guard stripe.count == totalShards else { throw ReedSolomonError.wrongShardCount(expected: totalShards, actual: stripe.count) }
        let check = ShardBuffer(count: parityShards, shardLength: stripe.shardLength)
        try encode(
            shardLength: stripe.shardLength,
            data: (0..<dataShards).map { UnsafeRawPointer(stripe.pointer($0)) },
            parity: (0..<parityShards).map { check.pointer($0) })
        for p in 0..<parityShards where memcmp(check.pointer(p), stripe.pointer(dataShards + p), stripe.shardLength) != 0 {
            return false
        }
        return true
    }

    // MARK: - Array API (convenient, copies)

    /// The `m` parity shards of `data` (`k` shards of one length).
    public func encode(data: [[UInt8]]) throws -> [[UInt8]] {
        let stripe = try stripe(from: data.map { Optional($0) }, expectedCount: dataShards, extra: parityShards)
        try encode(stripe)
        return (dataShards..<totalShards).map { stripe.array($0) }
    }

    /// Fills in every `nil` shard of `shards` (`k + m` entries, data then parity).
    public func reconstruct(_ shards: inout [[UInt8]?]) throws {
        let stripe = try stripe(from: shards, expectedCount: totalShards, extra: 0)
        let present = shards.map { $0 != nil }
        try reconstruct(stripe, present: present)
        for i in 0..<totalShards where !present[i] { shards[i] = stripe.array(i) }
    }

    /// Whether `shards` (`k + m`, data then parity) are consistent.
    public func verify(_ shards: [[UInt8]]) throws -> Bool {
        try verify(stripe(from: shards.map { Optional($0) }, expectedCount: totalShards, extra: 0))
    }

    // MARK: - Internals

    /// Coefficients that map the `k` survivors onto each missing shard.
    func decodeCoefficients(survivors: [Int], missing: [Int]) throws -> [UInt8] {
        guard let inverse = matrix.selecting(rows: survivors).inverted() else {
            // Cannot happen for a Cauchy code; reported rather than trapped.
            throw ReedSolomonError.tooManyMissing(missing: missing.count, parityShards: parityShards)
        }
        var rows: [UInt8] = []
        rows.reserveCapacity(missing.count * dataShards)
        for t in missing {
            if t < dataShards {
                rows += (0..<dataShards).map { inverse[t, $0] }
            } else {
                rows += matrix.selecting(rows: [t]).multiplied(by: inverse).elements
            }
        }
        return rows
    }

    private func stripe(from shards: [[UInt8]?], expectedCount: Int, extra: Int) throws -> ShardBuffer {
        guard shards.count == expectedCount else { throw ReedSolomonError.wrongShardCount(expected: expectedCount, actual: shards.count) }
        var length: Int?
        for (i, s) in shards.enumerated() {
            guard let s else { continue }
            if let l = length, l != s.count { throw ReedSolomonError.unequalShardLengths(expected: l, actual: s.count, shard: i) }
            length = s.count
        }
        let buffer = ShardBuffer(count: expectedCount + extra, shardLength: length ?? 0)
        for (i, s) in shards.enumerated() {
            if let s { s.withUnsafeBytes { buffer.set(i, from: $0) } }
        }
        return buffer
    }

    static func matmul(
        _ kernel: GF256.Kernel, _ length: Int, _ coefficients: [UInt8],
        sources: [UnsafeRawPointer], destinations: [UnsafeMutableRawPointer]
    ) {
        guard length > 0, !sources.isEmpty, !destinations.isEmpty else { return }
        let src = sources.map { Optional($0.assumingMemoryBound(to: UInt8.self)) }
        let dst = destinations.map { Optional($0.assumingMemoryBound(to: UInt8.self)) }
        coefficients.withUnsafeBufferPointer { c in
            src.withUnsafeBufferPointer { s in
                dst.withUnsafeBufferPointer { d in
                    fd_gf_matmul(kernel.raw, length, Int32(sources.count), Int32(destinations.count), c.baseAddress, s.baseAddress, d.baseAddress)
                }
            }
        }
    }
}
