@testable import Engine
import Testing

@Suite("Command text")
struct CommandTextTests {
    @Test("every command prints as text that parses back to the same command", arguments: [
        "kill 2", "hang 0", "slow 3", "slow 3 20ms", "corrupt frame 1", "partition 5", "corrupt shard latest 3",
        "delete shard 7 1", "wipe 4", "heal all", "heal 2", "checkpoint", "recover", "restart 1",
    ])
    func roundTrip(text: String) throws {
        let c = try Command.parse(text, nodes: 6, shards: 6)
        #expect(try Command.parse(c.description, nodes: 6, shards: 6) == c, "\(text) -> \(c)")
    }

    @Test("a slow delay is whole milliseconds, so it prints as what it does (found by fuzzing)")
    func slowDelay() throws {
        let c = try Command.parse("slow 3 08.8888888s", nodes: 6, shards: 6)
        #expect(c == .slow(3, 8.889))
        #expect(c.description == "slow 3 8889ms")
        #expect(throws: CommandError.self) { try Command.parse("slow 3 0.1ms", nodes: 6, shards: 6) }
        #expect(throws: CommandError.self) { try Command.parse("slow 3 11s", nodes: 6, shards: 6) }
    }
}
