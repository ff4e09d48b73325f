import ArgumentParser
import Integrity

/// `firedrill bench rs`: Reed-Solomon encode and reconstruct, 1 MiB shards.
struct BenchRS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rs",
        abstract: "Reed-Solomon encode and reconstruct-2-lost-data-shards for (4,2) and (10,4), 1 MiB shards (GB/s of data)."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "Region kernel: automatic, a kernel's name, all (each this CPU runs), or list (the CPU's features and the kernels).")
    var kernel: String = "automatic"

    func run() throws {
        let kernels = try BenchKernels.choose(
            kernel, what: "rs", all: GF256.Kernel.allCases, automatic: .automatic, chosen: GF256.Kernel.chosen.name,
            name: \.name, available: \.isAvailable, overrideVariable: "FIREDRILL_GF_KERNEL", overrideRefused: GF256.Kernel.overrideRefused)
        if kernels.isEmpty { return }  // listed
        var results: [BenchResult] = []
        for chosen in kernels {
            for (k, m) in [(4, 2), (10, 4)] {
                results += try measure(k: k, m: m, kernel: chosen, suffix: kernels.count > 1 ? "-\(chosen.name)" : "")
            }
        }
        BenchReport.print(results, json: options.json)
    }

    private func measure(k: Int, m: Int, kernel: GF256.Kernel, suffix: String) throws -> [BenchResult] {
        let length = 1 << 20
        let code = try ReedSolomon(dataShards: k, parityShards: m, kernel: kernel)
        let stripe = ShardBuffer(count: k + m, shardLength: length)
        for i in 0..<k { fillRandom(stripe.shard(i), seed: UInt64(7 + i)) }
        let iterations = kernel == .scalar ? 2 : 40
        let data = (0..<k).map { UnsafeRawPointer(stripe.pointer($0)) }
        let parity = (k..<(k + m)).map { stripe.pointer($0) }
        let encode = try Stopwatch.measure(runs: options.runs) {
            for _ in 0..<iterations { try code.encode(shardLength: length, data: data, parity: parity) }
        } / Double(iterations)
        let originals = [stripe.array(0), stripe.array(1)]
        var present = [Bool](repeating: true, count: k + m)
        present[0] = false
        present[1] = false
        let pointers = (0..<(k + m)).map { stripe.pointer($0) }
        let reconstruct = try Stopwatch.measure(runs: options.runs) {
            for _ in 0..<iterations { try code.reconstruct(shardLength: length, shards: pointers, present: present) }
        } / Double(iterations)
        guard stripe.array(0) == originals[0], stripe.array(1) == originals[1] else {
            throw BenchFailure("reconstructed shards differ from the originals")
        }
        let bytes = Double(k * length)
        let tag = "rs-\(k)+\(m)"
        let name = kernel == .automatic ? GF256.Kernel.chosen.name : kernel.name
        return [
            BenchResult(name: "\(tag)-encode\(suffix)", value: bytes / encode / 1e9, unit: "GB/s", detail: name),
            BenchResult(name: "\(tag)-reconstruct\(suffix)", value: bytes / reconstruct / 1e9, unit: "GB/s", detail: "2 data shards lost, verified, \(name)"),
        ]
    }
}

/// A benchmark that found wrong results.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
