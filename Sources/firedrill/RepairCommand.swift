import ArgumentParser
import Engine

/// `firedrill repair`: heal a data directory on demand, as the engine does when it opens it.
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Repair a data directory: rewrite bad checkpoint shards from the others, rebuild a damaged sink.db from the newest checkpoint that restores, and audit the result.",
        discussion: "The job flags must match the ones the directory was made with (as for 'run'). The damaged sink is kept beside the new one as sink.db.damaged-TIME. Exit 0 when the audit after the repair is exact, 1 when it is not or something could not be repaired, 2 for bad flags or a directory that is not a data directory."
    )

    @OptionGroup var job: JobOptions

    @Flag(help: "Print {shardsChecked, shardsRepaired, shardsUnrepairable, sinkRebuilt, exact, committedTransfers} as JSON.")
    var json = false

    func run() throws {
        let config = try job.config()
        do { try DataDirectory.checkPath(job.data) } catch { throw ValidationError(error.description) }
        let disk = FileDisk(root: job.data)
        do { _ = try DataDirectory.readFormat(disk, label: job.data) } catch { throw ValidationError(error.description) }
        let store: ShardStore
        do { store = try ShardStore(disk: disk, nodes: config.nodes, dataShards: config.dataShards, parityShards: config.parityShards) } catch {
            throw ValidationError(error.description)
        }
        // Shards first: the sink is rebuilt from the newest checkpoint that restores.
        let report: ScrubReport
        do { report = try store.scrubAll(repair: true) } catch { throw RuntimeFailure("\(error)") }
        // Opening the engine heals the sink and audits it (nothing is started).
        let engine: ThreadedEngine
        do { engine = try ThreadedEngine(config: config, dataDirectory: job.data) } catch {
            if case let .config(e) = error { throw ValidationError(e.description) }
            throw RuntimeFailure("\(error)")
        }
        let s = engine.snapshot()
        let rebuilt = s.events.first { if case .sinkRebuilt = $0.detail { true } else { false } }
        let v = s.audit
        let exact = v.exact && v.moneyConserved
        if json {
            print("{\"shardsChecked\": \(report.checked), \"shardsRepaired\": \(report.repaired), \"shardsUnrepairable\": \(report.unrepairable), \"sinkRebuilt\": \(rebuilt != nil), \"exact\": \(exact), \"committedTransfers\": \(v.committedTransfers)}")
        } else {
            for f in report.findings { print(f) }
            print("shards: \(report.checked) checked, \(report.corrupt) corrupt, \(report.missing) missing, \(report.repaired) repaired, \(report.unrepairable) could not be repaired")
            print("sink: \(rebuilt?.message ?? "sound (PRAGMA quick_check ok)")")
            print("audit: \(exact ? "EXACT" : "NOT EXACT") — \(v.committedTransfers) transfers committed, \(v.lost) lost, \(v.duplicated) duplicated, money \(v.moneyConserved ? "conserved" : "NOT conserved")")
        }
        if !exact || report.unrepairable > 0 { throw ExitCode(1) }
    }
}
