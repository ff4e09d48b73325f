import CIntegrity

/// Arithmetic in GF(2^8) over the polynomial 0x11D, the field Reed-Solomon codes in.
public enum GF256 {
    /// The product of two field elements.
    @inlinable public static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 { fd_gf_mul(a, b) }

    /// The multiplicative inverse; `inverse(0)` is 0.
    @inlinable public static func inverse(_ a: UInt8) -> UInt8 { fd_gf_inv(a) }

    /// The region kernels, fastest first.
    public enum Kernel: Sendable, CaseIterable, CustomStringConvertible {
        /// The fastest this CPU runs, or the one the environment variable
        /// `FIREDRILL_GF_KERNEL` names (so tests and CI can force every path).
        case automatic
        /// GF2P8AFFINEQB on AVX-512.
        case gfniAVX512
        /// GF2P8AFFINEQB on 256-bit vectors, for CPUs with GFNI but no AVX-512.
        case gfniAVX2
        /// Nibble tables and pshufb on AVX2, several parity rows per pass over the sources.
        case avx2
        /// Nibble tables and tbl on aarch64 Advanced SIMD.
        case neon
        /// Nibble tables and pshufb on SSSE3.
        case ssse3
        /// A row of the multiplication table per coefficient; runs everywhere.
        case scalar

        var raw: fd_gf_kernel {
            switch self {
            case .automatic: FD_GF_AUTO
            case .gfniAVX512: FD_GF_GFNI512
            case .gfniAVX2: FD_GF_GFNI256
            case .avx2: FD_GF_AVX2
            case .neon: FD_GF_NEON
            case .ssse3: FD_GF_SSSE3
            case .scalar: FD_GF_SCALAR
            }
        }

        /// The kernel named `name` (as `name` gives it), or nil.
        public init?(name: String) {
            guard let k = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = k
        }

        /// Whether this kernel runs on this CPU.
        public var isAvailable: Bool { fd_gf_kernel_available(raw) != 0 }

        /// The kernel's name, as `FIREDRILL_GF_KERNEL` and `bench rs --kernel` take it.
        public var name: String { String(cString: fd_gf_kernel_name_of(raw)) }

        /// The kernel `.automatic` runs on this CPU.
        public static var chosen: Kernel { Kernel(name: String(cString: fd_gf_kernel_name())) ?? .scalar }

        /// Whether `FIREDRILL_GF_KERNEL` named a kernel this CPU does not run (it is then
        /// ignored, and `.automatic` is the fastest).
        public static var overrideRefused: Bool { fd_gf_kernel_override_refused() != 0 }

        public var description: String {
            self == .automatic ? "automatic (\(Self.chosen.name))" : name
        }
    }

    /// `dst ^= c * src` over `count` bytes.
    public static func multiplyAdd(
        _ c: UInt8, _ src: UnsafeRawPointer, into dst: UnsafeMutableRawPointer, count: Int,
        kernel: Kernel = .automatic
    ) {
        fd_gf_mul_add(kernel.raw, count, c, src.assumingMemoryBound(to: UInt8.self), dst.assumingMemoryBound(to: UInt8.self))
    }
}

/// A small dense matrix over GF(2^8), row-major.
struct GFMatrix: Equatable {
    let rows: Int
    let columns: Int
    var elements: [UInt8]

    init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        elements = [UInt8](repeating: 0, count: rows * columns)
    }

    subscript(row: Int, column: Int) -> UInt8 {
        get { elements[row * columns + column] }
        set { elements[row * columns + column] = newValue }
    }

    /// The rows listed, in order.
    func selecting(rows picked: [Int]) -> GFMatrix {
        var m = GFMatrix(rows: picked.count, columns: columns)
        for (i, r) in picked.enumerated() {
            for c in 0..<columns { m[i, c] = self[r, c] }
        }
        return m
    }

    /// self x other.
    func multiplied(by other: GFMatrix) -> GFMatrix {
        var m = GFMatrix(rows: rows, columns: other.columns)
        for r in 0..<rows {
            for c in 0..<other.columns {
                var acc: UInt8 = 0
                for i in 0..<columns { acc ^= GF256.multiply(self[r, i], other[i, c]) }
                m[r, c] = acc
            }
        }
        return m
    }

    /// The inverse by Gauss-Jordan elimination, or nil when singular.
    func inverted() -> GFMatrix? {
        precondition(rows == columns, "only square matrices invert")
        let n = rows
        var a = self
        var inv = GFMatrix(rows: n, columns: n)
        for i in 0..<n { inv[i, i] = 1 }
        for col in 0..<n {
            guard let pivot = (col..<n).first(where: { a[$0, col] != 0 }) else { return nil }
            if pivot != col {
                for c in 0..<n {
                    a.elements.swapAt(pivot * n + c, col * n + c)
                    inv.elements.swapAt(pivot * n + c, col * n + c)
                }
            }
            let scale = GF256.inverse(a[col, col])
            for c in 0..<n {
                a[col, c] = GF256.multiply(a[col, c], scale)
                inv[col, c] = GF256.multiply(inv[col, c], scale)
            }
            for r in 0..<n where r != col {
                let f = a[r, col]
                if f == 0 { continue }
                for c in 0..<n {
                    a[r, c] ^= GF256.multiply(f, a[col, c])
                    inv[r, c] ^= GF256.multiply(f, inv[col, c])
                }
            }
        }
        return inv
    }
}
