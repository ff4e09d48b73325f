#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Starting, finding and signalling the lab's processes — always by PID, never by name.
public enum ProcessControl {
    /// Starts `argv` in its own session (so a terminal's ^C does not reach it), stdin from
    /// /dev/null, stdout and stderr appended to `log`; returns its PID.
    public static func spawnDetached(_ argv: [String], environment: [String: String] = [:], log: String) throws(FlinkError) -> pid_t {
        try spawn(argv, environment: environment, log: log, setsid: true)
    }

    /// Runs `argv` to its end, output appended to `log`; returns its exit status.
    public static func run(_ argv: [String], environment: [String: String] = [:], log: String) throws(FlinkError) -> Int32 {
        let pid = try spawn(argv, environment: environment, log: log, setsid: false)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    static func spawn(_ argv: [String], environment: [String: String], log: String, setsid: Bool) throws(FlinkError) -> pid_t {
        guard let program = argv.first else { throw .lab("nothing to run") }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if setsid { flags |= Int16(0x80) }  // POSIX_SPAWN_SETSID
        posix_spawnattr_setflags(&attr, flags)
        var none = sigset_t(); sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var all = sigset_t(); sigfillset(&all)
        posix_spawnattr_setsigdefault(&attr, &all)
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cArgs { free(p) }; for p in cEnv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, program, &actions, &attr, cArgs, cEnv)
        guard rc == 0 else { throw .lab("cannot start \(program): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// A process's command line, one element per argument; nil when it does not exist.
    public static func commandLine(_ pid: pid_t) -> [String]? {
        guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }.filter { !$0.isEmpty }
    }

    /// The process's state letter from /proc (R, S, T for stopped, Z...), nil when gone.
    public static func state(_ pid: pid_t) -> Character? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let rest = text[text.index(after: close)...].drop(while: { $0 == " " })
        return rest.first
    }

    /// Whether `pid` is alive (a zombie is not).
    public static func alive(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 else { return false }
        return state(pid) != "Z"
    }

    /// Reaps `pid` if it is our exited child (a no-op otherwise).
    public static func reap(_ pid: pid_t) {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }

    /// Sends `signal` to `pid`, with an error naming both when it fails.
    public static func signal(_ pid: pid_t, _ signal: Int32, what: String) throws(FlinkError) {
        guard kill(pid, signal) == 0 else {
            throw .taskManager("cannot signal \(what) (PID \(pid)): \(String(cString: strerror(errno)))")
        }
    }
}
