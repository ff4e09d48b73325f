import CNCurses
#if canImport(Glibc)
import Glibc
#endif
import Dashboard

/// The curses screen. One owner makes every call (curses is not thread-safe): the
/// dashboard's loop creates it, reads keys and flushes canvases through it, and closes it.
public final class Screen {
    /// Why the screen could not open.
    public struct OpenError: Error, CustomStringConvertible {
        public var description: String
    }

    public private(set) var width: Int
    public private(set) var height: Int
    /// Colours the terminal shows (0 without colour, or with `NO_COLOR`/`--no-color`).
    public let colors: Int
    private var pairs: [PairKey: Int32] = [:]
    private var nextPair: Int32 = 1
    private let maxPairs: Int32
    private var shown: Canvas
    private var open = true

    private struct PairKey: Hashable { var fg: Int32, bg: Int32 }

    /// Takes over the terminal. Fails (without touching it) when stdin or stdout is not a
    /// terminal or `TERM` names no terminal curses knows.
    public init(noColor: Bool, mouse: Bool = false) throws(OpenError) {
        guard TerminalCheck.isInteractive else { throw OpenError(description: TerminalCheck.refusal ?? "no terminal") }
        setlocale(LC_ALL, "")
        SignalGuard.install()
        // newterm, unlike initscr, returns NULL on a bad TERM instead of exiting.
        guard newterm(nil, fd_stdout(), fd_stdin()) != nil else {
            let term = getenv("TERM").map { String(cString: $0) } ?? "(unset)"
            throw OpenError(description: "curses does not know the terminal TERM=\(term)")
        }
        SignalGuard.setScreenActive(true)
        cbreak()
        noecho()
        nonl()
        keypad(fd_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        if mouse { fd_enable_mouse() }
        var colorCount = 0
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            colorCount = Int(fd_colors())
        }
        colors = colorCount >= 256 ? 256 : colorCount >= 16 ? 16 : colorCount >= 8 ? 8 : 0
        maxPairs = max(0, min(fd_color_pairs(), 32767))
        var h: Int32 = 0, w: Int32 = 0
        fd_getmaxyx(fd_stdscr(), &h, &w)
        height = Int(h)
        width = Int(w)
        shown = Canvas(width: 0, height: 0)
    }

    /// Re-reads the size after a resize.
    public func refreshSize() {
        var h: Int32 = 0, w: Int32 = 0
        fd_getmaxyx(fd_stdscr(), &h, &w)
        height = Int(h)
        width = Int(w)
    }

    /// Waits up to `millis` for a key; nil on timeout. `.resize` comes back as nil with
    /// `resized` set.
    public func readKey(timeoutMillis millis: Int) -> (key: Key?, resized: Bool) {
        wtimeout(fd_stdscr(), Int32(max(0, min(millis, 10_000))))
        var ch: wint_t = 0
        let r = wget_wch(fd_stdscr(), &ch)
        if r == fd_key_code_yes() {
            let code = Int32(ch)
            switch code {
            case fd_key_resize(): refreshSize(); return (nil, true)
            case fd_key_up(): return (.up, false)
            case fd_key_down(): return (.down, false)
            case fd_key_left(): return (.left, false)
            case fd_key_right(): return (.right, false)
            case fd_key_ppage(): return (.pageUp, false)
            case fd_key_npage(): return (.pageDown, false)
            case fd_key_home(): return (.home, false)
            case fd_key_end(): return (.end, false)
            case fd_key_enter(): return (.enter, false)
            case fd_key_backspace(): return (.backspace, false)
            case fd_key_mouse():
                var x: Int32 = 0, y: Int32 = 0
                switch fd_read_mouse(&x, &y) {
                case 1: return (.click(x: Int(x), y: Int(y)), false)
                case 2: return (.wheelUp, false)
                case 3: return (.wheelDown, false)
                default: return (nil, false)
                }
            default: return (nil, false)
            }
        }
        guard r == fd_ok() else { return (nil, false) }
        switch ch {
        case 3: return (.interrupt, false)
        case 9: return (.tab, false)
        case 10, 13: return (.enter, false)
        case 27: return (.escape, false)
        case 8, 127: return (.backspace, false)
        default:
            guard ch >= 32, let scalar = Unicode.Scalar(UInt32(ch)) else { return (nil, false) }
            return (.character(Character(scalar)), false)
        }
    }

    /// Copies the cells of `canvas` that differ from what is on screen, then updates the
    /// terminal once. Returns the number of cells written.
    @discardableResult
    public func flush(_ canvas: Canvas) -> Int {
        guard open else { return 0 }
        let changed: [Int]
        if canvas.width != shown.width || canvas.height != shown.height {
            werase(fd_stdscr())
            changed = Array(canvas.cells.indices)
        } else {
            changed = canvas.changes(since: shown)
        }
        for i in changed {
            let cell = canvas.cells[i]
            let y = i / max(1, canvas.width), x = i % max(1, canvas.width)
            _ = fd_put_cell(Int32(y), Int32(x), wchar_t(bitPattern: cell.character.value), attributes(cell.style.attributes), pair(for: cell.style))
        }
        shown = canvas
        wnoutrefresh(fd_stdscr())
        doupdate()
        return changed.count
    }

    /// Forgets what is on screen, so the next flush redraws every cell.
    public func invalidate() {
        shown = Canvas(width: 0, height: 0)
        clearok(fd_stdscr(), true)
    }

    /// Gives the terminal back (idempotent).
    public func close() {
        guard open else { return }
        open = false
        curs_set(1)
        endwin()
        SignalGuard.setScreenActive(false)
    }

    deinit { close() }

    private func attributes(_ a: Attributes) -> attr_t {
        var v = fd_a_normal()
        if a.contains(.bold) { v |= fd_a_bold() }
        if a.contains(.dim) { v |= fd_a_dim() }
        if a.contains(.reverse) { v |= fd_a_reverse() }
        if a.contains(.underline) { v |= fd_a_underline() }
        return v
    }

    private func number(_ c: Color) -> Int32 {
        switch c {
        case .default: -1
        case let .indexed(i): Int32(i)
        case .rgb: -1  // styles reach here quantized; a stray true colour shows as default
        }
    }

    private func pair(for style: Style) -> Int32 {
        guard colors > 0 else { return 0 }
        let key = PairKey(fg: number(style.foreground), bg: number(style.background))
        if key.fg == -1 && key.bg == -1 { return 0 }
        if let p = pairs[key] { return p }
        guard nextPair < maxPairs else { return 0 }
        let p = nextPair
        nextPair += 1
        _ = fd_init_pair(p, key.fg, key.bg)
        pairs[key] = p
        return p
    }
}
