import ArgumentParser

/// The root command.
struct Firedrill: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "firedrill",
        abstract: "A fault-tolerance lab for real-time stream processing.",
        discussion: """
            firedrill embeds a real stream engine (a payments job: transfers between \
            accounts, keyed balances, exactly-once commits to SQLite) and lets you break \
            it on purpose: kill or hang nodes, flip bits on links and in checkpoint shards, \
            wipe disks. The engine protects itself with replication, CRC32C check-and-correct, \
            self-healing supervision and Reed-Solomon erasure-coded checkpoints, and an \
            independent auditor proves that nothing was lost or counted twice.

            Open the live dashboard (the default): firedrill [--theme NAME]
            Play a drill live in the dashboard: firedrill --drill kill-one
            Run drills headless with a verdict: firedrill drill --list | NAME | --all
            Replay a record in the dashboard: firedrill replay FILE.jsonl
            Run the job headless with an audit: firedrill run --headless --duration 10s
            Chaos soak on the simulated runtime: firedrill simulate --seeds 1000
            Verify and repair stored shards: firedrill scrub --repair
            Heal a data directory (shards and sink) on demand: firedrill repair --data DIR
            A local Apache Flink lab: firedrill flink up | down | status
            The dashboard on a real Flink job: firedrill attach flink [URL] [--headless --json]
            Benchmarks: firedrill bench crc32c | rs | engine
            """,
        version: version,
        subcommands: [DashboardCommand.self, RunCommand.self, DrillCommand.self, ReplayCommand.self, SimulateCommand.self, ScrubCommand.self, RepairCommand.self, FlinkCommand.self, AttachCommand.self, GuardCommand.self, Bench.self, ThemesCommand.self],
        defaultSubcommand: DashboardCommand.self
    )
}

@main
enum Main {
    static func main() {
        var command: ParsableCommand
        do {
            command = try Firedrill.parseAsRoot()
        } catch {
            exitForParse(error)
        }
        do {
            try command.run()
        } catch let error as ValidationError {
            // A bad value found once the command ran: name it, exit 2, no usage dump.
            var err = StandardError()
            print("firedrill: \(error.message)", to: &err)
            Firedrill.exit(withError: ExitCode(2))
        } catch let error as ExitCode {
            Firedrill.exit(withError: error)
        } catch {
            if Firedrill.exitCode(for: error) == .success {
                Firedrill.exit(withError: error)  // help and version requests
            }
            var err = StandardError()
            print("firedrill: \(error)", to: &err)
            Firedrill.exit(withError: ExitCode(1))
        }
    }

    static func exitForParse(_ error: Error) -> Never {
        if Firedrill.exitCode(for: error) == .validationFailure {
            // Usage errors name the flag and exit 2, like other Unix tools.
            var err = StandardError()
            print(Firedrill.fullMessage(for: error), to: &err)
            Firedrill.exit(withError: ExitCode(2))
        }
        Firedrill.exit(withError: error)
    }
}
