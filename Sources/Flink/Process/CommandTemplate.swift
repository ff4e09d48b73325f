import Foundation

/// A user's command for acting on a remote TaskManager (`kubectl delete pod {id} --force`):
/// split into words once, the way a shell would split the template (quotes group words), and
/// `{id}` replaced inside its word. The id is never parsed by a shell: an id with spaces,
/// quotes or `;` stays one argument.
public struct CommandTemplate: Sendable, Equatable {
    public let words: [String]
    /// What is replaced in the words: `{id}` (a TaskManager's), or `{output}` (an audit's).
    public let placeholder: String

    public init(_ text: String, placeholder: String = "{id}") throws(FlinkError) {
        self.placeholder = placeholder
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character? = nil
        var escaped = false
        for ch in text {
            if escaped { current.append(ch); escaped = false; inWord = true; continue }
            if let q = quote {
                if ch == q { quote = nil } else if ch == "\\" && q == "\"" { escaped = true } else { current.append(ch) }
                continue
            }
            switch ch {
            case "'", "\"": quote = ch; inWord = true
            case "\\": escaped = true
            case " ", "\t":
                if inWord { words.append(current); current = ""; inWord = false }
            default: current.append(ch); inWord = true
            }
        }
        guard quote == nil else { throw .taskManager("command template '\(text)': a quote is not closed") }
        guard !escaped else { throw .taskManager("command template '\(text)' ends with a lone backslash") }
        if inWord { words.append(current) }
        guard !words.isEmpty else { throw .taskManager("the command template is empty") }
        if placeholder == "{id}", !words.contains(where: { $0.contains("{id}") }) {
            throw .taskManager("command template '\(text)' has no {id}: say where the TaskManager's id goes")
        }
        self.words = words
    }

    /// The argument vector for TaskManager `id`.
    public func arguments(id: String) -> [String] {
        words.map { $0.replacingOccurrences(of: placeholder, with: id) }
    }

    /// Where the program is: a path with a `/` as given, else the first match on `$PATH`;
    /// nil when it is nowhere executable (checked before anything runs).
    public var program: String? {
        guard let first = words.first else { return nil }
        if first.contains("/") { return FileManager.default.isExecutableFile(atPath: first) ? first : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(first)") { return "\(dir)/\(first)" }
        return nil
    }
}
