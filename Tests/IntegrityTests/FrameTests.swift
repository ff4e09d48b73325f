import Integrity
import Testing

@Suite("Frame")
struct FrameTests {
    @Test("random payloads round-trip")
    func roundTrip() throws {
        var rng = TestRandom(seed: 3)
        for _ in 0..<300 {
            let payload = rng.bytes(Int(rng.next() % 2000))
            let frame = Frame(kind: .batch, flags: UInt16(truncatingIfNeeded: rng.next()) & ~Frame.sequenced, payload: payload)
            let bytes = frame.encoded()
            #expect(bytes.count == Frame.headerSize + payload.count)
            let (decoded, consumed) = try Frame.decode(bytes + [1, 2, 3])
            #expect(decoded == frame)
            #expect(consumed == bytes.count)
        }
    }

    @Test("every single-bit flip anywhere is detected")
    func bitFlips() {
        var rng = TestRandom(seed: 11)
        for length in [0, 1, 5, 64, 333] {
            let bytes = Frame(kind: .shard, payload: rng.bytes(length)).encoded()
            for bit in 0..<(bytes.count * 8) {
                var damaged = bytes
                damaged[bit / 8] ^= UInt8(1 << (bit % 8))
                var detected = false
                do { _ = try Frame.decode(damaged) } catch { detected = true }
                #expect(detected, "flip of bit \(bit) in a \(length)-byte frame went unnoticed")
            }
        }
    }

    @Test("decode tells the failures apart")
    func errors() {
        let good = Frame(kind: .batch, payload: [1, 2, 3, 4]).encoded()
        #expect(throws: FrameError.truncated(needed: 16, available: 3)) { try Frame.decode(Array(good[0..<3])) }
        #expect(throws: FrameError.truncated(needed: 20, available: 18)) { try Frame.decode(Array(good[0..<18])) }
        var magic = good
        magic[0] = 0
        #expect(throws: FrameError.badMagic([0, 0x44, 0x52, 0x4C])) { try Frame.decode(magic) }
        var version = good
        version[4] = 9
        #expect(throws: FrameError.unsupportedVersion(9)) { try Frame.decode(version) }
        #expect(throws: FrameError.payloadTooLarge(length: 4, limit: 3)) { try Frame.decode(good, maxPayload: 3) }
        var payload = good
        payload[17] ^= 0x10
        do {
            _ = try Frame.decode(payload)
            Issue.record("a damaged payload decoded")
        } catch let FrameError.checksumMismatch(expected, actual) {
            #expect(expected != actual)
            #expect(FrameError.checksumMismatch(expected: expected, actual: actual).description.contains("0x"))
        } catch {
            Issue.record("wrong error \(error)")
        }
    }

    @Test("random garbage never crashes the decoder")
    func garbage() {
        var rng = TestRandom(seed: 13)
        var decoded = 0
        for i in 0..<20_000 {
            var bytes = rng.bytes(Int(rng.next() % 64))
            if i % 2 == 0, bytes.count >= 5 {  // get past the magic and version checks sometimes
                bytes[0] = 0x46; bytes[1] = 0x44; bytes[2] = 0x52; bytes[3] = 0x4C; bytes[4] = 1
            }
            if (try? Frame.decode(bytes)) != nil { decoded += 1 }
        }
        #expect(decoded == 0)
    }

    /// A sequenced frame numbered `seq` (as a link stamps it).
    static func sequenced(_ seq: UInt64, payload: [UInt8]) -> [UInt8] {
        var bytes = Frame(kind: .batch, flags: Frame.sequenced, payload: payload).encoded()
        let stamped = bytes.withUnsafeMutableBytes { Frame.stamp(seq, into: $0) }
        #expect(stamped)
        return bytes
    }

    @Test("a sequenced frame checks only under the number it was stamped with")
    func sequenceUnderCRC() throws {
        var rng = TestRandom(seed: 5)
        for seq: UInt64 in [0, 1, 2, 255, 256, 1 << 32, UInt64.max] {
            let bytes = Self.sequenced(seq, payload: rng.bytes(40))
            try bytes.withUnsafeBytes { raw in
                _ = try Frame.validate(raw, sequence: seq)
                for other in [seq &+ 1, seq &- 1, seq ^ (1 << 40)] {
                    #expect(throws: FrameError.self) { try Frame.validate(raw, sequence: other) }
                }
                #expect(throws: FrameError.sequenceNotGiven) { try Frame.validate(raw) }
            }
        }
    }

    @Test("a frame resent in place of another fails its check, as on a link")
    func wrongResend() throws {
        var rng = TestRandom(seed: 8)
        // Two frames with the same payload: only the number tells them apart.
        let payload = rng.bytes(64)
        let third = Self.sequenced(3, payload: payload), fourth = Self.sequenced(4, payload: payload)
        #expect(third[Frame.headerSize...] == fourth[Frame.headerSize...])
        try third.withUnsafeBytes { _ = try Frame.validate($0, sequence: 3) }
        _ = fourth.withUnsafeBytes { raw in
            #expect(throws: FrameError.self) { try Frame.validate(raw, sequence: 3) }
        }
    }

    @Test("an unsequenced frame is refused where a number is expected, and only sequenced frames are stamped")
    func unsequenced() {
        var plain = Frame(kind: .batch, payload: [1, 2, 3]).encoded()
        let before = plain
        #expect(!plain.withUnsafeMutableBytes { Frame.stamp(9, into: $0) })
        #expect(plain == before)
        _ = plain.withUnsafeBytes { raw in
            #expect(throws: FrameError.notSequenced(expected: 9)) { try Frame.validate(raw, sequence: 9) }
        }
        var short: [UInt8] = [1, 2, 3]
        #expect(!short.withUnsafeMutableBytes { Frame.stamp(1, into: $0) })
    }

    @Test("every single-bit flip of a sequenced frame is detected")
    func sequencedBitFlips() {
        var rng = TestRandom(seed: 13)
        let bytes = Self.sequenced(77, payload: rng.bytes(50))
        for bit in 0..<(bytes.count * 8) {
            var damaged = bytes
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            var detected = false
            damaged.withUnsafeBytes { raw in
                do { _ = try Frame.validate(raw, sequence: 77) } catch { detected = true }
            }
            #expect(detected, "flip of bit \(bit) went unnoticed")
        }
    }
}
