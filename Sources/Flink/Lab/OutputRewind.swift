#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// After a rollback of the lab's payments job to an older checkpoint, the output the old job
/// committed after that checkpoint is written again by the restored job; Flink's file sink
/// does not take it back. The rewind moves those rows aside (into `output.rolled-back/`, not
/// deleted): the rows of the old job's files (written before the rollback began) whose
/// transfer id is at or past the first id the restored job wrote.
public struct OutputRewind: Sendable {
    public let output: String
    /// Where the rows taken out go, file by file.
    public var aside: String { output + ".rolled-back" }

    public init(output: String) { self.output = output }

    /// `part-<uuid>-<subtask>-<count>`: `part-<uuid>` (one per job submission).
    public static func prefix(_ name: String) -> String {
        var parts = name.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count > 2 { parts.removeLast(2) }
        return parts.joined(separator: "-")
    }

    /// The committed part files now.
    public func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []).filter { $0.hasPrefix("part-") }.sorted()
    }

    /// What a rewind did.
    public struct Result: Sendable, Equatable {
        /// The first transfer id the restored job wrote (nil: none yet; nothing was done).
        public var firstNewId: Int64?
        public var rowsMoved = 0
        public var filesChanged = 0
    }

    /// Moves aside the rows at or past the restored job's first id from the files of the jobs
    /// before (`oldPrefixes`) last written before `since` (epoch seconds).
    public func run(oldPrefixes: Set<String>, since: Double) throws(FlinkError) -> Result {
        var firstNew: Int64?
        for f in files() where !oldPrefixes.contains(Self.prefix(f)) {
            for id in ids(f) { firstNew = min(firstNew ?? id, id) }
        }
        var r = Result(firstNewId: firstNew)
        guard let cut = firstNew else { return r }
        for f in files() where oldPrefixes.contains(Self.prefix(f)) {
            let path = output + "/" + f
            guard let attrs = try? FileManager.default.attributesOfItem(atPath: path), let m = attrs[.modificationDate] as? Date,
                  m.timeIntervalSince1970 < since, let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            var keep: [Substring] = [], moved: [Substring] = []
            for line in text.split(separator: "\n") {
                if let id = Int64(line.prefix { $0 != "," }), id >= cut { moved.append(line) } else { keep.append(line) }
            }
            guard !moved.isEmpty else { continue }
            try LabFiles.makeDirectory(aside)
            try LabFiles.writeAtomically(Data((moved.joined(separator: "\n") + "\n").utf8), to: aside + "/" + f, access: .shared)
            if keep.isEmpty {
                guard unlink(path) == 0 else { throw .lab("\(path): cannot remove it: \(String(cString: strerror(errno)))") }
            } else {
                try LabFiles.writeAtomically(Data((keep.joined(separator: "\n") + "\n").utf8), to: path, access: .shared)
            }
            r.rowsMoved += moved.count
            r.filesChanged += 1
        }
        return r
    }

    func ids(_ file: String) -> [Int64] {
        guard let text = try? String(contentsOfFile: output + "/" + file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { Int64($0.prefix { $0 != "," }) }
    }
}
