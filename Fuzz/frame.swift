// Frame.decode: never traps; every accepted frame re-encodes to exactly the bytes it took.
import Integrity

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do throws(FrameError) {
        let (frame, consumed) = try Frame.decode(bytes, maxPayload: 1 << 20)
        require(consumed == Frame.headerSize + frame.payload.count && consumed <= size, "consumed \(consumed) of \(size)")
        require(frame.encoded() == Array(bytes[0..<consumed]), "an accepted frame does not re-encode to its bytes")
    } catch {
        _ = error.description
    }
    return 0
}
