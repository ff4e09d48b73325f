#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Engine

/// `firedrill bench ...`: measured figures, printed as text or JSON.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the codecs and the engine (run a release build).",
        subcommands: [BenchCRC.self, BenchRS.self, BenchEngine.self, BenchRecovery.self, BenchDashboard.self, BenchReplay.self, BenchFlink.self, BenchGuard.self]
    )
}

/// Options every benchmark takes.
struct BenchOptions: ParsableArguments {
    @Flag(help: "Print one JSON array of {benchmark, value, unit} objects.")
    var json = false

    @Option(help: "Repetitions; the median is reported (1-101).")
    var runs: Int = 5

    func validate() throws {
        guard (1...101).contains(runs) else { throw ValidationError("--runs must be between 1 and 101, got \(runs)") }
    }
}

/// A comma-separated choice of a benchmark's parts (`--only a,b`); every part by default.
struct BenchParts<Part: RawRepresentable & CaseIterable & Hashable>: ExpressibleByArgument where Part.RawValue == String {
    var parts: Set<Part>

    static var all: BenchParts { BenchParts(parts: Set(Part.allCases)) }

    init(parts: Set<Part>) { self.parts = parts }

    init?(argument: String) {
        var parts = Set<Part>()
        for name in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let p = Part(rawValue: String(name)) else { return nil }
            parts.insert(p)
        }
        guard !parts.isEmpty else { return nil }
        self.parts = parts
    }

    var defaultValueDescription: String { "all" }

    static var allValueStrings: [String] { Part.allCases.map(\.rawValue) }

    func contains(_ p: Part) -> Bool { parts.contains(p) }
}

/// One measured figure.
struct BenchResult {
    var name: String
    var value: Double
    var unit: String
    var detail: String = ""
}

enum BenchReport {
    static func print(_ results: [BenchResult], json: Bool) {
        if json {
            let items = results.map { r in
                "{\"benchmark\": \"\(r.name)\", \"value\": \(format(r.value, digits: 3)), \"unit\": \"\(r.unit)\"}"
            }
            Swift.print("[" + items.joined(separator: ", ") + "]")
        } else {
            let width = results.map(\.name.count).max() ?? 0
            for r in results {
                let pad = String(repeating: " ", count: width - r.name.count)
                Swift.print("\(r.name)\(pad)  \(format(r.value, digits: 2)) \(r.unit)\(r.detail.isEmpty ? "" : "  (\(r.detail))")")
            }
        }
    }

    /// A fixed-point decimal without Foundation.
    static func format(_ v: Double, digits: Int) -> String {
        guard v.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        let whole = Int(scaled / scale)
        var frac = String(Int(scaled) - whole * Int(scale))
        while frac.count < digits { frac = "0" + frac }
        return (v < 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + frac : "")
    }
}

/// Wall-clock timing and medians.
enum Stopwatch {
    /// Seconds on the monotonic clock.
    static func now() -> Double { SystemClock.monotonicSeconds() }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The 99th percentile (`Percentile`'s nearest rank); 0 for none.
    static func p99(_ xs: [Double]) -> Double { Percentile.of(xs, 0.99) }

    /// Runs `body` `runs` times and returns the median seconds.
    static func measure(runs: Int, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let t = now()
            try body()
            times.append(now() - t)
        }
        return median(times)
    }
}

/// Deterministic pseudo-random bytes (xorshift), so runs compare.
func fillRandom(_ buf: UnsafeMutableRawBufferPointer, seed: UInt64) {
    var x = seed | 1
    var i = 0
    while i + 8 <= buf.count {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17
        buf.storeBytes(of: x, toByteOffset: i, as: UInt64.self)
        i += 8
    }
    while i < buf.count {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17
        buf[i] = UInt8(truncatingIfNeeded: x)
        i += 1
    }
}
