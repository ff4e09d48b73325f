import Engine

extension FlinkObserver {
    /// Jobs besides the watched one whose placement is looked up for the blast radius.
    static let otherJobsLooked = 20

    /// Where every subtask runs: the watched job's subtasks per TaskManager, each TaskManager's
    /// host, the running jobs with a subtask on it (the blast radius of a fault there), and
    /// the TaskManagers' own metrics.
    func place(job: FlinkModel.Job, tms: [FlinkModel.TaskManagers.TaskManager], into s: inout Slow) throws(FlinkError) {
        for tm in tms { if let h = Self.host(ofPath: tm.path) { s.hosts[tm.id] = h } }
        let label = { (name: String, jid: String) in "\(name) (\(jid.prefix(8)))" }
        for v in job.vertices {
            let detail = try client.vertex(job: job.jid, vertex: v.id)
            for st in detail.subtasks {
                guard let id = st.taskManagerId else { continue }
                if st.status == "RUNNING" || st.status == "DEPLOYING" || st.status == "INITIALIZING" { s.subtasks[id, default: 0] += 1 }
                if s.hosts[id] == nil, let e = st.endpoint { s.hosts[id] = Self.host(ofEndpoint: e) }
                if s.jobsOn[id]?.contains(label(job.name, job.jid)) != true { s.jobsOn[id, default: []].append(label(job.name, job.jid)) }
            }
        }
        let others = try client.jobs().filter { $0.jid != job.jid && !["FINISHED", "CANCELED", "FAILED"].contains($0.state) }
        for other in others.prefix(Self.otherJobsLooked) {
            guard let detail = try? client.job(other.jid) else { continue }
            for v in detail.vertices {
                guard let vd = try? client.vertex(job: other.jid, vertex: v.id) else { continue }
                for id in Set(vd.subtasks.compactMap(\.taskManagerId)) where s.jobsOn[id]?.contains(label(other.name, other.jid)) != true {
                    s.jobsOn[id, default: []].append(label(other.name, other.jid))
                }
            }
        }
        if others.count > Self.otherJobsLooked {
            for tm in tms { s.jobsOn[tm.id, default: []].append("\(others.count - Self.otherJobsLooked) more jobs not looked at") }
        }
        for tm in tms {
            let m = (try? client.metrics("/taskmanagers/\(tm.id)/metrics", ["Status.JVM.CPU.Load", "Status.JVM.Memory.Heap.Used", "Status.JVM.Memory.Heap.Max"])) ?? []
            s.cpu[tm.id] = m.number("Status.JVM.CPU.Load")
            s.heapUsed[tm.id] = m.number("Status.JVM.Memory.Heap.Used").map { Int($0) }
            s.heapMax[tm.id] = m.number("Status.JVM.Memory.Heap.Max").map { Int($0) }
        }
    }

    /// The host in a TaskManager's RPC path (`pekko.tcp://flink@10.0.0.7:35063/user/rpc/…`).
    static func host(ofPath path: String?) -> String? {
        guard let path, let at = path.firstIndex(of: "@") else { return nil }
        let rest = path[path.index(after: at)...]
        let end = rest.firstIndex(where: { $0 == ":" || $0 == "/" }) ?? rest.endIndex
        let h = String(rest[..<end])
        return h.isEmpty ? nil : h
    }

    /// The host of `host:port`.
    static func host(ofEndpoint e: String) -> String {
        e.split(separator: ":").first.map(String.init) ?? e
    }

    /// Forgets the rates: unknown until a new window fills.
    func resetRates() {
        readWindow.reset()
        committedWindow.reset()
        auditedWindow.reset()
    }

    /// What no answer leaves of a cluster's facts: nothing that could be stale.
    static func forget(_ a: inout AttachedCluster) {
        a.jobState = nil
        a.jobUptime = nil
        a.jobStatus = nil
        a.working = nil
        a.tasksRunning = nil
        a.tasksTotal = nil
        a.restarts = nil
        a.readRate = nil
        a.committedRate = nil
        a.auditedRate = nil
        a.taskManagerFacts = nil
    }

    /// The snapshot's figures with no answer: rates 0 and marked unknown (the attached facts
    /// say so), the TaskManagers' measures gone.
    static func forget(_ s: inout ClusterSnapshot) {
        s.producedPerSecond = 0
        s.committedPerSecond = 0
        s.auditedPerSecond = 0
        for i in s.nodes.indices {
            s.nodes[i].slots = nil
            s.nodes[i].subtasks = nil
            s.nodes[i].cpuLoad = nil
            s.nodes[i].heapUsed = nil
            s.nodes[i].heapMax = nil
        }
    }
}
