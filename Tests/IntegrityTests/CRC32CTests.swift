import Integrity
import Testing

@Suite("CRC32C")
struct CRC32CTests {
    static let kernels = CRC32C.Kernel.allCases.filter(\.isAvailable)

    static func checksum(_ bytes: [UInt8], _ kernel: CRC32C.Kernel) -> UInt32 {
        var crc = CRC32C()
        bytes.withUnsafeBytes { crc.update($0, kernel: kernel) }
        return crc.value
    }

    @Test("standard vectors", arguments: kernels)
    func vectors(kernel: CRC32C.Kernel) {
        #expect(Self.checksum(Array("123456789".utf8), kernel) == 0xE306_9283)
        #expect(Self.checksum([UInt8](repeating: 0, count: 32), kernel) == 0x8A91_36AA)
        #expect(Self.checksum([UInt8](repeating: 0xFF, count: 32), kernel) == 0x62A8_AB43)
        #expect(Self.checksum((0..<32).map { UInt8($0) }, kernel) == 0x46DD_794E)
        #expect(Self.checksum((0..<32).reversed().map { UInt8($0) }, kernel) == 0x113F_DB5C)
        #expect(Self.checksum([], kernel) == 0)
    }

    @Test("one-shot API over arrays, slices and raw buffers agree")
    func oneShot() {
        let bytes = Array("123456789".utf8)
        #expect(CRC32C.checksum(bytes) == 0xE306_9283)
        #expect(CRC32C.checksum(bytes[...]) == 0xE306_9283)
        #expect(bytes.withUnsafeBytes { CRC32C.checksum($0) } == 0xE306_9283)
        #expect(CRC32C.checksum("123456789".utf8) == 0xE306_9283)
    }

    @Test("every kernel equals the table on every length 0...4096 at every alignment 0...63")
    func kernelsAgree() {
        var rng = TestRandom(seed: 42)
        let buffer = rng.bytes(4096 + 64)
        let fast = Self.kernels.filter { $0 != .table && $0 != .automatic }
        #expect(!fast.isEmpty || !CRC32C.Kernel.hardware.isAvailable)
        var mismatches = 0
        buffer.withUnsafeBytes { all in
            for align in 0..<64 {
                for length in 0...4096 {
                    let slice = UnsafeRawBufferPointer(rebasing: all[align..<(align + length)])
                    var reference = CRC32C()
                    reference.update(slice, kernel: .table)
                    for kernel in fast {
                        var c = CRC32C()
                        c.update(slice, kernel: kernel)
                        if c.value != reference.value { mismatches += 1 }
                    }
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("split and incremental updates equal one-shot", arguments: kernels)
    func incremental(kernel: CRC32C.Kernel) {
        var rng = TestRandom(seed: 7)
        for _ in 0..<200 {
            let length = Int(rng.next() % 3000)
            let bytes = rng.bytes(length)
            let whole = Self.checksum(bytes, .table)
            var parts = CRC32C()
            var at = 0
            while at < length {
                let n = min(length - at, Int(rng.next() % 700))
                bytes.withUnsafeBytes { parts.update(UnsafeRawBufferPointer(rebasing: $0[at..<(at + n)]), kernel: kernel) }
                at += n
            }
            #expect(parts.value == whole)
            let resumed = { () -> UInt32 in
                let cut = length / 3
                var first = CRC32C()
                first.update(bytes[..<cut])
                var second = CRC32C(continuing: first.value)
                second.update(bytes[cut...])
                return second.value
            }()
            #expect(resumed == whole)
        }
    }

    @Test("large buffers across block and region boundaries agree", arguments: [12_288, 12_289, 100_000, (1 << 18) + 129, 1 << 20, (1 << 20) + 13])
    func large(length: Int) {
        var rng = TestRandom(seed: UInt64(length))
        let bytes = rng.bytes(length)
        let reference = Self.checksum(bytes, .table)
        for kernel in Self.kernels { #expect(Self.checksum(bytes, kernel) == reference) }
    }
}
