@testable import Dashboard
import Testing

@Suite("Canvas")
struct CanvasTests {
    @Test("text clips at the edges and control characters show as ?")
    func clipping() {
        var c = Canvas(width: 10, height: 2)
        c.put("hello world", x: 3, y: 0, .plain)
        #expect(c.row(0) == "   hello w")
        c.put("xy", x: -1, y: 1, .plain)
        #expect(c.row(1) == "y         ")
        c.put("a\tb\u{7}", x: 4, y: 1, .plain)
        #expect(c.row(1) == "y   a?b?  ")
        c.put("nope", x: 0, y: 5, .plain)  // outside: nothing happens
        c.put("limit", x: 0, y: 0, .plain, limit: 2)
        #expect(c.row(0) == "li hello w")
    }

    @Test("fit cuts with an ellipsis; wide and combining characters keep the grid aligned")
    func fitting() {
        #expect(Canvas.fit("checkpoint", 5) == "chec…")
        #expect(Canvas.fit("ok", 5) == "ok")
        #expect(Canvas.fit("anything", 0) == "")
        var c = Canvas(width: 6, height: 1)
        c.put("a漢e\u{301}z", x: 0, y: 0, .plain)
        #expect(c.row(0) == "a?ez  ")
        var d = Canvas(width: 8, height: 1)
        d.putFitted("12", x: 0, y: 0, width: 5, .plain, alignRight: true)
        #expect(d.row(0) == "   12   ")
    }

    @Test("changes lists exactly the cells that differ")
    func diff() {
        var a = Canvas(width: 4, height: 3)
        var b = a
        #expect(b.changes(since: a).isEmpty)
        b.put("x", x: 1, y: 2, .plain)
        b[3, 0] = Cell(" ", Style(.indexed(1)))
        #expect(b.changes(since: a) == [3, 9])
        a = Canvas(width: 5, height: 3)
        #expect(b.changes(since: a).count == 12)
    }
}

@Suite("Colours")
struct ColorTests {
    @Test("parsing every form")
    func parsing() {
        #expect(Color.parse("#FF0000") == .rgb(255, 0, 0))
        #expect(Color.parse("196") == .indexed(196))
        #expect(Color.parse("bright-blue") == .indexed(12))
        #expect(Color.parse("gray") == .indexed(8))
        #expect(Color.parse("default") == .default)
        for bad in ["#12345", "256", "-1", "purple-ish", "#gggggg", ""] { #expect(Color.parse(bad) == nil, "\(bad)") }
    }

    @Test("quantizing to 256, 16 and 8 colours")
    func quantizing() {
        #expect(Color.rgb(255, 0, 0).quantized(to: 256) == .indexed(196))
        #expect(Color.rgb(0x28, 0x2a, 0x36).quantized(to: 256) == .indexed(236))
        #expect(Color.rgb(255, 0, 0).quantized(to: 16) == .indexed(9))
        #expect(Color.indexed(196).quantized(to: 16) == .indexed(9))
        #expect(Color.indexed(196).quantized(to: 8) == .indexed(1))
        #expect(Color.indexed(3).quantized(to: 16) == .indexed(3))
        #expect(Color.rgb(1, 2, 3).quantized(to: 1 << 24) == .indexed(16))
        #expect(Style(.indexed(1), on: .indexed(2), .bold).adapted(to: 0) == Style(.default, on: .default, .bold))
    }
}

@Suite("Frames as ANSI text (casts)")
struct AnsiFrameTests {
    @Test("the first frame clears and draws every cell; the next one only what changed, placed and styled")
    func encode() {
        var a = Canvas(width: 3, height: 2)
        a.put("ab", x: 0, y: 0, Style(.indexed(2), on: .default, .bold))
        let first = AnsiFrame.encode(a, since: nil)
        #expect(first.hasPrefix("\u{1b}[0m\u{1b}[2J\u{1b}[1;1H\u{1b}[0;1;32;49mab"))
        #expect(first.hasSuffix("\u{1b}[0m"))
        var b = a
        b.put("Z", x: 2, y: 1, Style(.indexed(200), on: .rgb(1, 2, 3), .reverse))
        #expect(AnsiFrame.encode(b, since: a) == "\u{1b}[2;3H\u{1b}[0;7;38;5;200;48;2;1;2;3mZ\u{1b}[0m")
        #expect(AnsiFrame.encode(b, since: b).isEmpty, "nothing changed, nothing sent")
        #expect(AnsiFrame.sgr(Style(.indexed(9))) == "\u{1b}[0;91;49m", "bright colours as 90-97")
        let resized = AnsiFrame.encode(Canvas(width: 2, height: 2), since: a)
        #expect(resized.hasPrefix("\u{1b}[0m\u{1b}[2J"), "another size: a full redraw")
    }
}
