// Checkpoint manifests: never trap; an accepted manifest re-encodes to one that decodes the same.
import Engine

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do throws(DecodeError) {
        let m = try Manifest.decode(bytes)
        let again = try? Manifest.decode(m.encoded())
        require(again == m, "an accepted manifest does not survive encode and decode")
    } catch {
        require(!error.description.isEmpty, "an error without a message")
    }
    return 0
}
