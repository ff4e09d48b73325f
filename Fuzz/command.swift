// The command line's text: never traps; an accepted command prints as text that parses
// back to the same command.
import Engine

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = text(data, size)
    do throws(CommandError) {
        let command = try Command.parse(input, nodes: 6, shards: 6)
        let again = try? Command.parse(command.description, nodes: 6, shards: 6)
        require(again == command, "'\(input)' parsed as '\(command)', which parses as \(again.map { "'\($0)'" } ?? "an error")")
    } catch {
        require(!error.description.isEmpty, "an error without a message")
    }
    return 0
}
