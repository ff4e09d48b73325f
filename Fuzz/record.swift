// Records and casts read back (`firedrill replay`): never traps; an error names a line of
// the input; an accepted record has frames in time order, and the cluster rebuilt at any
// moment of it keeps the live board's bounds (a log of at most 500 events, one receipt per
// id in id order, the history ending at the frame shown, the checkpoints it lists).
import Drills

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let lines = max(1, bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count)
    do throws(FileError) {
        let r = try RecordReader.parse(bytes, file: "fuzz.jsonl")
        require(!r.frames.isEmpty, "an accepted record has no frame")
        require(zip(r.frames, r.frames.dropFirst()).allSatisfy { $0.t <= $1.t + 1e-6 }, "frames out of order")
        for t in [r.start - 1, r.start, (r.start + r.end) / 2, r.end, r.end + 1] {
            let s = r.snapshot(at: t)
            require(s.events.count <= 500, "a log of \(s.events.count) events")
            require(zip(s.receipts, s.receipts.dropFirst()).allSatisfy { $0.id < $1.id }, "receipts not one per id in order")
            require(s.nodes.count == r.header.nodes, "a frame of \(s.nodes.count) nodes, the header says \(r.header.nodes)")
            if let last = s.history.last { require(abs(last.time - s.uptime) < 1e-6, "the history ends at \(last.time), the frame at \(s.uptime)") }
            _ = r.events(after: t)
        }
    } catch {
        require(error.line >= 1 && error.line <= lines, "record error names line \(error.line) of \(lines): \(error.description)")
    }
    do throws(FileError) {
        let c = try CastFile.parse(bytes, file: "fuzz.cast")
        require(zip(c.events, c.events.dropFirst()).allSatisfy { $0.time <= $1.time }, "cast events out of order")
        require(c.header.version == 2, "a cast of version \(c.header.version) accepted")
    } catch {
        require(error.line >= 1 && error.line <= lines, "cast error names line \(error.line) of \(lines): \(error.description)")
    }
    return 0
}
