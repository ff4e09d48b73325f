import Foundation

/// Finds a cluster's facts from the cluster itself, whatever directory or flags it was started
/// with: the lab behind a JobManager (its checkpoint directory, in `/jobmanager/config`, lies
/// in the lab's directory beside `lab.json`), and any job's checkpoint directory (from the
/// `external_path` of its checkpoints).
public enum LabDiscovery {
    /// One entry of `GET /jobmanager/config`.
    public struct ConfigEntry: Decodable, Sendable, Equatable {
        public var key: String
        public var value: String
    }

    /// The configuration keys of the checkpoint directory (Flink 2.x, then 1.x).
    static let checkpointKeys = ["execution.checkpointing.dir", "state.checkpoints.dir"]

    /// The lab whose JobManager answers at `client`, or nil when it is not a lab of firedrill's.
    public static func lab(client: FlinkClient) throws(FlinkError) -> LabState? {
        let entries = try client.get("/jobmanager/config", as: [ConfigEntry].self, expected: "the JobManager's configuration (a list of key and value)")
        return lab(config: entries, url: client.base)
    }

    /// The lab the configuration points to, checked to be the one serving `url`.
    public static func lab(config: [ConfigEntry], url: String) -> LabState? {
        guard let dir = checkpointKeys.lazy.compactMap({ k in config.first { $0.key == k }?.value }).first,
              let root = localPath(dir) else { return nil }
        let labDir = (root as NSString).deletingLastPathComponent
        guard let lab = (try? LabState.load(labDir)) ?? nil, lab.checkpoints == root, URL(string: url)?.port == lab.restPort else { return nil }
        return lab
    }

    /// The checkpoint directory a job's checkpoint lies in: `file:/x/ckpt/JOB/chk-12` →
    /// `/x/ckpt` (nil: not a local path, or not in Flink's `JOB/chk-N` layout).
    public static func checkpointRoot(externalPath: String, job: String) -> String? {
        guard let path = localPath(externalPath) else { return nil }
        let chk = path as NSString
        guard chk.lastPathComponent.hasPrefix("chk-") || chk.lastPathComponent.hasPrefix("savepoint-") else { return nil }
        let jobDir = chk.deletingLastPathComponent as NSString
        guard jobDir.lastPathComponent == job else { return nil }
        return jobDir.deletingLastPathComponent
    }

    /// Job `job`'s checkpoint directory, from where Flink says its checkpoints are (nil: no
    /// answer, no checkpoint yet, or not a local path).
    public static func checkpointRoot(client: FlinkClient, job: String) -> String? {
        ((try? client.checkpoints(job: job))?.history ?? []).lazy.compactMap { c in
            c.externalPath.flatMap { checkpointRoot(externalPath: $0, job: job) }
        }.first
    }

    /// A `file:` URI or a plain path as a path; nil for any other scheme (s3://, hdfs://).
    static func localPath(_ text: String) -> String? {
        if text.hasPrefix("file://") { return String(text.dropFirst(7)) }
        if text.hasPrefix("file:") { return String(text.dropFirst(5)) }
        return text.contains("://") ? nil : text
    }
}
