import ArgumentParser
import Integrity

/// The codec kernels as `bench crc32c|rs --kernel` names and offers them.
enum BenchKernels {
    /// The kernels `--kernel VALUE` asks to measure: `automatic`, a kernel's name (which must
    /// run here), or `all` (each kernel this CPU runs). `list` prints the CPU's features and
    /// every kernel, whether it runs here and which is chosen, and asks for none.
    static func choose<Kernel: Equatable>(
        _ value: String, what: String, all kernels: [Kernel], automatic: Kernel, chosen: String,
        name: (Kernel) -> String, available: (Kernel) -> Bool, overrideVariable: String, overrideRefused: Bool
    ) throws -> [Kernel] {
        let runnable = kernels.filter { available($0) && $0 != automatic }
        // An override the library ignored would make the figures lie about their kernel.
        if overrideRefused {
            throw ValidationError("\(overrideVariable) names a kernel this CPU does not run; unset it or pick one of: \(runnable.map(name).joined(separator: ", "))")
        }
        switch value {
        case "list":
            print("cpu features: \(CPUFeatures.names.joined(separator: " "))")
            print("\(what) kernel chosen: \(chosen)  (\(overrideVariable)=NAME forces one)")
            for k in kernels where k != automatic {
                print("  \(name(k))\(String(repeating: " ", count: max(1, 16 - name(k).count)))\(available(k) ? "runs here" : "not on this CPU")")
            }
            return []
        case "all": return runnable
        default:
            guard let k = kernels.first(where: { name($0) == value }) else {
                throw ValidationError("--kernel must be list, all or one of \(kernels.map(name).joined(separator: ", ")); got '\(value)'")
            }
            guard available(k) else {
                throw ValidationError("--kernel \(value) does not run on this CPU (it has: \(CPUFeatures.names.joined(separator: " "))); it runs: \(runnable.map(name).joined(separator: ", "))")
            }
            return [k]
        }
    }
}
