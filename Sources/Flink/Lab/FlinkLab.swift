#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A local standalone Flink cluster from PyPI's `apache-flink` wheel, for drills and demos:
/// installed once into a venv in its directory, started and stopped by PID.
public struct FlinkLab: Sendable {
    public static let version = "2.3.0"
    public var directory: String
    public var taskManagers: Int
    public var slots: Int
    public var restPort: Int
    public var python: String
    public var java: String
    public var rate: Int
    /// Where the job keeps its state, and so what a checkpoint's files are.
    public var stateBackend: LabConfig.StateBackend = .hashmap

    public init(directory: String, taskManagers: Int = 2, slots: Int = 2, restPort: Int = 8081, rate: Int = 2000,
                python: String = ProcessInfo.processInfo.environment["FIREDRILL_PYTHON"] ?? "python3",
                java: String = ProcessInfo.processInfo.environment["FIREDRILL_JAVA"] ?? "java") {
        self.directory = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        while self.directory.count > 1 && self.directory.hasSuffix("/") { self.directory.removeLast() }
        self.taskManagers = taskManagers
        self.slots = slots
        self.restPort = restPort
        self.rate = rate
        self.python = python
        self.java = java
    }

    public var url: String { "http://127.0.0.1:\(restPort)" }
    var log: String { directory + "/log" }
    public var output: String { directory + "/output" }

    /// The Flink distribution inside the venv (`pyflink/` holds bin, lib, conf).
    public func flinkHome() -> String? {
        let lib = directory + "/venv/lib"
        for py in (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? [] where py.hasPrefix("python") {
            let home = "\(lib)/\(py)/site-packages/pyflink"
            if FileManager.default.isExecutableFile(atPath: home + "/bin/flink") { return home }
        }
        return nil
    }

    /// Installs the wheel once; returns Flink's home and whether it installed now.
    public func install(progress: (String) -> Void) throws(FlinkError) -> (home: String, installed: Bool) {
        if let home = flinkHome() { return (home, false) }
        try LabFiles.makeDirectory(log)
        let pipLog = log + "/install.log"
        if !FileManager.default.isExecutableFile(atPath: directory + "/venv/bin/pip") {
            progress("creating a Python venv in \(directory)/venv")
            guard try ProcessControl.run([python, "-m", "venv", directory + "/venv"], log: pipLog) == 0 else {
                throw .lab("'\(python) -m venv' failed (see \(pipLog)); on Debian: apt-get install python3-venv")
            }
        }
        progress("installing apache-flink \(Self.version) from PyPI (about 330 MB, once)")
        // The wheel's Python dependencies (Beam, pandas…) serve PyFlink's Python UDFs, which
        // the lab's SQL job does not use: the distribution alone is enough.
        let rc = try ProcessControl.run([directory + "/venv/bin/pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                                         "apache-flink==\(Self.version)", "apache-flink-libraries==\(Self.version)"], log: pipLog)
        guard rc == 0, let home = flinkHome() else { throw .lab("installing apache-flink \(Self.version) failed (exit \(rc)); see \(pipLog)") }
        return (home, true)
    }

    /// Starts the lab: JobManager, TaskManagers `tm-0`…, the payments job; waits for its first
    /// checkpoint. Refuses when a lab runs there already or the port answers.
    public func up(progress: (String) -> Void) throws(FlinkError) -> LabState {
        if let old = try LabState.load(directory), ProcessControl.alive(old.jobManager.pid) {
            throw .lab("a lab already runs in \(directory) (JobManager PID \(old.jobManager.pid), \(old.url)); firedrill flink down --dir \(directory) stops it")
        }
        let probe = try FlinkClient(url: url, timeout: 1)
        if (try? probe.overview()) != nil { throw .lab("\(url) already answers as a Flink cluster: not starting another on port \(restPort) (use --port)") }
        guard (try? ProcessControl.run([java, "-version"], log: "/dev/null")) == 0 else {
            throw .lab("no Java: '\(java) -version' failed; on Debian: apt-get install openjdk-17-jre-headless")
        }
        let (home, _) = try install(progress: progress)
        // A new job numbers its transfers from 0: an earlier job's files would read as duplicates.
        if let old = try? FileManager.default.contentsOfDirectory(atPath: output), !old.isEmpty {
            let aside = output + ".before-" + String(Int(Date().timeIntervalSince1970))
            guard rename(output, aside) == 0 else { throw .lab("\(output): cannot move the previous job's output aside to \(aside): \(String(cString: strerror(errno)))") }
            progress("moved the previous job's output aside to \(aside)")
        }
        for d in ["conf", "log", "run", "tmp", "checkpoints", "savepoints", "output", "job"] { try LabFiles.makeDirectory(directory + "/" + d) }
        try writeConfiguration(home: home)
        let env = ["FLINK_CONF_DIR": directory + "/conf", "FLINK_LOG_DIR": log]
        progress("starting the JobManager")
        let jmLog = log + "/jobmanager.out"
        let jm = try ProcessControl.spawnDetached([home + "/bin/jobmanager.sh", "start-foreground"], environment: env, log: jmLog)
        var state = LabState(directory: directory, url: url, restPort: restPort, flinkHome: home,
                             jobManager: .init(id: "jobmanager", pid: jm, log: jmLog), taskManagers: [], slots: slots, jobId: nil,
                             output: output, checkpoints: directory + "/checkpoints", accounts: PaymentsLedger().accounts, rate: rate)
        try state.save()
        // From here on a failure stops what this call started (and only that).
        do throws(FlinkError) {
            return try startRest(&state, home: home, probe: probe, progress: progress)
        } catch {
            progress("stopping what was started")
            if let stopped = try? Self.down(directory: directory) { for l in stopped.lines { progress("  " + l) } }
            throw error
        }
    }

    func startRest(_ state: inout LabState, home: String, probe: FlinkClient, progress: (String) -> Void) throws(FlinkError) -> LabState {
        for i in 0..<taskManagers {
            state.taskManagers.append(try startTaskManager(id: "tm-\(i)", home: home))
            try state.save()
        }
        try waitFor("the REST API at \(url)", seconds: 60, progress: progress) { (try? probe.overview()) != nil }
        // Planning the SQL takes seconds of its own: done while the TaskManagers register
        // (the job waits for their slots).
        progress("submitting the payments job")
        let jobId = try submit(home: home, restore: nil)
        state.jobId = jobId
        try state.save()
        try waitFor("\(taskManagers) TaskManagers to register", seconds: 60, progress: progress) {
            ((try? probe.taskManagers()) ?? []).count >= taskManagers
        }
        try waitFor("the job's first checkpoint", seconds: 90, progress: progress) {
            ((try? probe.checkpoints(job: jobId))?.counts.completed ?? 0) > 0
        }
        return state
    }

    /// Starts TaskManager `id` (a new one, or a replacement with the same id).
    /// Submits the payments job, restoring its state from the checkpoint or savepoint at
    /// `restore` when given (`execution.state-recovery.path`); returns the new job's id.
    public func submit(home: String, restore: String?) throws(FlinkError) -> String {
        let job = FlinkPaymentsJob(rate: rate, output: output)
        try LabFiles.writeAtomically(Data(job.sql.utf8), to: directory + "/job/payments.sql")
        try LabFiles.writeAtomically(Data(FlinkPaymentsJob.submitter.utf8), to: directory + "/job/FiredrillSubmit.java")
        let submitLog = log + "/submit.log"
        try? FileManager.default.removeItem(atPath: submitLog)
        let rc = try ProcessControl.run([java, "-cp", home + "/lib/*", directory + "/job/FiredrillSubmit.java", "127.0.0.1", String(restPort),
                                         directory + "/job/payments.sql", directory + "/conf"] + (restore.map { [$0] } ?? []), log: submitLog)
        let said = (try? String(contentsOfFile: submitLog, encoding: .utf8)) ?? ""
        guard rc == 0, let line = said.split(separator: "\n").last(where: { $0.hasPrefix("job ") }) else {
            throw .lab("submitting the payments job failed (exit \(rc)); see \(submitLog)")
        }
        return String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces)
    }

    public func startTaskManager(id: String, home: String) throws(FlinkError) -> LabState.Member {
        let tmLog = "\(log)/\(id).out"
        let pid = try ProcessControl.spawnDetached([home + "/bin/taskmanager.sh", "start-foreground", "-Dtaskmanager.resource-id=\(id)"],
                                                   environment: ["FLINK_CONF_DIR": directory + "/conf", "FLINK_LOG_DIR": log], log: tmLog)
        return .init(id: id, pid: pid, log: tmLog)
    }

    /// Starts a replacement for the lab's TaskManager `id` (refused while one runs) and
    /// records its PID.
    public static func replaceTaskManager(_ id: String, directory: String) throws(FlinkError) -> LabState.Member {
        guard var state = try LabState.load(directory) else { throw .lab("no lab in \(directory) (no \(LabState.path(directory)))") }
        if let p = try? TaskManagerProcess.find(id: id, hint: state.taskManagers.first { $0.id == id }?.pid) {
            throw .taskManager("TaskManager \(id) still runs (PID \(p.pid)): kill it first")
        }
        let lab = FlinkLab(directory: state.directory, taskManagers: state.taskManagers.count, slots: state.slots, restPort: state.restPort)
        let m = try lab.startTaskManager(id: id, home: state.flinkHome)
        state.taskManagers.removeAll { $0.id == id }
        state.taskManagers.append(m)
        try state.save()
        return m
    }

    func writeConfiguration(home: String) throws(FlinkError) {
        let shipped = (try? String(contentsOfFile: home + "/conf/config.yaml", encoding: .utf8)) ?? ""
        let opts = shipped.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("all:") }
            .map { String($0.trimmingCharacters(in: .whitespaces).dropFirst(4)).trimmingCharacters(in: .whitespaces) } ?? ""
        let config = LabConfig(directory: directory, restPort: restPort, rpcPort: restPort + 42, slots: slots,
                               parallelism: 2, javaOptions: opts, stateBackend: stateBackend)
        try LabFiles.writeAtomically(Data(config.yaml.utf8), to: directory + "/conf/config.yaml")
        for f in ["log4j-console.properties", "log4j-cli.properties", "log4j.properties", "logback-console.xml"] {
            if let d = FileManager.default.contents(atPath: home + "/conf/" + f) { try LabFiles.writeAtomically(d, to: directory + "/conf/" + f) }
        }
    }

    func waitFor(_ what: String, seconds: Double, progress: (String) -> Void, _ done: () -> Bool) throws(FlinkError) {
        let start = Date()
        progress("waiting for \(what)")
        while !done() {
            let t = Date().timeIntervalSince(start)
            guard t < seconds else { throw .lab("gave up waiting for \(what) after \(Int(seconds)) s; logs in \(log)") }
            usleep(200_000)
        }
    }

    /// What `down` did, one line per process.
    public struct Stopped: Sendable { public var lines: [String] }

    /// Stops exactly the processes the lab record names (checked to still be those), by PID:
    /// SIGCONT (a hung one cannot stop), SIGTERM, then SIGKILL after 10 s.
    public static func down(directory: String) throws(FlinkError) -> Stopped {
        guard let state = try LabState.load(directory) else { throw .lab("no lab in \(directory) (no \(LabState.path(directory)))") }
        var lines: [String] = []
        for m in state.taskManagers + [state.jobManager] {
            let argv = ProcessControl.commandLine(m.pid) ?? []
            let ours = argv.contains { $0.contains(state.directory) } || argv.contains { $0.contains(state.flinkHome) }
            guard ProcessControl.alive(m.pid), ours else { lines.append("\(m.id): PID \(m.pid) already gone"); continue }
            kill(m.pid, SIGCONT)
            kill(m.pid, SIGTERM)
            var waited = 0.0
            while ProcessControl.alive(m.pid) && waited < 10 { usleep(100_000); waited += 0.1; ProcessControl.reap(m.pid) }
            if ProcessControl.alive(m.pid) { kill(m.pid, SIGKILL); usleep(200_000); lines.append("\(m.id): PID \(m.pid) killed (did not stop within 10 s)") }
            else { lines.append("\(m.id): PID \(m.pid) stopped") }
        }
        unlink(LabState.path(directory))
        return Stopped(lines: lines)
    }
}
