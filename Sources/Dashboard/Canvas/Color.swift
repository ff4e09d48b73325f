/// A terminal colour as a theme names it; `quantized(to:)` brings it within what the
/// terminal can show.
public enum Color: Sendable, Hashable, CustomStringConvertible {
    /// The terminal's own foreground or background.
    case `default`
    /// One of the 256 indexed colours (0-15 are the ANSI colours).
    case indexed(UInt8)
    /// A true colour.
    case rgb(UInt8, UInt8, UInt8)

    /// The ANSI names and their indices (`bright-` or `light-` for 8-15; `gray` is 8).
    public static let ansiNames: [String: UInt8] = {
        let base = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
        var d: [String: UInt8] = [:]
        for (i, n) in base.enumerated() {
            d[n] = UInt8(i)
            d["bright-" + n] = UInt8(i + 8)
            d["light-" + n] = UInt8(i + 8)
        }
        d["gray"] = 8
        d["grey"] = 8
        return d
    }()

    public var description: String {
        switch self {
        case .default: "default"
        case let .indexed(i): String(i)
        case let .rgb(r, g, b): "#" + [r, g, b].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }
    }

    /// Reads `#RRGGBB`, `0`-`255`, an ANSI name or `default`; nil otherwise.
    public static func parse(_ text: String) -> Color? {
        let t = text.lowercased()
        if t == "default" { return .default }
        if let i = Self.ansiNames[t] { return .indexed(i) }
        if let n = Int(t) { return (0...255).contains(n) ? .indexed(UInt8(n)) : nil }
        if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            return .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
        }
        return nil
    }

    /// The RGB value of an indexed colour (xterm's palette).
    static func rgb(ofIndex i: UInt8) -> (Int, Int, Int) {
        let ansi: [(Int, Int, Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
            (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        if i < 16 { return ansi[Int(i)] }
        if i >= 232 { let v = 8 + 10 * Int(i - 232); return (v, v, v) }
        let c = Int(i) - 16
        let level = [0, 95, 135, 175, 215, 255]
        return (level[c / 36], level[(c / 6) % 6], level[c % 6])
    }

    /// The nearest colour a terminal with `colors` colours has: true colours become the
    /// nearest of the 256 (or 16), indexed colours past 15 the nearest of the 16.
    public func quantized(to colors: Int) -> Color {
        switch self {
        case .default: return self
        case let .indexed(i):
            if colors >= 256 || i < 16 && colors >= 16 { return self }
            if colors >= 16 { return .indexed(Self.nearest(Self.rgb(ofIndex: i), in: 0..<16)) }
            return .indexed(Self.nearest(Self.rgb(ofIndex: i), in: 0..<8))
        case let .rgb(r, g, b):
            let v = (Int(r), Int(g), Int(b))
            if colors >= 256 { return .indexed(Self.nearest256(v)) }
            return .indexed(Self.nearest(v, in: colors >= 16 ? 0..<16 : 0..<8))
        }
    }

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        // Weighted for the eye (redmean approximation, integer form).
        let rm = (a.0 + b.0) / 2
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return (((512 + rm) * dr * dr) >> 8) + 4 * dg * dg + (((767 - rm) * db * db) >> 8)
    }

    static func nearest(_ v: (Int, Int, Int), in range: Range<Int>) -> UInt8 {
        var best = range.lowerBound, bestD = Int.max
        for i in range {
            let d = distance(v, rgb(ofIndex: UInt8(i)))
            if d < bestD { best = i; bestD = d }
        }
        return UInt8(best)
    }

    static func nearest256(_ v: (Int, Int, Int)) -> UInt8 {
        // The cube entry and the grey ramp entry closest to it; whichever is nearer.
        func level(_ x: Int) -> Int { x < 48 ? 0 : x < 115 ? 1 : (x - 35) / 40 }
        let cube = 16 + 36 * level(v.0) + 6 * level(v.1) + level(v.2)
        let avg = (v.0 + v.1 + v.2) / 3
        let grey = avg > 238 ? 255 : 232 + max(0, (avg - 3) / 10)
        let c = UInt8(cube), g = UInt8(min(255, grey))
        return distance(v, rgb(ofIndex: c)) <= distance(v, rgb(ofIndex: g)) ? c : g
    }
}
