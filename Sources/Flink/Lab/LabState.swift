import Foundation

/// What `firedrill flink up` started, kept in `DIR/lab.json` so `down`, `attach` and the
/// faults act on exactly those processes.
public struct LabState: Codable, Sendable, Equatable {
    public struct Member: Codable, Sendable, Equatable {
        /// `jobmanager`, or the TaskManager's resource id.
        public var id: String
        public var pid: Int32
        public var log: String
    }
    public var directory: String
    public var url: String
    public var restPort: Int
    public var flinkHome: String
    public var jobManager: Member
    public var taskManagers: [Member]
    public var slots: Int
    public var jobId: String?
    public var output: String
    public var checkpoints: String
    public var accounts: Int
    public var rate: Int

    public static func path(_ directory: String) -> String { directory + "/lab.json" }

    /// The lab in `directory`, nil when none was started there.
    public static func load(_ directory: String) throws(FlinkError) -> LabState? {
        let p = path(directory)
        guard FileManager.default.fileExists(atPath: p) else { return nil }
        guard let data = FileManager.default.contents(atPath: p) else { throw .lab("\(p): cannot read it") }
        do { return try JSONDecoder().decode(LabState.self, from: data) } catch {
            throw .lab("\(p): not a firedrill lab record (\(FlinkClient.reason(error))); stop its processes by hand and remove it")
        }
    }

    /// Writes the record whole (write, fsync, rename).
    public func save() throws(FlinkError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(self) else { throw .lab("cannot encode the lab record") }
        try LabFiles.writeAtomically(data, to: Self.path(directory))
    }
}

/// Whole-file writes for the lab's files.
enum LabFiles {
    static func writeAtomically(_ data: Data, to path: String, mode: mode_t = 0o600) throws(FlinkError) {
        let tmp = path + ".partial"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw .lab("\(tmp): cannot create it: \(String(cString: strerror(errno)))") }
        let ok = data.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return fsync(fd) == 0 }
            var off = 0
            while off < raw.count {
                let n = write(fd, base + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw .lab("\(path): cannot write it: \(why)")
        }
        // The rename is durable once the directory is.
        let dfd = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    static func makeDirectory(_ path: String) throws(FlinkError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .lab("\(path): cannot create the directory: \(error.localizedDescription)")
        }
    }
}
