import CIntegrity

/// CRC32C (Castagnoli), the checksum on every frame and stored block.
///
/// Incremental: start with `CRC32C()`, feed bytes with `update`, read `value`.
/// One-shot: `CRC32C.checksum(bytes)`. The fastest kernel the CPU has is picked once
/// at run time (VPCLMULQDQ folding on AVX-512 or on 256-bit vectors, else PCLMULQDQ
/// folding on 128-bit vectors, else SSE4.2 on three
/// streams joined by PCLMULQDQ; on aarch64 the crc32c instructions joined by PMULL; else
/// slicing-by-8).
public struct CRC32C: Sendable, Equatable {
    /// The kernels a checksum can be computed with.
    public enum Kernel: Sendable, CaseIterable {
        /// The fastest this CPU runs, or the one the environment variable
        /// `FIREDRILL_CRC_KERNEL` names (so tests and CI can force every path).
        case automatic
        /// Portable slicing-by-8 tables.
        case table
        /// SSE4.2 `crc32` on three interleaved streams, joined by carry-less multiplication.
        case hardware
        /// PCLMULQDQ folding on 128-bit vectors, for CPUs without VPCLMULQDQ (AMD Zen 1/2,
        /// Intel before Ice Lake).
        case pclmulSSE
        /// VPCLMULQDQ folding on 256-bit vectors, for CPUs without AVX-512 (AMD Zen 3).
        case vpclmulAVX2
        /// AVX-512 VPCLMULQDQ folding of 256-byte blocks.
        case avx512
        /// The ARMv8 `crc32c` instructions on three streams, joined by PMULL.
        case armv8

        var raw: fd_crc_kernel {
            switch self {
            case .automatic: FD_CRC_AUTO
            case .table: FD_CRC_TABLE
            case .hardware: FD_CRC_SSE42
            case .pclmulSSE: FD_CRC_PCLMUL128
            case .vpclmulAVX2: FD_CRC_VPCLMUL256
            case .avx512: FD_CRC_AVX512
            case .armv8: FD_CRC_ARMV8
            }
        }

        /// The kernel named `name` (as `name` gives it), or nil.
        public init?(name: String) {
            guard let k = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = k
        }

        /// Whether this kernel can run on this CPU.
        public var isAvailable: Bool { fd_crc32c_kernel_available(raw) != 0 }

        /// The kernel's name, as `FIREDRILL_CRC_KERNEL` and `bench crc32c --kernel` take it.
        public var name: String { String(cString: fd_crc32c_kernel_name_of(raw)) }

        /// Whether `FIREDRILL_CRC_KERNEL` named a kernel this CPU does not run (it is then
        /// ignored, and `.automatic` is the fastest).
        public static var overrideRefused: Bool { fd_crc32c_kernel_override_refused() != 0 }
    }

    /// The raw CRC register (inverted form).
    @usableFromInline var state: UInt32

    /// A fresh checksum over no bytes.
    @inlinable public init() { state = 0xFFFF_FFFF }

    /// Continues a checksum whose value so far is `value`.
    @inlinable public init(continuing value: UInt32) { state = ~value }

    /// The checksum of every byte fed so far.
    @inlinable public var value: UInt32 { ~state }

    /// Feeds raw bytes.
    @inlinable public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        state = fd_crc32c_update(state, base, bytes.count)
    }

    /// Feeds any contiguous bytes (arrays, slices, buffers) without copying.
    @inlinable public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Feeds bytes with a chosen kernel (tests and benchmarks compare kernels this way).
    public mutating func update(_ bytes: UnsafeRawBufferPointer, kernel: Kernel) {
        guard let base = bytes.baseAddress else { return }
        state = fd_crc32c_update_with(kernel.raw, state, base, bytes.count)
    }

    /// The checksum of raw bytes.
    @inlinable public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// The checksum of contiguous bytes.
    @inlinable public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// The name of the kernel `.automatic` uses on this CPU.
    public static var kernelName: String { String(cString: fd_crc32c_kernel_name()) }
}
