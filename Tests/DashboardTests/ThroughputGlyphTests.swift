@testable import Dashboard
@testable import Engine
import Testing

/// Under NO_COLOR the read and committed series cannot differ by colour, so they differ by glyph.
@Suite("Throughput without colour")
struct ThroughputGlyphTests {
    static func graph(color: Bool) -> (canvas: Canvas, rows: ClosedRange<Int>) {
        let c = Fixtures.render(Fixtures.snapshot(), color: color)
        let legend = Fixtures.find("read ", in: c)!
        return (c, (legend.y + 1)...(legend.y + 6))
    }

    static func count(_ glyph: (Unicode.Scalar) -> Bool, in g: (canvas: Canvas, rows: ClosedRange<Int>)) -> Int {
        g.rows.reduce(0) { n, y in n + g.canvas.row(y).unicodeScalars.filter(glyph).count }
    }

    @Test("the legend and the series differ by glyph: read a braille area, committed a line of dots")
    func glyphsDiffer() throws {
        let mono = Self.graph(color: false)
        #expect(Fixtures.find("⣿ read 12.0M/s", in: mono.canvas) != nil)
        #expect(Fixtures.find("• committed 11.5M/s", in: mono.canvas) != nil)
        #expect(Self.count({ $0 == "•" }, in: mono) > 10, "the committed series is drawn in its own glyph")
        #expect(Self.count({ (0x2801...0x28FF).contains($0.value) }, in: mono) > 10, "the read area stays braille")
        // With colour the series keep their colours and the legend its line.
        let colour = Self.graph(color: true)
        #expect(Fixtures.find("━ read 12.0M/s", in: colour.canvas) != nil)
        #expect(Self.count({ $0 == "•" }, in: colour) == 0)
    }
}
