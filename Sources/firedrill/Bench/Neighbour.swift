#if canImport(Glibc)
import Glibc
#endif
import Engine
import Foundation

/// The busy neighbour `bench recovery --neighbour` measures beside: a second firedrill
/// process holding 100 MB of state and checkpointing every second (the false-detections
/// job, `--as-neighbour`), and two CPU hogs (shell busy loops). What a speaker's laptop or
/// an SRE's workstation is doing while the dashboard runs.
///
/// Started in this process's session (no scheduler group of its own shields either side)
/// and stopped by PID whatever happens: `stop` on every way out of the bench, a SIGINT or
/// SIGTERM handler that signals the PIDs at once, and each part watches its parent and
/// ends by itself when this bench is gone (even after SIGKILL).
final class Neighbour {
    private let job: Process
    private let hogs: [Process]
    private var stopped = false
    let scratch: String

    /// The PIDs, for the record.
    var pids: [pid_t] { [job.processIdentifier] + hogs.map(\.processIdentifier) }

    /// Starts the neighbour; its data goes in a directory of its own under `scratch`
    /// (removed when it stops).
    init(scratch root: String) throws {
        let me = getpid()
        scratch = "\(root)/firedrill-bench-neighbour-\(me)"
        do { try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true) } catch {
            throw BenchFailure("cannot make the neighbour's directory \(scratch): \(error)")
        }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        job = Process()
        job.executableURL = exe
        job.arguments = ["bench", "recovery", "--only", "false-detections", "--false-minutes", "60", "--scratch", scratch, "--as-neighbour", "\(me)"]
        job.standardInput = FileHandle.nullDevice
        job.standardOutput = FileHandle.nullDevice
        job.standardError = FileHandle.nullDevice
        // A busy loop that ends by itself once this bench is gone (`kill -0` is a shell builtin).
        hogs = (0..<2).map { _ in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "while kill -0 \(me) 2>/dev/null; do :; done"]
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            return p
        }
        NeighbourSignals.install()
        do {
            try job.run()
            NeighbourSignals.watch(job.processIdentifier)
            for h in hogs {
                try h.run()
                NeighbourSignals.watch(h.processIdentifier)
            }
        } catch {
            stop()
            throw BenchFailure("cannot start the neighbour: \(error)")
        }
    }

    /// Waits until the neighbour holds its first checkpoint (100 MB of shards or more on
    /// disk), so nothing is measured beside a neighbour still starting.
    func waitUntilCheckpointing(timeout: Double = 120) throws {
        let end = Stopwatch.now() + timeout
        while Stopwatch.now() < end {
            guard running else { throw BenchFailure(NeighbourSignals.requested ? "interrupted" : "the neighbour ended while starting") }
            if bytesOnDisk() >= 100 << 20 { return }
            usleep(200_000)
        }
        throw BenchFailure("the neighbour wrote no checkpoint within \(Int(timeout)) s")
    }

    private func bytesOnDisk() -> Int {
        guard let files = FileManager.default.enumerator(atPath: scratch) else { return 0 }
        var total = 0
        for case let name as String in files {
            total += ((try? FileManager.default.attributesOfItem(atPath: scratch + "/" + name))?[.size] as? Int) ?? 0
        }
        return total
    }

    /// Whether every part still runs.
    var running: Bool { !stopped && job.isRunning && hogs.allSatisfy(\.isRunning) }

    /// Stops every part by PID: the hogs at once, the firedrill neighbour with SIGTERM (it
    /// stops its job and removes its data) and SIGKILL after 10 s.
    func stop() {
        guard !stopped else { return }
        stopped = true
        for h in hogs where h.processIdentifier > 0 {
            kill(h.processIdentifier, SIGKILL)
            h.waitUntilExit()
        }
        let pid = job.processIdentifier
        if pid > 0 && job.isRunning {
            kill(pid, SIGTERM)
            let end = Stopwatch.now() + 10
            while job.isRunning && Stopwatch.now() < end { usleep(20_000) }
            if job.isRunning { kill(pid, SIGKILL) }
            job.waitUntilExit()
        }
        NeighbourSignals.forget()
        FileDisk(root: scratch).removeTreeQuietly()
    }
}

/// SIGINT and SIGTERM while a neighbour runs: its PIDs are signalled from the handler at
/// once (`kill` is async-signal-safe), and the bench is told to unwind (`requested`), so
/// its own `stop` and clean-ups run too.
enum NeighbourSignals {
    nonisolated(unsafe) private static var slots: (pid_t, pid_t, pid_t, pid_t) = (0, 0, 0, 0)
    nonisolated(unsafe) private static var interrupted: sig_atomic_t = 0

    /// A signal came: stop measuring.
    static var requested: Bool { interrupted != 0 }

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            NeighbourSignals.interrupted = 1
            // No allocation in a handler: the four slots one by one.
            let s = NeighbourSignals.slots
            if s.0 > 0 { kill(s.0, SIGKILL) }
            if s.1 > 0 { kill(s.1, SIGKILL) }
            if s.2 > 0 { kill(s.2, SIGKILL) }
            if s.3 > 0 { kill(s.3, SIGKILL) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    static func watch(_ pid: pid_t) {
        if slots.0 == 0 { slots.0 = pid } else if slots.1 == 0 { slots.1 = pid } else if slots.2 == 0 { slots.2 = pid } else { slots.3 = pid }
    }

    static func forget() { slots = (0, 0, 0, 0) }
}
