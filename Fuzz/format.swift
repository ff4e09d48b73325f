// The data directory's format file: never traps; what it accepts is a usable job shape.
import Engine

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let disk = MemoryDisk()
    do throws(DiskError) {
        try disk.writeAtomically(DataDirectory.formatFile, Array(UnsafeBufferPointer(start: data, count: size)))
    } catch { return 0 }
    do throws(ConfigError) {
        let f = try DataDirectory.readFormat(disk, label: "fuzz")
        require(f.nodes >= 1 && f.dataShards >= 1 && f.parityShards >= 1, "accepted a format with \(f)")
    } catch {
        require(!error.description.isEmpty, "an error without a message")
    }
    return 0
}
