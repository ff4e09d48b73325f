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

    /// Zero-filled shards.
    public init(count: Int, shardLength: Int) {
        self.count = max(0, count)
        self.shardLength = max(0, shardLength)
        let total = max(1, self.count * self.shardLength)
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 64)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit { bytes.deallocate() }

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
