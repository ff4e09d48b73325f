import ArgumentParser
import Engine
import Flink
import Foundation

/// `firedrill guard flink|verify|repair`: CRC32C and Reed-Solomon parity for a Flink job's
/// checkpoints, which Flink writes with no checksum.
struct GuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard",
        abstract: "Protect a Flink cluster's checkpoints with firedrill's techniques: a CRC32C per file, Reed-Solomon parity beside them, a scrubber that repairs rot.",
        subcommands: [Watch.self, Verify.self, Repair.self]
    )

    /// Where the checkpoints and the parity are.
    struct Places: ParsableArguments {
        @Option(name: .customLong("checkpoint-dir"), help: "Flink's execution.checkpointing.dir (job directories with chk-N inside; the lab's by default).")
        var checkpointDir: String?
        @Option(name: .customLong("parity-dir"), help: "Where the manifests and parity go (default: DIR.guard beside it; better on another disk).")
        var parityDir: String?
        @Option(name: .customLong("lab-dir"), help: "The lab, when --checkpoint-dir is not given.")
        var labDir = FlinkCommand.defaultDirectory
        @Option(help: "Reed-Solomon shards: data+parity, like 10+2.")
        var ec = "10+2"

        /// The checked directories and the code.
        func resolve() throws -> (root: String, parity: String, k: Int, m: Int, lab: LabState?) {
            let lab: LabState? = (try? LabState.load(FlinkLab(directory: labDir).directory)) ?? nil
            guard let given = checkpointDir ?? lab?.checkpoints else {
                throw ValidationError("give --checkpoint-dir DIR (Flink's execution.checkpointing.dir); no lab runs in \(labDir)")
            }
            let root = URL(fileURLWithPath: given.hasPrefix("file:") ? String(given.dropFirst(5)) : given).standardizedFileURL.path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
                throw ValidationError("--checkpoint-dir \(root): no such directory")
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
            let jobs = names.filter { n in ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + n)) ?? []).contains { $0.hasPrefix("chk-") || $0 == "shared" || $0 == "taskowned" } }
            if !names.isEmpty && jobs.isEmpty {
                throw ValidationError("--checkpoint-dir \(root): not a Flink checkpoint directory (expected job directories holding chk-N, shared, taskowned)")
            }
            let parity = URL(fileURLWithPath: parityDir ?? root + ".guard").standardizedFileURL.path
            guard parity != root, !parity.hasPrefix(root + "/"), !root.hasPrefix(parity + "/") else {
                throw ValidationError("--parity-dir \(parity): must not be inside the checkpoint directory \(root) nor hold it (Flink deletes what is there; the guard writes only repairs into it)")
            }
            let parts = ec.split(separator: "+")
            guard parts.count == 2, let k = Int(parts[0]), let m = Int(parts[1]), (1...32).contains(k), (1...8).contains(m) else {
                throw ValidationError("--ec must look like 10+2 (1-32 data shards + 1-8 parity shards), got '\(ec)'")
            }
            return (root, parity, k, m, lab)
        }
    }

    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "flink",
            abstract: "Watch a Flink checkpoint directory: guard each completed checkpoint, drop what Flink drops, scrub and repair; with a URL, repair the checkpoint Flink will restore the moment the job restarts.",
            discussion: "Events go to stdout, one line each (--json: one JSON object each). Runs until SIGINT/SIGTERM or --duration."
        )
        @OptionGroup var places: Places
        @Option(help: "Flink's REST URL, to repair before restore (the lab's by default).")
        var url: String?
        @Option(help: "The job id (default: every job in the directory; with a URL, the lab's or the only running one).")
        var job: String?
        @Option(help: "Megabytes per second the scrubber re-reads.")
        var scrubRate = 16
        @Option(help: "Stop after this long (e.g. 60s).")
        var duration: String?
        @Flag(help: "Events as JSON lines.")
        var json = false

        func run() throws {
            let (root, parity, k, m, lab) = try places.resolve()
            guard (1...4096).contains(scrubRate) else { throw ValidationError("--scrub-rate must be 1-4096 MB/s, got \(scrubRate)") }
            let limit = try duration.map { d -> Double in
                guard let s = DurationText.parse(d), s > 0 else { throw ValidationError("--duration must be a duration like 60s, got '\(d)'") }
                return s
            }
            var client: FlinkClient?
            var jobId = job
            if let u = url ?? lab?.url {
                do {
                    let c = try FlinkClient(url: u)
                    let j = try c.resolveJob(job ?? lab?.jobId)
                    jobId = j.jid
                    client = ["RUNNING", "RESTARTING", "CREATED", "INITIALIZING"].contains(j.state) ? c : nil
                    if client == nil && !json { print("job \(j.jid) is \(j.state): guarding its checkpoints without watching for restarts") }
                } catch {
                    // The lab's URL was only a default: without an answer the guard still guards.
                    if url != nil { throw ValidationError(error.description) }
                    if !json { print("no answer from \(u) (\(error.description)): guarding without watching for restarts") }
                }
            }
            let guardian = CheckpointGuardian(checkpointRoot: root, parityRoot: parity, dataShards: k, parityShards: m, client: client, job: jobId)
            guardian.scrubRate = scrubRate << 20
            let asJSON = json
            guardian.onEvent = { t, e in
                print(asJSON ? e.json(time: t) : String(format: "[%7.2fs] ", t) + e.text)
                fflush(nil)
            }
            if !json { print("guarding \(root)\(jobId.map { " (job \($0))" } ?? "") with RS(\(k)+\(m)); parity in \(parity)\(client.map { "; repair before restore via \($0.base)" } ?? "")") }
            SignalStop.install()
            guardian.start()
            let start = Date()
            while !SignalStop.requested && limit.map({ Date().timeIntervalSince(start) < $0 }) ?? true { Thread.sleep(forTimeInterval: 0.1) }
            guardian.stop()
            let share = guardian.cpuSeconds / max(0.001, guardian.age) * 100
            let cost = String(format: "guard: %.2f s of CPU in %.1f s (%.2f%% of a core), %d bytes of checkpoints guarded", guardian.cpuSeconds, guardian.age, share, guardian.guardedBytes)
            if json { print("{\"kind\": \"cost\", \"cpuSeconds\": \(guardian.cpuSeconds), \"seconds\": \(guardian.age), \"guardedBytes\": \(guardian.guardedBytes)}") } else { print(cost) }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every guarded checkpoint against its manifest (exit 1 when anything is damaged).")
        @OptionGroup var places: Places
        @Flag(help: "Counts as JSON: checked, corrupt, missing, repaired, unrepairable.")
        var json = false
        func run() throws { try GuardCommand.sweep(places, repair: false, json: json) }
    }

    struct Repair: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every guarded checkpoint and rebuild damaged files from the parity (exit 1 when anything could not be repaired).")
        @OptionGroup var places: Places
        @Flag(help: "Counts as JSON: checked, corrupt, missing, repaired, unrepairable.")
        var json = false
        func run() throws { try GuardCommand.sweep(places, repair: true, json: json) }
    }

    /// `verify` and `repair`: every guarded checkpoint still retained, and every shared file
    /// they refer to (once, however many do), with counts as `scrub` gives them.
    static func sweep(_ places: Places, repair: Bool, json: Bool) throws {
        let (root, parity, k, m, _) = try places.resolve()
        let guardian = CheckpointGuardian(checkpointRoot: root, parityRoot: parity, dataShards: k, parityShards: m)
        var checked = 0, corrupt = 0, missing = 0, repaired = 0, unrepairable = 0, bytes = 0
        var lines: [String] = []
        for g in guardian.guards() {
            let retained = Set(g.retained())
            let units: [(UInt64, GuardManifest.File?)] = g.guarded().filter { retained.contains($0) }.map { ($0, nil) }
                + g.sharedReferences().compactMap { r in r.referrers.last.map { ($0, r.file) } }
            for (id, shared) in units {
                do throws(FlinkError) {
                    let c = if let shared { try g.checkShared(shared, of: id, repair: repair) } else { try g.check(id, repair: repair, shared: false) }
                    if c.gone { continue }
                    checked += c.files
                    bytes += c.bytes
                    for f in c.findings {
                        if f.problem == .corrupt { corrupt += 1 } else { missing += 1 }
                        switch f.outcome {
                        case .repaired: repaired += 1
                        case .unrecoverable: unrepairable += 1
                        case .found, .gone: break
                        }
                        lines.append(GuardEvent.finding(f).text)
                    }
                } catch {
                    unrepairable += 1
                    lines.append(error.description)
                }
            }
        }
        if json {
            print("{\"checked\": \(checked), \"bytes\": \(bytes), \"corrupt\": \(corrupt), \"missing\": \(missing), \"repaired\": \(repaired), \"unrepairable\": \(repair ? unrepairable : corrupt + missing - repaired)}")
        } else {
            for l in lines { print(l) }
            print("\(checked) files (\(bytes) bytes) of guarded checkpoints checked in \(root): \(corrupt) corrupt, \(missing) missing or short\(repair ? ", \(repaired) repaired, \(unrepairable) could not be" : "")")
        }
        if repair ? unrepairable > 0 : corrupt + missing > 0 || unrepairable > 0 { throw ExitCode(1) }
    }
}
