import ArgumentParser
import Integrity

/// `firedrill bench crc32c`: the shapes ISA-L's peer measures.
struct BenchCRC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crc32c",
        abstract: "CRC32C on a 64 MiB buffer (GB/s) and on 256-byte records (M records/s)."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "Kernel: automatic, a kernel's name, all (each this CPU runs), or list (the CPU's features and the kernels).")
    var kernel: String = "automatic"

    func run() throws {
        let kernels = try BenchKernels.choose(
            kernel, what: "crc32c", all: CRC32C.Kernel.allCases, automatic: .automatic, chosen: CRC32C.kernelName,
            name: \.name, available: \.isAvailable, overrideVariable: "FIREDRILL_CRC_KERNEL", overrideRefused: CRC32C.Kernel.overrideRefused)
        if kernels.isEmpty { return }  // listed
        let size = 64 << 20
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { buf.deallocate() }
        fillRandom(buf, seed: 1)
        var results: [BenchResult] = []
        for k in kernels {
            results += measure(UnsafeRawBufferPointer(buf), kernel: k, suffix: kernels.count > 1 ? "-\(k.name)" : "")
        }
        BenchReport.print(results, json: options.json)
    }

    private func measure(_ raw: UnsafeRawBufferPointer, kernel: CRC32C.Kernel, suffix: String) -> [BenchResult] {
        // .automatic takes the library's everyday path (the inlined one-shot checksum).
        let (big, small) = kernel == .automatic
            ? time(raw) { CRC32C.checksum($0) }
            : time(raw) { var c = CRC32C(); c.update($0, kernel: kernel); return c.value }
        let records = Double(4 * raw.count / 256)
        let name = kernel == .automatic ? CRC32C.kernelName : kernel.name
        return [
            BenchResult(name: "crc32c-64MiB\(suffix)", value: Double(raw.count) / big / 1e9, unit: "GB/s", detail: name),
            BenchResult(name: "crc32c-256B\(suffix)", value: records / small / 1e6, unit: "Mrec/s",
                        detail: "\(BenchReport.format(records * 256 / small / 1e9, digits: 2)) GB/s, \(name)"),
        ]
    }

    /// Median seconds for the whole buffer and for it as 256-byte records, four times over.
    @inline(__always)
    private func time(_ raw: UnsafeRawBufferPointer, _ checksum: (UnsafeRawBufferPointer) -> UInt32) -> (Double, Double) {
        var sink: UInt32 = 0
        let big = Stopwatch.measure(runs: options.runs) { sink &+= checksum(raw) }
        let small = Stopwatch.measure(runs: options.runs) {
            for _ in 0..<4 {
                var off = 0
                while off < raw.count {
                    sink &+= checksum(UnsafeRawBufferPointer(rebasing: raw[off..<(off + 256)]))
                    off += 256
                }
            }
        }
        if sink == 0x1234_5678 { print("") }  // keeps the work observable
        return (big, small)
    }
}
