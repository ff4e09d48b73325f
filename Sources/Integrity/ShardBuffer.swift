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

    /// The length of the mapping `bytes` starts (large stripes), 0 when it came from the heap.
    private let mappedLength: Int

    /// Zero-filled shards. Large stripes are mapped, with room to spare, and kept in a pool
    /// when freed, so the next checkpoint, scrub or restore reuses resident pages although
    /// its size differs by a few bytes. A fresh mapping is not populated up front: filling
    /// 100 MB under `MAP_POPULATE` holds the process's memory-map lock for hundreds of
    /// milliseconds, and every other thread that faults a page or maps memory meanwhile
    /// waits for it (every node thread stalled at once, every few seconds, with a 100 MB
    /// state). Its pages fault in as the stripe is filled, transparent huge pages where the
    /// kernel gives them (`MADV_HUGEPAGE`: a fault per 2 MB).
    public convenience init(count: Int, shardLength: Int) {
        self.init(count: count, shardLength: shardLength, pool: Self.pool)
    }

    /// The pool large stripes come from and go back to (tests give their own).
    private let pool: PoolBox

    init(count: Int, shardLength: Int, pool: PoolBox) {
        self.pool = pool
        self.count = max(0, count)
        self.shardLength = max(0, shardLength)
        let total = max(1, self.count * self.shardLength)
        if total >= Self.mapThreshold, let reused = pool.free.withLock({ $0.take(atLeast: total) }) {
            bytes = UnsafeMutableRawBufferPointer(start: reused.start, count: total)
            bytes.initializeMemory(as: UInt8.self, repeating: 0)
            mappedLength = reused.length
        } else if total >= Self.mapThreshold, case let length = Self.mappingLength(for: total),
                  let p = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED {
            _ = madvise(p, length, Int32(MADV_HUGEPAGE))
            bytes = UnsafeMutableRawBufferPointer(start: p, count: total)  // anonymous pages are zero
            mappedLength = length
        } else {
            bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 64)
            bytes.initializeMemory(as: UInt8.self, repeating: 0)
            mappedLength = 0
        }
    }

    deinit {
        if mappedLength > 0 {
            let start = bytes.baseAddress.unsafelyUnwrapped, length = mappedLength
            if !pool.free.withLock({ $0.give(start: start, length: length) }) { munmap(start, length) }
        } else {
            bytes.deallocate()
        }
    }

    static let mapThreshold = 4 << 20

    /// A mapping for `total` bytes: a sixteenth more, in whole 2 MB pages, so that the next
    /// stripe of nearly the same size fits in it.
    static func mappingLength(for total: Int) -> Int {
        let page = 2 << 20
        return (total + total / 16 + page - 1) / page * page
    }

    /// A few recently freed large stripes, kept mapped for the next one that fits.
    struct Pool: ~Copyable {
        var free: [(start: UInt, length: Int)] = []
        static let limit = 4
        static let byteLimit = 768 << 20

        /// The smallest mapping that holds `count` bytes without wasting more than half of it.
        mutating func take(atLeast count: Int) -> (start: UnsafeMutableRawPointer, length: Int)? {
            var best: Int?
            for (i, e) in free.enumerated() where e.length >= count && e.length / 2 <= count {
                if best.map({ e.length < free[$0].length }) ?? true { best = i }
            }
            guard let i = best else { return nil }
            let e = free.remove(at: i)
            return (UnsafeMutableRawPointer(bitPattern: e.start).unsafelyUnwrapped, e.length)
        }

        /// Keeps a freed mapping; false when the pool is full (the caller unmaps it).
        mutating func give(start: UnsafeMutableRawPointer, length: Int) -> Bool {
            let held = free.reduce(0) { $0 + $1.length }
            guard free.count < Self.limit, held + length <= Self.byteLimit else { return false }
            free.append((UInt(bitPattern: start), length))
            return true
        }
    }

    /// A pool behind its lock.
    final class PoolBox: Sendable {
        let free = Mutex(Pool())
        init() {}
        deinit { free.withLock { p in for e in p.free { munmap(UnsafeMutableRawPointer(bitPattern: e.start), e.length) } } }
    }

    static let pool = PoolBox()

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
