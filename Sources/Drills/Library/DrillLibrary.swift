#if canImport(Glibc)
import Glibc
#endif

/// Finds a drill by name or by path: a name is looked up in the user's drill folder
/// (`$XDG_CONFIG_HOME/firedrill/drills`, by default `~/.config/firedrill/drills`), then
/// among the built-ins.
public enum DrillLibrary {
    /// Where a drill comes from.
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        case builtIn
        case user(path: String)
        public var description: String {
            switch self {
            case .builtIn: "built in"
            case let .user(path): path
            }
        }
    }

    /// One drill the library knows by name.
    public struct Entry: Sendable {
        public var name: String
        public var origin: Origin
        /// The drill, or why its file does not read.
        public var drill: Result<Drill, FileError>
    }

    /// `$XDG_CONFIG_HOME/firedrill` (or `~/.config/firedrill`); nil without either.
    public static var configDirectory: String? {
        if let x = getenv("XDG_CONFIG_HOME"), x.pointee != 0 { return String(cString: x) + "/firedrill" }
        if let h = getenv("HOME"), h.pointee != 0 { return String(cString: h) + "/.config/firedrill" }
        return nil
    }

    /// The user's drill folder.
    public static var userDirectory: String? { configDirectory.map { $0 + "/drills" } }

    /// Reads a drill: `nameOrPath` with '/' or ending in `.toml` is a file; anything else a
    /// name, from `userDirectory` first, then the built-ins.
    public static func load(_ nameOrPath: String, userDirectory: String? = DrillLibrary.userDirectory) throws(FileError) -> Drill {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml") { return try read(nameOrPath) }
        if let dir = userDirectory {
            let path = dir + "/" + nameOrPath + ".toml"
            if access(path, F_OK) == 0 { return try read(path) }
        }
        guard let d = try BuiltInDrills.drill(nameOrPath) else {
            let mine = names(in: userDirectory)
            throw FileError(file: nameOrPath, line: 0, "no drill called '\(nameOrPath)'; built in: \(BuiltInDrills.all.map(\.name).joined(separator: ", "))"
                + (mine.isEmpty ? "" : "; in \(userDirectory ?? ""): \(mine.joined(separator: ", "))") + " (or give a path to a .toml file)")
        }
        return d
    }

    /// Every drill known by name: the user's (which hide built-ins of the same name), then the
    /// built-ins, each with where it comes from.
    public static func entries(userDirectory: String? = DrillLibrary.userDirectory) -> [Entry] {
        var out: [Entry] = []
        for name in names(in: userDirectory) {
            let path = (userDirectory ?? "") + "/" + name + ".toml"
            let drill: Result<Drill, FileError>
            do { drill = .success(try read(path)) } catch { drill = .failure(error) }
            out.append(Entry(name: name, origin: .user(path: path), drill: drill))
        }
        for (name, _) in BuiltInDrills.all where !out.contains(where: { $0.name == name }) {
            let drill: Result<Drill, FileError>
            do {
                if let d = try BuiltInDrills.drill(name) { drill = .success(d) } else { continue }
            } catch { drill = .failure(error) }
            out.append(Entry(name: name, origin: .builtIn, drill: drill))
        }
        return out
    }

    static func read(_ path: String) throws(FileError) -> Drill {
        guard let text = TextFile.read(path) else {
            throw FileError(file: path, line: 0, "cannot read the drill file (missing, unreadable, not UTF-8, or over 1 MiB)")
        }
        return try DrillParser(file: path).parse(text)
    }

    /// The `.toml` files of a folder, without the extension, sorted.
    static func names(in directory: String?) -> [String] {
        guard let directory, let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".toml"), !name.hasPrefix(".") { names.append(String(name.dropLast(5))) }
        }
        return names.sorted()
    }
}
