#if canImport(Glibc)
import Glibc
#endif

/// Text against its background, measured the way WCAG 2 does (relative luminance, ratio
/// from 1:1 to 21:1; AA asks 4.5:1 for text). Colours a theme leaves to the terminal
/// (`default`, and the 16 ANSI colours a terminal scheme may remap) are taken from xterm's
/// standard palette on a dark terminal, or a light one for a theme whose text is dark.
public enum ThemeContrast {
    /// The least ratio the main roles must keep (WCAG AA for normal text).
    public static let minimum = 4.5

    /// The roles that carry words a person must read: the interface, the node states, the
    /// receipt techniques.
    public static let mainRoles: [Role] = [
        .text, .muted, .title, .header, .selected, .key, .hint, .ok, .warning, .bad, .overlay, .input,
        .nodeHealthy, .nodeSuspect, .nodeDown, .nodeRecovering, .nodeHung, .nodePartitioned, .nodeQuarantined, .nodeDead,
        .techniqueSelfHealing, .techniqueReplication, .techniqueCheckAndCorrect, .techniqueErasureCode,
        .techniqueCheckpoint, .techniqueAudit, .techniqueOperator,
    ]

    /// The terminal's own foreground and background a theme is read against.
    public struct Terminal: Sendable, Equatable {
        public var foreground: (Int, Int, Int)
        public var background: (Int, Int, Int)
        public static let dark = Terminal(foreground: (229, 229, 229), background: (0, 0, 0))
        public static let light = Terminal(foreground: (0, 0, 0), background: (255, 255, 255))
        public static func == (a: Terminal, b: Terminal) -> Bool { a.foreground == b.foreground && a.background == b.background }
    }

    /// A role below the minimum, with its ratio.
    public struct Shortfall: Sendable, Equatable, CustomStringConvertible {
        public var role: Role
        public var ratio: Double
        public var description: String { "\(role.rawValue): \(Format.fixed(ratio, 2)):1, below \(Format.fixed(ThemeContrast.minimum, 1)):1" }
    }

    /// The terminal a theme is meant for: light when its text is dark.
    public static func terminal(for theme: Theme) -> Terminal {
        let text = theme[.text].foreground
        guard text != .default else { return .dark }
        return luminance(rgb(text, default: Terminal.dark.foreground)) < 0.2 ? .light : .dark
    }

    /// The contrast of one role (with `reverse`, foreground and background swap).
    public static func ratio(of role: Role, in theme: Theme, on terminal: Terminal) -> Double {
        let s = theme[role]
        // A role with no background of its own sits on the text's (a theme may paint it).
        let panel = s.background == .default ? theme[.text].background : s.background
        var fg = rgb(s.foreground, default: terminal.foreground)
        var bg = rgb(panel, default: terminal.background)
        if s.attributes.contains(.reverse) { swap(&fg, &bg) }
        return ratio(fg, bg)
    }

    /// The main roles of `theme` below the minimum.
    public static func shortfalls(_ theme: Theme) -> [Shortfall] {
        let terminal = terminal(for: theme)
        return mainRoles.compactMap { role in
            let r = ratio(of: role, in: theme, on: terminal)
            return r + 1e-9 < minimum ? Shortfall(role: role, ratio: r) : nil
        }
    }

    static func rgb(_ c: Color, default d: (Int, Int, Int)) -> (Int, Int, Int) {
        switch c {
        case .default: d
        case let .indexed(i): Color.rgb(ofIndex: i)
        case let .rgb(r, g, b): (Int(r), Int(g), Int(b))
        }
    }

    /// WCAG's relative luminance of an sRGB colour.
    static func luminance(_ c: (Int, Int, Int)) -> Double {
        func channel(_ v: Int) -> Double {
            let s = Double(v) / 255
            return s <= 0.03928 ? s / 12.92 : pow(((s + 0.055) / 1.055), 2.4)
        }
        return 0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
    }

    static func ratio(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Double {
        let la = luminance(a), lb = luminance(b)
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }
}
