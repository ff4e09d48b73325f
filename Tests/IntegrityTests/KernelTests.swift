@testable import Integrity
import Testing

/// Every kernel this CPU runs against the portable reference, on the sizes where vector
/// kernels change step (0, 1, 15, 16, 31, 63, 64, 65 ... 1 MiB + 7) and at unaligned starts.
/// The environment overrides are checked by scripts/arm-check.sh, which runs the same
/// kernels without Swift (natively and, cross-compiled, for aarch64 under qemu-user).
@Suite("Kernels")
struct KernelTests {
    static let sizes = [0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 95, 96, 127, 128, 129, 191, 255, 256, 257,
                        511, 1023, 4095, 4096, 4097, 12_289, 65_535, 65_536, 65_537, 100_003, (1 << 20) + 7]
    static let gfKernels = GF256.Kernel.allCases.filter { $0.isAvailable && $0 != .scalar && $0 != .automatic }
    static let crcKernels = CRC32C.Kernel.allCases.filter { $0.isAvailable && $0 != .table && $0 != .automatic }

    static func matmul(_ kernel: GF256.Kernel, _ coefficients: [UInt8], _ sources: [UnsafeRawPointer], length: Int, rows: Int) -> [[UInt8]] {
        let out = ShardBuffer(count: rows, shardLength: length)
        ReedSolomon.matmul(kernel, length, coefficients, sources: sources, destinations: (0..<rows).map { out.pointer($0) })
        return (0..<rows).map { out.array($0) }
    }

    @Test("the names round-trip and the automatic choice runs here")
    func names() {
        for k in GF256.Kernel.allCases { #expect(GF256.Kernel(name: k.name) == k) }
        for k in CRC32C.Kernel.allCases { #expect(CRC32C.Kernel(name: k.name) == k) }
        #expect(GF256.Kernel.chosen.isAvailable && GF256.Kernel.chosen != .automatic)
        #expect(CRC32C.Kernel(name: CRC32C.kernelName)?.isAvailable == true)
        #expect(GF256.Kernel(name: "no-such") == nil)
        #expect(!GF256.Kernel.overrideRefused && !CRC32C.Kernel.overrideRefused)
    }

    @Test("GF kernels: (4,2) and (10,4) products at every size and unaligned start equal scalar", arguments: gfKernels)
    func gfShapes(kernel: GF256.Kernel) {
        var rng = TestRandom(seed: 11)
        let pool = rng.bytes(10 * ((1 << 20) + 7 + 3) + 64)
        pool.withUnsafeBytes { all in
            for (k, m) in [(4, 2), (10, 4), (5, 3), (9, 7)] {
                for (i, length) in Self.sizes.enumerated() {
                    let offset = 1 + i % 3
                    let sources = (0..<k).map { all.baseAddress! + offset + $0 * (length + 3) }
                    let coefficients = (0..<(k * m)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                    let want = Self.matmul(.scalar, coefficients, sources, length: length, rows: m)
                    let got = Self.matmul(kernel, coefficients, sources, length: length, rows: m)
                    #expect(got == want, "\(kernel.name) k=\(k) m=\(m) length=\(length) offset=\(offset)")
                }
            }
        }
    }

    @Test("GF kernels: every coefficient equals scalar", arguments: gfKernels)
    func gfCoefficients(kernel: GF256.Kernel) {
        var rng = TestRandom(seed: 12)
        let source = rng.bytes(4096 + 65 + 1)
        source.withUnsafeBytes { s in
            let start = s.baseAddress! + 1
            for c in 0...255 {
                let coefficients = [UInt8(c)]
                #expect(Self.matmul(kernel, coefficients, [start], length: 4096 + 65, rows: 1)
                    == Self.matmul(.scalar, coefficients, [start], length: 4096 + 65, rows: 1), "\(kernel.name) c=\(c)")
            }
        }
    }

    @Test("CRC kernels: every size and unaligned start equals the table", arguments: crcKernels)
    func crcSizes(kernel: CRC32C.Kernel) {
        var rng = TestRandom(seed: 13)
        let bytes = rng.bytes((1 << 20) + 7 + 8)
        bytes.withUnsafeBytes { all in
            for length in Self.sizes {
                for offset in [0, 1, 3, 7] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                    var want = CRC32C()
                    want.update(slice, kernel: .table)
                    var got = CRC32C()
                    got.update(slice, kernel: kernel)
                    #expect(got.value == want.value, "\(kernel.name) length=\(length) offset=\(offset)")
                }
            }
        }
    }
}
