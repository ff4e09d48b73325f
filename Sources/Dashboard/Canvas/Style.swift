/// Text attributes a terminal can show without colour.
public struct Attributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = Attributes(rawValue: 1)
    public static let dim = Attributes(rawValue: 2)
    public static let reverse = Attributes(rawValue: 4)
    public static let underline = Attributes(rawValue: 8)

    /// The attribute names a theme may use.
    public static let names: [String: Attributes] = ["bold": .bold, "dim": .dim, "reverse": .reverse, "underline": .underline]
}

/// How a cell looks: foreground, background and attributes.
public struct Style: Sendable, Hashable {
    public var foreground: Color
    public var background: Color
    public var attributes: Attributes

    public init(_ foreground: Color = .default, on background: Color = .default, _ attributes: Attributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let plain = Style()

    /// This style with more attributes.
    public func with(_ a: Attributes) -> Style {
        var s = self
        s.attributes.formUnion(a)
        return s
    }

    /// This style on another background (unless `background` is the terminal's own).
    public func on(_ background: Color) -> Style {
        var s = self
        s.background = background
        return s
    }

    /// The style with colours brought within `colors` (0: no colour, attributes only).
    public func adapted(to colors: Int) -> Style {
        if colors < 8 { return Style(.default, on: .default, attributes) }
        return Style(foreground.quantized(to: colors), on: background.quantized(to: colors), attributes)
    }
}
