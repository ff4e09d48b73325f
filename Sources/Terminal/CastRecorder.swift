#if canImport(Glibc)
import Glibc
#endif
import Dashboard
import Engine
import Drills

/// Records the dashboard as an asciicast v2 file (`--cast FILE.cast`): a header line
/// (width, height, timestamp, title), then each frame as an output event holding the ANSI
/// text for the cells that changed, markers (`"m"`: chapters in `asciinema play` and its web
/// player) at faults, drill steps, proofs, aborts and verdicts, and a resize event (`"r"`)
/// when the terminal changes size. It goes to `FILE.partial` and is renamed into place after
/// an fsync when the session ends: a whole earlier cast is never replaced by half of one.
/// The screen's thread is its only user.
public final class CastRecorder {
    /// The file could not be written.
    public struct CastError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    let path: String
    let title: String
    private let file: PartialFile
    private var previous: Canvas?
    private var start = 0.0

    /// Opens `path.partial`; the header follows with the first frame (its size).
    public init(path: String, title: String) throws(CastError) {
        self.path = path
        self.title = title
        do throws(DurableFileError) { file = try PartialFile(path: path) } catch {
            throw CastError(description: "\(path): cannot write the cast: \(error.reason)")
        }
    }

    /// Records a frame as drawn.
    public func frame(_ canvas: Canvas) {
        guard file.isOpen else { return }
        if let p = previous, p.width != canvas.width || p.height != canvas.height {
            event("r", "\(canvas.width)x\(canvas.height)")
        }
        if previous == nil { header(canvas) }
        let text = AnsiFrame.encode(canvas, since: previous)
        previous = canvas
        if !text.isEmpty { event("o", text) }
    }

    /// A chapter mark (only once the first frame is in).
    public func marker(_ label: String) {
        guard previous != nil else { return }
        event("m", String(String.UnicodeScalarView(label.unicodeScalars.filter { $0.value >= 0x20 }.prefix(160))))
    }

    /// Stops recording, fsyncs and renames the cast into place.
    public func finish() throws(CastError) {
        do throws(DurableFileError) { try file.finish() } catch {
            throw CastError(description: "\(path): cannot finish the cast: \(error.description)")
        }
    }

    private func header(_ canvas: Canvas) {
        start = Self.now()
        let term = getenv("TERM").map { String(cString: $0) } ?? "xterm-256color"
        write("{\"version\": 2, \"width\": \(canvas.width), \"height\": \(canvas.height), \"timestamp\": \(time(nil)), "
            + "\"title\": \(JSON.string(title)), \"env\": {\"TERM\": \(JSON.string(term)), \"SHELL\": \"/bin/sh\"}}\n")
    }

    private func event(_ code: String, _ data: String) {
        let t = max(0, Self.now() - start)
        let whole = Int(t), micros = Int(((t - Double(whole)) * 1e6).rounded(.down))
        let frac = String(micros)
        write("[\(whole).\(String(repeating: "0", count: 6 - frac.count))\(frac), \"\(code)\", \(JSON.string(data))]\n")
    }

    private func write(_ s: String) {
        file.write(s)
    }

    static func now() -> Double { SystemClock.monotonicSeconds() }
}
