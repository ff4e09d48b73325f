#if canImport(Glibc)
import Glibc
#endif
import Drills
import Engine

/// `firedrill replay FILE.cast`: an asciicast v2 file played on this terminal at its pace
/// (what `asciinema play` does), or its chapters listed (`--info`).
enum CastPlayback {
    /// The cast in a few lines, with its chapters.
    static func info(_ cast: CastFile) -> String {
        let h = cast.header
        var lines = ["\(cast.file): asciicast v\(h.version), \(h.width)x\(h.height), \(fmt(cast.duration)) s, \(cast.events.count) events"
                     + (h.title.map { ", \"\($0)\"" } ?? "")]
        let chapters = cast.chapters
        lines.append("\(chapters.count) chapter\(chapters.count == 1 ? "" : "s")\(chapters.isEmpty ? "" : ":")")
        for c in chapters { lines.append("  \(fmt(c.time).leftPadded(8)) s  \(c.label)") }
        return lines.joined(separator: "\n")
    }

    /// Writes the cast's output at its pace (`speed`× faster), everything before `from`
    /// at once; Ctrl-C stops it. The terminal's attributes and cursor are reset at the end.
    static func play(_ cast: CastFile, speed: Double, from: Double) {
        SignalStop.install()
        var cols = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &cols) == 0, Int(cols.ws_col) < cast.header.width || Int(cols.ws_row) < cast.header.height {
            var err = StandardError()
            print("firedrill: the cast is \(cast.header.width)x\(cast.header.height); this terminal is \(cols.ws_col)x\(cols.ws_row), so lines will wrap", to: &err)
        }
        write("\u{1b}[?1049h\u{1b}[H\u{1b}[2J")
        let began = now()
        for e in cast.events where e.code == "o" {
            if SignalStop.requested { break }
            if e.time > from {
                let due = began + (e.time - from) / speed
                while !SignalStop.requested {
                    let left = due - now()
                    if left <= 0 { break }
                    var ts = timespec(tv_sec: 0, tv_nsec: Int(min(left, 0.05) * 1e9))
                    nanosleep(&ts, nil)
                }
            }
            write(e.data)
        }
        if !SignalStop.requested {
            // Hold the last frame a moment, as a player does.
            var ts = timespec(tv_sec: 1, tv_nsec: 0)
            nanosleep(&ts, nil)
        }
        write("\u{1b}[0m\u{1b}[?25h\u{1b}[?1049l")
    }

    static func write(_ s: String) {
        let bytes = Array(s.utf8)
        bytes.withUnsafeBytes { buf in
            guard let base = buf.baseAddress else { return }
            var off = 0
            while off < buf.count {
                let n = Glibc.write(1, base + off, buf.count - off)
                if n <= 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
    }

    static func now() -> Double { SystemClock.monotonicSeconds() }

    static func fmt(_ s: Double) -> String { BenchReport.format(s, digits: 1) }
}

extension String {
    /// Padded with spaces on the left to `width` characters.
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
