import ArgumentParser
import Flink
import Foundation

/// `firedrill bench guard`: what guarding a Flink checkpoint costs, on files standing in for one.
struct BenchGuard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard",
        abstract: "The checkpoint guard's cost: CRC32C + RS(10+2) parity of a checkpoint in memory (one core), guarding it from files, and rebuilding a rotted file.",
        discussion: "A stand-in checkpoint of --megabytes in 4 state files and a _metadata, written under --scratch and removed afterwards."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "Megabytes of checkpoint (16-4096).")
    var megabytes = 256

    @Option(help: "Scratch directory (removed afterwards).")
    var scratch = "/tmp"

    func run() throws {
        guard (16...4096).contains(megabytes) else { throw ValidationError("--megabytes must be 16-4096, got \(megabytes)") }
        let root = "\(scratch)/firedrill-bench-guard-\(getpid())"
        let jobDir = root + "/checkpoints/00000000000000000000000000000001"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: jobDir + "/chk-1", withIntermediateDirectories: true)
        let each = megabytes << 18  // a quarter of the total
        var files: [(path: String, bytes: UnsafeRawBufferPointer)] = []
        defer { for f in files { f.bytes.deallocate() } }
        for (i, name) in ["_metadata", "state-0", "state-1", "state-2", "state-3"].enumerated() {
            let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: i == 0 ? 4096 : each, alignment: 64)
            fillRandom(buf, seed: UInt64(i + 1))
            files.append(("chk-1/" + name, UnsafeRawBufferPointer(buf)))
            try Data(buf).write(to: URL(fileURLWithPath: jobDir + "/chk-1/" + name))
        }
        let total = files.reduce(0) { $0 + $1.bytes.count }
        let g = CheckpointGuard(jobDirectory: jobDir, parityDirectory: root + "/guard")
        var parityBytes = 0
        let memory = try Stopwatch.measure(runs: options.runs) {
            let (_, p) = try g.computeParity(checkpoint: 1, files: files)
            parityBytes = p.count
        }
        let fromFiles = try Stopwatch.measure(runs: options.runs) { _ = try g.protect(1) }
        // One flipped bit in a state file, found and rebuilt.
        var repairs: [Double] = []
        for r in 0..<options.runs {
            let path = jobDir + "/chk-1/state-\(r % 4)"
            let fd = open(path, O_RDWR)
            guard fd >= 0 else { throw RuntimeFailure("\(path): cannot open it") }
            var byte: UInt8 = 0
            let at = off_t((r * 7_919_993) % each)
            _ = pread(fd, &byte, 1, at)
            byte ^= 0x10
            _ = pwrite(fd, &byte, 1, at)
            close(fd)
            let t = Stopwatch.now()
            let c = try g.check(1, repair: true)
            repairs.append(Stopwatch.now() - t)
            guard c.intact, c.findings.count == 1 else { throw RuntimeFailure("the rotted file was not rebuilt: \(c.findings)") }
        }
        let gb = Double(total) / 1e9
        BenchReport.print([
            BenchResult(name: "guard-parity-memory", value: gb / memory, unit: "GB/s",
                        detail: "\(megabytes) MB checkpoint in memory, one core: file CRC32Cs, block CRC32Cs, RS(10+2) parity (\(parityBytes >> 20) MB); median \(BenchReport.format(memory * 1000, digits: 1)) ms of \(options.runs)"),
            BenchResult(name: "guard-protect-files", value: gb / fromFiles, unit: "GB/s",
                        detail: "the same from its files (page cache): read, CRC, parity, manifest and parity written, fsync, rename; median \(BenchReport.format(fromFiles * 1000, digits: 1)) ms"),
            BenchResult(name: "guard-repair-bitflip", value: Stopwatch.median(repairs) * 1000, unit: "ms",
                        detail: "a flipped bit in a \(each >> 20) MB state file: all \(megabytes) MB re-read and checked, the file rebuilt from parity, checked, written beside, fsync, rename"),
        ], json: options.json)
    }
}
