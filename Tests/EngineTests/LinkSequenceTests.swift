@testable import Engine
import Integrity
import Testing

@Suite("A frame's sequence number under its CRC")
struct LinkSequenceTests {
    /// Two sealed batch frames a node would send, with identical payloads (only the link's
    /// number tells them apart), and a node to receive them.
    static func setup() -> (frames: [[UInt8]], core: NodeCore) {
        var config = JobConfig()
        config.nodes = 2
        config.partitions = 2
        config.accounts = 10
        let frame = BatchCodec.makeBatch(count: 1, createdNanos: 0) { p in
            p.storeBytes(of: (UInt64(1) | UInt64(UInt32(bitPattern: 5)) << 32).littleEndian, as: UInt64.self)
        }
        return ([frame, frame], NodeCore(id: 0, config: config, restored: nil))
    }

    @Test("the link stamps each frame with its number; first sends and resends check under it")
    func stamped() throws {
        var (frames, _) = Self.setup()
        let link = Link(capacity: 4)
        for i in frames.indices { #expect(link.push(&frames[i])) }
        #expect(frames[0] != frames[1], "the two frames differ only by the number under their CRC")
        let (taken, _) = link.takeAll()
        #expect(taken.map(\.seq) == [0, 1])
        for (seq, frame) in taken {
            try frame.withUnsafeBytes { _ = try Frame.validate($0, sequence: seq) }
            let again = try #require(link.resend(seq, now: 0, corrupt: false))
            try again.withUnsafeBytes { _ = try Frame.validate($0, sequence: seq) }
        }
    }

    @Test("a resend of the wrong frame is refused by the receiver and applies nothing")
    func wrongResend() throws {
        var (frames, core) = Self.setup()
        let link = Link(capacity: 4)
        for i in frames.indices { #expect(link.push(&frames[i])) }
        // The sender answers a request for frame 0 with its copy of frame 1.
        let wrong = try #require(link.resend(1, now: 0, corrupt: false))
        let before = core.balances
        guard case .corrupt = core.receive(from: 1, frame: wrong, sequence: 0, nowNanos: 0) else {
            Issue.record("frame 1 was taken as frame 0")
            return
        }
        #expect(core.balances == before)
        #expect(core.applied == 0)
        guard case .applied = core.receive(from: 1, frame: wrong, sequence: 1, nowNanos: 0) else {
            Issue.record("frame 1 was refused as itself")
            return
        }
        #expect(core.applied == 1)
        #expect(core.balances[1] == before[1] + 5)
    }

    @Test("a partitioned link swallows a queue's worth, then says no like a full socket; the partition's end opens it again")
    func partitionBlocks() {
        var (frames, _) = Self.setup()
        let link = Link(capacity: 4)
        link.setDropping(true)
        var frame = frames[0]
        for _ in 0..<4 { #expect(link.push(&frame)) }
        #expect(!link.hasRoom)
        #expect(!link.push(&frame), "the fifth frame is refused: the sender must wait")
        #expect(link.depth == 0 && link.takeAll().frames.isEmpty, "nothing swallowed reaches the receiver")
        link.setDropping(false)
        #expect(link.hasRoom)
        #expect(link.push(&frames[1]))
        #expect(link.takeAll().frames.map(\.seq) == [4])
    }
}
