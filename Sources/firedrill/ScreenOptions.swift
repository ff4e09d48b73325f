import ArgumentParser
import Engine

/// The flags of every command that opens the dashboard: theme, refresh, colour, mouse.
struct ScreenOptions: ParsableArguments {
    @Option(help: "Colour theme: a name from 'firedrill themes' or a path to a .toml file.")
    var theme: String = "default"

    @Option(help: "Screen refresh interval (e.g. 100ms, 1s).")
    var refresh: String = "100ms"

    @Flag(name: .customLong("no-color"), help: "No colours (also when NO_COLOR is set): states read from glyphs and attributes.")
    var noColor = false

    @Flag(name: .customLong("no-mouse"), help: "No mouse: clicks and the wheel go to the terminal (its own text selection works).")
    var noMouse = false

    /// The refresh interval in milliseconds.
    /// - Throws: `ValidationError` for one that is not a duration from 20 ms to 5 s.
    func refreshMillis() throws -> Int {
        guard let s = DurationText.parse(refresh), s >= 0.02, s <= 5 else {
            throw ValidationError("--refresh must be a duration between 20ms and 5s, like 100ms; got '\(refresh)'")
        }
        return Int((s * 1000).rounded())
    }

    /// No colours: the flag, or `NO_COLOR` set.
    var colorless: Bool { noColor || DashboardCommand.noColorEnvironment }
}
