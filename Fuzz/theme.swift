// Theme files: never trap; an error names a line; warnings name the file.
import Dashboard
import Drills

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = text(data, size)
    do throws(ThemeError) {
        let loaded = try ThemeLoader.load(input, file: "fuzz.toml", name: "fuzz")
        for w in loaded.warnings { require(w.hasPrefix("fuzz.toml:"), "a warning without its place: \(w)") }
        for role in Role.allCases { _ = loaded.theme[role] }
        _ = loaded.theme.adapted(to: 16)
        _ = loaded.theme.adapted(to: 0)
    } catch {
        require(error.line >= 0 && error.line <= lineCount(input) + 1, "error at line \(error.line) of \(lineCount(input)): \(error)")
    }
    return 0
}
