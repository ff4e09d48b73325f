// The TOML reader: never traps; an error names a line of the input; parsing is a function.
import Drills

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = text(data, size)
    let parser = TOMLParser(file: "fuzz.toml")
    do throws(FileError) {
        let doc = try parser.parse(input)
        let again = try? parser.parse(input)
        require(again == doc, "the same text parsed twice gave two documents")
    } catch {
        require(error.line >= 0 && error.line <= lineCount(input) + 1, "error at line \(error.line) of \(lineCount(input)): \(error)")
        require(!error.message.isEmpty, "an error without a message")
    }
    return 0
}
