/// Finds a drill by built-in name or by path.
public enum DrillLibrary {
    /// Reads a drill: `nameOrPath` with '/' or ending in `.toml` is a file, anything else a
    /// built-in name.
    public static func load(_ nameOrPath: String) throws(FileError) -> Drill {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml") {
            guard let text = TextFile.read(nameOrPath) else {
                throw FileError(file: nameOrPath, line: 0, "cannot read the drill file (missing, unreadable, not UTF-8, or over 1 MiB)")
            }
            return try DrillParser(file: nameOrPath).parse(text)
        }
        guard let d = try BuiltInDrills.drill(nameOrPath) else {
            throw FileError(file: nameOrPath, line: 0, "no built-in drill called '\(nameOrPath)'; built in: \(BuiltInDrills.all.map(\.name).joined(separator: ", ")) (or give a path to a .toml file)")
        }
        return d
    }
}
