import ArgumentParser
import Engine

/// `firedrill scrub`: verify (and repair) every stored shard of a data directory.
struct ScrubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scrub",
        abstract: "Re-read every checkpoint shard, verify its CRC32C against the manifest, and with --repair rewrite bad ones from the others.",
        discussion: "Exit 0 when every shard is intact (or was repaired), 1 when anything could not be repaired, 2 for bad flags or a data directory that is not one."
    )

    @Option(help: "Data directory.")
    var data: String = "./firedrill-data"

    @Flag(help: "Rewrite corrupt or missing shards from the intact ones.")
    var repair = false

    @Flag(help: "Print counts as JSON: checked, corrupt, missing, repaired, unrepairable.")
    var json = false

    func run() throws {
        do { try DataDirectory.checkPath(data) } catch { throw ValidationError(error.description) }
        let disk = FileDisk(root: data)
        let format: DataDirectory.Format
        do { format = try DataDirectory.readFormat(disk, label: data) } catch { throw ValidationError(error.description) }
        let store: ShardStore
        do { store = try ShardStore(disk: disk, nodes: format.nodes, dataShards: format.dataShards, parityShards: format.parityShards) } catch {
            throw ValidationError(error.description)
        }
        let report: ScrubReport
        do { report = try store.scrubAll(repair: repair) } catch { throw RuntimeFailure("\(error)") }
        let unrepaired = report.corrupt + report.missing - report.repaired
        if json {
            print("{\"checked\": \(report.checked), \"corrupt\": \(report.corrupt), \"missing\": \(report.missing), \"repaired\": \(report.repaired), \"unrepairable\": \(max(report.unrepairable, repair ? report.unrepairable : unrepaired))}")
        } else {
            for f in report.findings { print(f) }
            print("scrub: \(report.checked) shards checked, \(report.corrupt) corrupt, \(report.missing) missing, \(report.repaired) repaired, \(max(0, unrepaired)) not repaired\(repair || unrepaired == 0 ? "" : " (run with --repair)")")
        }
        if unrepaired > 0 { throw ExitCode(1) }
    }
}
