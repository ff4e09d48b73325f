import Foundation
@testable import Flink
import Testing

@Suite("The cluster's facts found from the cluster: the lab from the JobManager's config, a job's checkpoint directory from its checkpoints")
struct LabDiscoveryTests {
    @Test("a lab started with any --dir is found from its checkpoint directory in /jobmanager/config")
    func labFromConfig() throws {
        let dir = NSTemporaryDirectory() + "/firedrill-lab-\(UUID().uuidString)/somewhere else"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let member = LabState.Member(id: "jobmanager", pid: 1, log: dir + "/log")
        let lab = LabState(directory: dir, url: "http://127.0.0.1:18081", restPort: 18081, flinkHome: dir + "/venv", jobManager: member,
                           taskManagers: [LabState.Member(id: "tm-0", pid: 2, log: dir + "/tm0")], slots: 2, jobId: "abc", output: dir + "/output",
                           checkpoints: dir + "/checkpoints", accounts: 1000, rate: 2000)
        try lab.save()
        let config = try JSONDecoder().decode([LabDiscovery.ConfigEntry].self, from: Data("""
            [{"key": "rest.port", "value": "18081"}, {"key": "execution.checkpointing.dir", "value": "file://\(dir)/checkpoints"}]
            """.utf8))
        #expect(LabDiscovery.lab(config: config, url: "http://127.0.0.1:18081") == lab)
        // Another cluster with the same directory in its config is not this lab.
        #expect(LabDiscovery.lab(config: config, url: "http://127.0.0.1:8081") == nil)
        let old = [LabDiscovery.ConfigEntry(key: "state.checkpoints.dir", value: "file:\(dir)/checkpoints")]
        #expect(LabDiscovery.lab(config: old, url: "http://127.0.0.1:18081") == lab)
        #expect(LabDiscovery.lab(config: [LabDiscovery.ConfigEntry(key: "execution.checkpointing.dir", value: "s3://b/ckpt")], url: "http://127.0.0.1:18081") == nil)
        #expect(LabDiscovery.lab(config: [], url: "http://127.0.0.1:18081") == nil)
    }

    @Test("a job's checkpoint directory from a checkpoint's external_path")
    func checkpointRoot() throws {
        let jid = "13327774314c7d82a6561a7ed9b3cb4b"
        #expect(LabDiscovery.checkpointRoot(externalPath: "file:/data/ckpt/\(jid)/chk-12", job: jid) == "/data/ckpt")
        #expect(LabDiscovery.checkpointRoot(externalPath: "file:///data/ckpt/\(jid)/chk-12", job: jid) == "/data/ckpt")
        #expect(LabDiscovery.checkpointRoot(externalPath: "s3://bucket/ckpt/\(jid)/chk-12", job: jid) == nil)
        #expect(LabDiscovery.checkpointRoot(externalPath: "file:/data/ckpt/other/chk-12", job: jid) == nil)
        let c = try JSONDecoder().decode(FlinkModel.Checkpoints.self, from: fixture("flink-2.3", "checkpoints.json"))
        let path = try #require(c.history.first?.externalPath)
        let job = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
        #expect(LabDiscovery.checkpointRoot(externalPath: path, job: job) != nil)
    }
}
