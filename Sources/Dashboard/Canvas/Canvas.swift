/// One character cell of the screen.
public struct Cell: Sendable, Hashable {
    /// One scalar per cell: every glyph the dashboard draws is one column wide.
    public var character: Unicode.Scalar
    public var style: Style

    public init(_ character: Unicode.Scalar = " ", _ style: Style = .plain) {
        self.character = character
        self.style = style
    }
}

/// A grid of styled cells that the dashboard draws into; the terminal front copies what
/// changed to the screen. Drawing clips at the edges, so a panel never writes outside.
public struct Canvas: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = Cell()) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = [Cell](repeating: fill, count: self.width * self.height)
    }

    /// The cell at column `x`, row `y` (a blank one outside the grid).
    public subscript(x: Int, y: Int) -> Cell {
        get { x >= 0 && x < width && y >= 0 && y < height ? cells[y * width + x] : Cell() }
        set { if x >= 0 && x < width && y >= 0 && y < height { cells[y * width + x] = newValue } }
    }

    /// Fills every cell.
    public mutating func clear(_ fill: Cell = Cell()) {
        for i in cells.indices { cells[i] = fill }
    }

    /// Fills a rectangle.
    public mutating func fill(_ r: Rect, _ cell: Cell) {
        let c = r.clipped(width: width, height: height)
        guard c.width > 0, c.height > 0 else { return }
        for y in c.y..<(c.y + c.height) {
            for x in c.x..<(c.x + c.width) { cells[y * width + x] = cell }
        }
    }

    /// Writes `text` from column `x` of row `y`, at most `limit` cells (clipped to the
    /// grid); returns the column after the last cell written. Control characters show as '?'.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, _ style: Style, limit: Int = Int.max) -> Int {
        guard y >= 0, y < height else { return x }
        var col = x
        let end = min(width, limit == Int.max ? width : x + max(0, limit))
        for ch in text.unicodeScalars {
            if col >= end { break }
            if Self.isZeroWidth(ch) { continue }
            if col >= 0 {
                let c: Unicode.Scalar = ch.value < 32 || (ch.value >= 127 && ch.value < 160) ? "?" : Self.isWide(ch) ? "?" : ch
                cells[y * width + col] = Cell(c, style)
            }
            col += 1
        }
        return col
    }

    /// Writes `text` cut to `width` cells with a trailing '…' when it is longer, padded
    /// with blanks to exactly `width` cells.
    public mutating func putFitted(_ text: String, x: Int, y: Int, width w: Int, _ style: Style, alignRight: Bool = false) {
        guard w > 0 else { return }
        let fitted = Self.fit(text, w)
        let pad = w - fitted.unicodeScalars.count
        if alignRight {
            put(String(repeating: " ", count: pad) + fitted, x: x, y: y, style)
        } else {
            put(fitted + String(repeating: " ", count: pad), x: x, y: y, style)
        }
    }

    /// `text` cut to `width` cells, ending in '…' when cut.
    public static func fit(_ text: String, _ width: Int) -> String {
        guard width > 0 else { return "" }
        let scalars = text.unicodeScalars.filter { !isZeroWidth($0) }
        if scalars.count <= width { return String(String.UnicodeScalarView(scalars)) }
        return String(String.UnicodeScalarView(scalars.prefix(width - 1))) + "…"
    }

    /// Combining marks and other scalars that take no cell of their own.
    static func isZeroWidth(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: true
        default: false
        }
    }

    /// East Asian wide scalars and emoji take two cells; the canvas shows them as '?'
    /// rather than misalign every cell after them.
    static func isWide(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
    }

    /// The text of row `y` (for tests and the plain-text dump).
    public func row(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var out = String.UnicodeScalarView()
        for c in cells[(y * width)..<(y * width + width)] { out.append(c.character) }
        return String(out)
    }

    /// Every row, joined by newlines.
    public var text: String { (0..<height).map(row).joined(separator: "\n") }

    /// The positions whose cells differ from `old` (every position when the sizes differ).
    public func changes(since old: Canvas) -> [Int] {
        guard old.width == width, old.height == height else { return Array(cells.indices) }
        var out: [Int] = []
        out.reserveCapacity(64)
        for i in cells.indices where cells[i] != old.cells[i] { out.append(i) }
        return out
    }
}

/// A rectangle of cells.
public struct Rect: Sendable, Equatable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The part inside a grid of that size.
    func clipped(width w: Int, height h: Int) -> Rect {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(w, x + width), y1 = min(h, y + height)
        return Rect(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
    }

    /// The rectangle inside a one-cell border.
    public var inner: Rect { Rect(x: x + 1, y: y + 1, width: max(0, width - 2), height: max(0, height - 2)) }
}
