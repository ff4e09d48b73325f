// Drill files: never trap; an error names a line; an accepted drill parses the same again
// and keeps its own rules (steps in order, inside the duration).
import Drills

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = text(data, size)
    let parser = DrillParser(file: "fuzz.toml")
    do throws(FileError) {
        let drill = try parser.parse(input)
        require((try? parser.parse(input)) == drill, "the same drill parsed twice differs")
        var last = -1.0
        for step in drill.steps {
            require(step.at >= last && step.at <= drill.duration, "step at \(step.at) out of order or past \(drill.duration)")
            last = step.at
        }
    } catch {
        require(error.line >= 0 && error.line <= lineCount(input) + 1, "error at line \(error.line) of \(lineCount(input)): \(error)")
    }
    return 0
}
