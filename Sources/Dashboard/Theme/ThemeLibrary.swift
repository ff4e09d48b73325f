#if canImport(Glibc)
import Glibc
#endif
import Drills

/// Finds theme files: the user's (`$XDG_CONFIG_HOME/firedrill/themes`, by default
/// `~/.config/firedrill/themes`), then `$FIREDRILL_THEMES`, then `themes/*.toml` in the working
/// directory or beside the executable's checkout; the built-in default underlies them all.
public struct ThemeLibrary: Sendable {
    /// Directories searched, in order.
    public var directories: [String]

    public init(directories: [String]) { self.directories = directories }

    /// The usual places: the user's theme folder, `$FIREDRILL_THEMES`, `./themes`, and
    /// `themes/` in a directory above the executable (a checkout running `.build/release/firedrill`).
    public static func standard() -> ThemeLibrary {
        var dirs: [String] = []
        if let config = DrillLibrary.configDirectory { dirs.append(config + "/themes") }
        if let env = getenv("FIREDRILL_THEMES") { dirs.append(String(cString: env)) }
        dirs.append("themes")
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        if n > 0 {
            var path = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            for _ in 0..<6 {
                guard let slash = path.lastIndex(of: "/") else { break }
                path = String(path[..<slash])
                if path.isEmpty { break }
                dirs.append(path + "/themes")
            }
        }
        return ThemeLibrary(directories: dirs)
    }

    /// The names of the themes found (file names without `.toml`), sorted, without repeats.
    public func names() -> [String] {
        var seen = Set<String>()
        for d in directories {
            guard let dir = opendir(d) else { continue }
            defer { closedir(dir) }
            while let e = readdir(dir) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
                if name.hasSuffix(".toml"), !name.hasPrefix(".") { seen.insert(String(name.dropLast(5))) }
            }
        }
        return seen.sorted()
    }

    /// The path of theme `name`, if a file has it.
    public func path(of name: String) -> String? {
        for d in directories {
            let p = d + "/" + name + ".toml"
            if access(p, R_OK) == 0 { return p }
        }
        return nil
    }

    /// Loads a theme by name or path (a value with '/' or ending in `.toml` is a path).
    public func load(_ nameOrPath: String) throws(ThemeError) -> ThemeLoader.Loaded {
        let isPath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml")
        let path: String
        if isPath {
            path = nameOrPath
        } else if let p = self.path(of: nameOrPath) {
            path = p
        } else {
            if nameOrPath == "default" { return ThemeLoader.Loaded(theme: .builtIn, warnings: []) }
            let known = names()
            throw ThemeError(file: nameOrPath, line: 0, "no theme called '\(nameOrPath)'; available: \(known.isEmpty ? "default (built in)" : known.joined(separator: ", "))")
        }
        guard let text = Self.readText(path) else {
            throw ThemeError(file: path, line: 0, "cannot read the theme file (\(String(cString: strerror(errno))))")
        }
        var name = path
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        if name.hasSuffix(".toml") { name = String(name.dropLast(5)) }
        return try ThemeLoader.load(text, file: path, name: name)
    }

    static func readText(_ path: String) -> String? { TextFile.read(path) }
}
