import ArgumentParser
import Integrity

/// `firedrill bench crc32c`: the shapes ISA-L's peer measures.
struct BenchCRC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crc32c",
        abstract: "CRC32C on a 64 MiB buffer (GB/s) and on 256-byte records (M records/s)."
    )

    @OptionGroup var options: BenchOptions

    func run() throws {
        let size = 64 << 20
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { buf.deallocate() }
        fillRandom(buf, seed: 1)
        let raw = UnsafeRawBufferPointer(buf)
        var sink: UInt32 = 0
        let big = Stopwatch.measure(runs: options.runs) { sink &+= CRC32C.checksum(raw) }
        let small = Stopwatch.measure(runs: options.runs) {
            for _ in 0..<4 {
                var off = 0
                while off < size {
                    sink &+= CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[off..<(off + 256)]))
                    off += 256
                }
            }
        }
        let records = Double(4 * size / 256)
        BenchReport.print([
            BenchResult(name: "crc32c-64MiB", value: Double(size) / big / 1e9, unit: "GB/s", detail: CRC32C.kernelName),
            BenchResult(name: "crc32c-256B", value: records / small / 1e6, unit: "Mrec/s", detail: "\(BenchReport.format(records * 256 / small / 1e9, digits: 2)) GB/s"),
        ], json: options.json)
        if sink == 0x1234_5678 { print("") }  // keeps the work observable
    }
}
