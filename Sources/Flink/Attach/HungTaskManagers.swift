import Foundation

/// The TaskManagers firedrill hung (SIGSTOP, or a user's hang command), kept in a small file so
/// `heal` finds them in any later session: the lab's `DIR/hung.json`, or for a remote cluster
/// `~/.local/state/firedrill/hung-HOST-PORT.json` (`$XDG_STATE_HOME` if set).
public struct HungTaskManagers: Sendable, Equatable {
    /// One hung TaskManager.
    public struct Entry: Codable, Sendable, Equatable {
        public var id: String
        /// The local process stopped (nil: hung by a command on another machine).
        public var pid: Int32?
        /// Epoch seconds.
        public var since: Double
        public init(id: String, pid: Int32?, since: Double) {
            self.id = id
            self.pid = pid
            self.since = since
        }
    }

    public let path: String

    public init(path: String) { self.path = path }

    /// The file for a cluster: in the lab's directory, else per REST host and port.
    public init(lab: LabState?, url: String) {
        if let lab {
            path = lab.directory + "/hung.json"
            return
        }
        let env = ProcessInfo.processInfo.environment
        let state = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? NSTemporaryDirectory()) + "/.local/state")
        let u = URL(string: url)
        let name = "\(u?.host ?? "cluster")-\(u?.port ?? 0)".map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }
        path = state + "/firedrill/hung-" + String(name) + ".json"
    }

    /// The hung TaskManagers on record (none when there is no file).
    public func load() throws(FlinkError) -> [Entry] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else { throw .taskManager("\(path): cannot read the record of hung TaskManagers") }
        do { return try JSONDecoder().decode([Entry].self, from: data) } catch {
            throw .taskManager("\(path): expected a JSON list of hung TaskManagers ({id, pid, since}); \(FlinkClient.reason(error))")
        }
    }

    /// Writes the record whole; an empty record removes the file.
    public func save(_ entries: [Entry]) throws(FlinkError) {
        if entries.isEmpty {
            if FileManager.default.fileExists(atPath: path), unlink(path) != 0 {
                throw .taskManager("\(path): cannot remove it: \(String(cString: strerror(errno)))")
            }
            return
        }
        let dir = (path as NSString).deletingLastPathComponent
        try LabFiles.makeDirectory(dir)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(entries) else { throw .taskManager("cannot encode the record of hung TaskManagers") }
        try LabFiles.writeAtomically(data, to: path)
    }
}
