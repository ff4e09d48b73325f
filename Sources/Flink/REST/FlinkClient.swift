import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// A small synchronous client of Flink's REST API (one request at a time, a short timeout):
/// the observer polls from its own thread, so nothing here blocks the UI.
public final class FlinkClient: Sendable {
    /// The cluster's base URL, without a trailing slash (`http://127.0.0.1:8081`).
    public let base: String
    let timeout: Double
    let session: URLSession
    let requests = Atomic<Int>(0)
    /// Headers sent with every request (`--header 'Authorization: Bearer …'`).
    let headers: [Header]

    /// One HTTP header, `Name: value`.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        /// Reads `Name: value`; the name must be a token (letters, digits, `-`).
        public init(_ text: String) throws(FlinkError) {
            guard let colon = text.firstIndex(of: ":") else {
                throw .malformed(url: "--header", expected: "'Name: value' like 'Authorization: Bearer TOKEN'", why: "no ':' in '\(text.prefix(40))'")
            }
            let n = text[..<colon].trimmingCharacters(in: .whitespaces)
            guard !n.isEmpty, n.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw .malformed(url: "--header", expected: "a header name of letters, digits and '-'", why: "'\(n.prefix(40))'")
            }
            name = n
            value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    /// How https answers are checked.
    public enum TLS: Sendable, Equatable {
        /// The system's trusted certificate authorities.
        case system
        /// A certificate authority bundle (PEM) of the user's (`--cacert`).
        case authority(String)
        /// No check at all (`--insecure`): for test clusters with a self-signed certificate.
        case insecure
    }

    /// `base` must be an http(s) URL; `timeout` bounds every request, in seconds.
    public init(url: String, timeout: Double = 2, headers: [Header] = [], tls: TLS = .system) throws(FlinkError) {
        var b = url.trimmingCharacters(in: .whitespaces)
        while b.hasSuffix("/") { b.removeLast() }
        guard let u = URL(string: b), let scheme = u.scheme, ["http", "https"].contains(scheme), u.host != nil else {
            throw .malformed(url: url, expected: "an http:// or https:// URL like http://127.0.0.1:8081", why: "not such a URL")
        }
        base = b
        self.timeout = timeout
        self.headers = headers
        // Foundation's HTTP client on Linux checks https against the system's trust store only:
        // it takes no certificate authority of its own and cannot skip the check (tried
        // 2026-12-04 against a self-signed server: refused either way). Said, not pretended.
        switch tls {
        case .system: break
        case let .authority(path):
            throw .malformed(url: "--cacert", expected: "a certificate authority this HTTP client can use",
                             why: "it trusts the system's store only: add \(path) there (/usr/local/share/ca-certificates/, then update-ca-certificates)")
        case .insecure:
            throw .malformed(url: "--insecure", expected: "a certificate check this HTTP client can skip",
                             why: "it cannot skip it: add the cluster's CA to the system's store (/usr/local/share/ca-certificates/, then update-ca-certificates)")
        }
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = timeout
        config.httpMaximumConnectionsPerHost = 2
        session = URLSession(configuration: config)
    }

    /// Requests sent so far (for the REST load the dashboard reports).
    public var requestCount: Int { requests.load(ordering: .relaxed) }

    /// GETs `path` and decodes `T` from it.
    public func get<T: Decodable>(_ path: String, as: T.Type, expected: String) throws(FlinkError) -> T {
        try decode(send("GET", path), path: path, expected: expected)
    }

    /// Sends a request with an optional JSON body and decodes the answer.
    public func send<T: Decodable>(_ method: String, _ path: String, body: String?, as: T.Type, expected: String) throws(FlinkError) -> T {
        try decode(send(method, path, body: body), path: path, expected: expected)
    }

    func decode<T: Decodable>(_ data: Data, path: String, expected: String) throws(FlinkError) -> T {
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw .malformed(url: base + path, expected: expected, why: Self.reason(error))
        }
    }

    /// The raw answer of one request.
    public func send(_ method: String, _ path: String, body: String? = nil) throws(FlinkError) -> Data {
        let url = base + path
        guard let u = URL(string: url) else { throw .malformed(url: url, expected: "a valid URL", why: "cannot form it") }
        var request = URLRequest(url: u, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = method
        for h in headers { request.setValue(h.value, forHTTPHeaderField: h.name) }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        requests.add(1, ordering: .relaxed)
        let result = Mutex<Result<(Data, Int), FlinkError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            let r: Result<(Data, Int), FlinkError>
            if let error {
                r = .failure(.unreachable(url: url, why: error.localizedDescription))
            } else if let http = response as? HTTPURLResponse {
                r = .success((data ?? Data(), http.statusCode))
            } else {
                r = .failure(.unreachable(url: url, why: "no HTTP answer"))
            }
            result.withLock { $0 = r }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout + 1) == .timedOut {
            task.cancel()
            throw .unreachable(url: url, why: "no answer within \(Int(timeout)) s")
        }
        switch result.withLock({ $0 }) {
        case let .success((data, status))?:
            guard (200..<300).contains(status) else {
                throw .http(url: url, status: status, body: String(decoding: data.prefix(300), as: UTF8.self))
            }
            return data
        case let .failure(e)?: throw e
        case nil: throw .unreachable(url: url, why: "no answer")
        }
    }

    static func reason(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, ctx): "no '\(key.stringValue)'\(path(ctx))"
        case let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx): "\(ctx.debugDescription)\(path(ctx))"
        case let DecodingError.dataCorrupted(ctx): "not JSON: \(ctx.debugDescription)"
        default: String(describing: error)
        }
    }

    static func path(_ ctx: DecodingError.Context) -> String {
        ctx.codingPath.isEmpty ? "" : " at " + ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

extension FlinkClient {
    /// The cluster's overview; proves the URL is Flink.
    public func overview() throws(FlinkError) -> FlinkModel.Overview {
        try get("/overview", as: FlinkModel.Overview.self, expected: "Flink's cluster overview (flink-version, taskmanagers)")
    }

    public func jobs() throws(FlinkError) -> [FlinkModel.JobsOverview.Job] {
        try get("/jobs/overview", as: FlinkModel.JobsOverview.self, expected: "Flink's job list").jobs
    }

    public func job(_ id: String) throws(FlinkError) -> FlinkModel.Job {
        do { return try get("/jobs/\(id)", as: FlinkModel.Job.self, expected: "a Flink job's details") } catch {
            if case .http(_, 404, _) = error { throw .unknownJob(url: base, id: id) }
            throw error
        }
    }

    public func vertex(job: String, vertex: String) throws(FlinkError) -> FlinkModel.VertexDetail {
        try get("/jobs/\(job)/vertices/\(vertex)", as: FlinkModel.VertexDetail.self, expected: "a job vertex's subtasks")
    }

    public func taskManagers() throws(FlinkError) -> [FlinkModel.TaskManagers.TaskManager] {
        try get("/taskmanagers", as: FlinkModel.TaskManagers.self, expected: "Flink's TaskManager list").taskmanagers
    }

    public func checkpoints(job: String) throws(FlinkError) -> FlinkModel.Checkpoints {
        try get("/jobs/\(job)/checkpoints", as: FlinkModel.Checkpoints.self, expected: "a job's checkpoint statistics")
    }

    public func exceptions(job: String) throws(FlinkError) -> FlinkModel.Exceptions {
        try get("/jobs/\(job)/exceptions", as: FlinkModel.Exceptions.self, expected: "a job's exception history")
    }

    /// Metrics of a job, a TaskManager or (summed) a vertex's subtasks.
    public func metrics(_ path: String, _ names: [String]) throws(FlinkError) -> [FlinkModel.Metric] {
        try get(path + "?get=" + names.joined(separator: ","), as: [FlinkModel.Metric].self, expected: "a list of metrics")
    }

    /// The running job: `id` if given (it must exist), else the only running one.
    public func resolveJob(_ id: String?) throws(FlinkError) -> FlinkModel.JobsOverview.Job {
        let all = try jobs()
        if let id {
            guard let j = all.first(where: { $0.jid == id }) else { throw .unknownJob(url: base, id: id) }
            return j
        }
        let running = all.filter { !["FINISHED", "CANCELED", "FAILED"].contains($0.state) }
        guard running.count == 1, let only = running.first else {
            throw .noJob(url: base, running: running.map { "\($0.jid) (\($0.name), \($0.state))" })
        }
        return only
    }
}
