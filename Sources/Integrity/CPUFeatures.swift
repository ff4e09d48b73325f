import CIntegrity

/// The CPU features the codec kernels look for, as detected at run time.
public enum CPUFeatures {
    /// The names of the features this CPU has (and the OS enables), in a fixed order,
    /// e.g. `["sse4.2", "pclmulqdq", "ssse3", "avx2", "vpclmulqdq"]`.
    public static var names: [String] {
        let bits = fd_cpu_features()
        let all: [(UInt32, String)] = [
            (UInt32(FD_CPU_SSE42), "sse4.2"), (UInt32(FD_CPU_PCLMUL), "pclmulqdq"),
            (UInt32(FD_CPU_SSSE3), "ssse3"), (UInt32(FD_CPU_AVX2), "avx2"),
            (UInt32(FD_CPU_AVX512BW), "avx512bw"), (UInt32(FD_CPU_AVX512VL), "avx512vl"),
            (UInt32(FD_CPU_GFNI), "gfni"), (UInt32(FD_CPU_VPCLMUL), "vpclmulqdq"),
            (UInt32(FD_CPU_NEON), "neon"), (UInt32(FD_CPU_ARM_CRC32), "crc32"),
            (UInt32(FD_CPU_PMULL), "pmull"),
        ]
        return all.filter { bits & $0.0 != 0 }.map(\.1)
    }
}
