import Integrity
import Testing

@Suite("Frame")
struct FrameTests {
    @Test("random payloads round-trip")
    func roundTrip() throws {
        var rng = TestRandom(seed: 3)
        for _ in 0..<300 {
            let payload = rng.bytes(Int(rng.next() % 2000))
            let frame = Frame(kind: .batch, flags: UInt16(truncatingIfNeeded: rng.next()), payload: payload)
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
}
