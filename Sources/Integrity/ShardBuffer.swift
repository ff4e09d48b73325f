#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// One stripe of `count` equal shards in a single 64-byte-aligned allocation.
///
/// Reed-Solomon kernels want stable pointers to every shard at once; Swift arrays of
/// arrays cannot lend them, so hot paths (the shard store, benchmarks) keep stripes here.
/// A blob copied to `bytes` lands in the data shards in order, since they are contiguous.
public final class ShardBuffer {
    /// Number of shards.
    public let count: Int
    /// Bytes per shard.
    public let shardLength: Int
    /// All shards back to back: shard `i` is bytes `i*shardLength ..< (i+1)*shardLength`.
    public let bytes: UnsafeMutableRawBufferPointer

    /// Whether the memory came from `mmap` (large stripes) rather than the heap.
    private let mapped: Bool

    /// Zero-filled shards. Large stripes are mapped with their pages populated up front:
    /// faulting in 100 MB a page at a time costs more than coding it.
    public init(count: Int, shardLength: Int) {
        self.count = max(0, count)
        self.shardLength = max(0, shardLength)
        let total = max(1, self.count * self.shardLength)
        if total >= Self.mapThreshold, let reused = Self.pool.withLock({ $0.take(total) }) {
            bytes = reused
            bytes.initializeMemory(as: UInt8.self, repeating: 0)
            mapped = true
        } else if total >= Self.mapThreshold, let p = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0), p != MAP_FAILED {
            bytes = UnsafeMutableRawBufferPointer(start: p, count: total)  // anonymous pages are zero
            mapped = true
        } else {
            bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 64)
            bytes.initializeMemory(as: UInt8.self, repeating: 0)
            mapped = false
        }
    }

    deinit {
        if mapped {
            let keep = bytes
            if !Self.pool.withLock({ $0.give(keep) }) { munmap(bytes.baseAddress, bytes.count) }
        } else {
            bytes.deallocate()
        }
    }

    static let mapThreshold = 4 << 20

    /// A few recently freed large stripes, kept mapped so the next checkpoint or restore
    /// of the same size reuses resident pages instead of faulting in fresh ones.
    struct Pool: ~Copyable {
        var free: [(start: UInt, count: Int)] = []
        static let limit = 4
        static let byteLimit = 512 << 20

        mutating func take(_ count: Int) -> UnsafeMutableRawBufferPointer? {
            guard let i = free.firstIndex(where: { $0.count == count }) else { return nil }
            let e = free.remove(at: i)
            return UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: e.start), count: e.count)
        }

        mutating func give(_ b: UnsafeMutableRawBufferPointer) -> Bool {
            let held = free.reduce(0) { $0 + $1.count }
            guard free.count < Self.limit, held + b.count <= Self.byteLimit, let base = b.baseAddress else { return false }
            free.append((UInt(bitPattern: base), b.count))
            return true
        }
    }

    static let pool = Mutex(Pool())

    /// The start of shard `index`.
    public func pointer(_ index: Int) -> UnsafeMutableRawPointer {
        // The allocation is never empty, so the base address always exists.
        bytes.baseAddress.unsafelyUnwrapped + index * shardLength
    }

    /// Shard `index` as a buffer.
    public func shard(_ index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: pointer(index), count: shardLength)
    }

    /// A copy of shard `index`.
    public func array(_ index: Int) -> [UInt8] { Array(shard(index)) }

    /// Overwrites shard `index` with `source` (which must be `shardLength` bytes).
    public func set(_ index: Int, from source: UnsafeRawBufferPointer) {
        let n = min(source.count, shardLength)
        if n > 0, let base = source.baseAddress { pointer(index).copyMemory(from: base, byteCount: n) }
    }
}
