import ArgumentParser
import Engine
import Flink
import Foundation

/// `firedrill flink up|down|status`: a local Flink lab.
struct FlinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flink",
        abstract: "A local Apache Flink lab: a standalone cluster from PyPI's apache-flink wheel running the payments job in Flink SQL.",
        subcommands: [Up.self, Down.self, Status.self, Rollback.self]
    )

    static let defaultDirectory = "firedrill-flink"

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install (once) and start the lab: a JobManager, TaskManagers tm-0…, the payments job; waits for its first checkpoint.",
            discussion: "Everything binds to 127.0.0.1. Needs python3 (with venv) and Java 17 (Debian: openjdk-17-jre-headless). firedrill flink down stops exactly what this started."
        )
        @Option(help: "The lab's directory: venv, config, logs, checkpoints, the job's output.")
        var dir = FlinkCommand.defaultDirectory
        @Option(help: "TaskManagers to start (1-8).")
        var taskmanagers = 2
        @Option(help: "Slots per TaskManager (1-8).")
        var slots = 2
        @Option(help: "The REST port (the RPC port is this + 42).")
        var port = 8081
        @Option(help: "Transfers per second the payments job generates (100-100000).")
        var rate = 2000
        @Option(help: "The job's state backend: hashmap (whole checkpoints in chk-N/) or rocksdb (incremental: new SST files in shared/).")
        var state = "hashmap"

        func run() throws {
            guard (1...8).contains(taskmanagers) else { throw ValidationError("--taskmanagers must be 1-8; got \(taskmanagers)") }
            guard (1...8).contains(slots) else { throw ValidationError("--slots must be 1-8; got \(slots)") }
            guard (1024...65000).contains(port) else { throw ValidationError("--port must be 1024-65000; got \(port)") }
            guard (100...100_000).contains(rate) else { throw ValidationError("--rate must be 100-100000 transfers/s; got \(rate)") }
            guard let backend = LabConfig.StateBackend(rawValue: state) else {
                throw ValidationError("--state must be one of \(LabConfig.StateBackend.allCases.map(\.rawValue).joined(separator: ", ")); got '\(state)'")
            }
            var lab = FlinkLab(directory: dir, taskManagers: taskmanagers, slots: slots, restPort: port, rate: rate)
            lab.stateBackend = backend
            let start = Date()
            do {
                let state = try lab.up { line in
                    print(String(format: "[%5.1fs] ", Date().timeIntervalSince(start)) + line)
                    fflush(nil)
                }
                print(String(format: "[%5.1fs] ", Date().timeIntervalSince(start)) + "lab up: \(state.url)  job \(state.jobId ?? "?")")
                print("  TaskManagers: " + state.taskManagers.map { "\($0.id) (PID \($0.pid))" }.joined(separator: ", ") + "; JobManager PID \(state.jobManager.pid)")
                print("  checkpoints: \(state.checkpoints)   output: \(state.output)")
                print("  next: firedrill attach flink\(port == 8081 ? "" : " " + state.url)    stop: firedrill flink down --dir \(dir)")
            } catch {
                var err = StandardError()
                print("firedrill flink up: \(error.description)", to: &err)
                throw ExitCode(1)
            }
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the lab's processes (by the PIDs it recorded) and say so; its files stay.")
        @Option(help: "The lab's directory.")
        var dir = FlinkCommand.defaultDirectory

        func run() throws {
            let abs = FlinkLab(directory: dir).directory
            do {
                let s = try FlinkLab.down(directory: abs)
                for l in s.lines { print(l) }
                print("lab in \(abs) stopped")
            } catch { throw ValidationError(error.description) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the lab runs, its processes and its job.")
        @Option(help: "The lab's directory.")
        var dir = FlinkCommand.defaultDirectory

        func run() throws {
            let abs = FlinkLab(directory: dir).directory
            let state: LabState?
            do { state = try LabState.load(abs) } catch { throw ValidationError(error.description) }
            guard let state else { print("no lab in \(abs)"); throw ExitCode(3) }
            for m in [state.jobManager] + state.taskManagers {
                print("\(m.id): PID \(m.pid) \(ProcessControl.alive(m.pid) ? (ProcessControl.state(m.pid) == "T" ? "stopped (SIGSTOP)" : "running") : "gone")")
            }
            print("REST \(state.url), job \(state.jobId ?? "not submitted"), output \(state.output)")
        }
    }
}
