/// Which checkpoint a shard fault aims at.
public enum CheckpointRef: Sendable, Equatable, Codable, CustomStringConvertible {
    case latest
    case id(UInt64)
    public var description: String {
        switch self {
        case .latest: "latest"
        case let .id(i): String(i)
        }
    }
}

/// Every operator action and fault, shared by the dashboard's keys, its command line and
/// the drills: one vocabulary, one parser.
public enum Command: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The node dies: its memory, queues and standby copies are gone.
    case kill(Int)
    /// The node stops processing and heartbeating, keeping its memory.
    case hang(Int)
    /// The node sleeps this many seconds per batch (it stays alive: backpressure).
    case slow(Int, Double)
    /// One bit of the next frame the node sends flips on the wire.
    case corruptFrame(Int)
    /// The node's frames and heartbeats are dropped, both ways.
    case partition(Int)
    /// One bit of a stored shard file flips.
    case corruptShard(CheckpointRef, Int)
    /// A stored shard file disappears.
    case deleteShard(CheckpointRef, Int)
    /// The node's disk directory is deleted.
    case wipeDisk(Int)
    /// Ends the faults on one node (nil: on every node) and lets quarantined nodes rejoin.
    case heal(Int?)
    case checkpointNow
    /// Rolls the job back to the last complete checkpoint and replays.
    case recoverNow
    /// Restarts a node as a new incarnation (a clean kill followed by recovery).
    case restart(Int)
    /// An attached cluster takes a savepoint (the embedded engine has none).
    case savepoint
    /// One bit of a file of an attached cluster's retained checkpoint flips (a named file of
    /// it, else its largest state file).
    case corruptCheckpoint(CheckpointRef, file: String?)
    /// A bit rots in a page of the sink's database file (`sink.db`) that its next
    /// transaction reads: SQLite finds it, the engine rebuilds the sink from a checkpoint.
    case corruptSink
    /// The `n`-th write to the node disks from now tears — only part of it lands, an atomic
    /// write stops before its rename — as a crash in the middle of it would: the checkpoint
    /// being written is left torn. `heal all` cancels one that has not happened yet.
    case tearWrite(Int)
    /// Money moves between two committed rows of the sink (`RowShuffle`): the file stays
    /// valid and the money conserved, the rows are wrong; the auditor must find it.
    case corruptRows

    /// The node number that stands for "the busiest": on an attached cluster, the TaskManager
    /// hosting the most subtasks when the command runs (`kill tm busiest`).
    public static let busiest = -1

    /// The furthest write from now `tear write N` can aim at.
    public static let maxTornWrite = 1000

    /// The text form, which `parse` reads back.
    public var description: String {
        func n(_ i: Int) -> String { i == Self.busiest ? "busiest" : String(i) }
        return switch self {
        case let .kill(i): "kill \(n(i))"
        case let .hang(i): "hang \(n(i))"
        case let .slow(n, d): "slow \(n) \(Int((d * 1000).rounded()))ms"
        case let .corruptFrame(n): "corrupt frame \(n)"
        case let .partition(n): "partition \(n)"
        case let .corruptShard(c, s): "corrupt shard \(c) \(s)"
        case let .deleteShard(c, s): "delete shard \(c) \(s)"
        case let .wipeDisk(n): "wipe \(n)"
        case let .heal(n): "heal \(n.map(String.init) ?? "all")"
        case .checkpointNow: "checkpoint"
        case .recoverNow: "recover"
        case let .restart(n): "restart \(n)"
        case .savepoint: "savepoint"
        case let .corruptCheckpoint(c, file): "corrupt checkpoint \(c)\(file.map { " " + $0 } ?? "")"
        case .corruptSink: "corrupt sink"
        case let .tearWrite(n): "tear write \(n)"
        case .corruptRows: "corrupt rows"
        }
    }

    /// Whether the command destroys data (the dashboard asks before it runs these).
    public var isDestructive: Bool {
        switch self {
        case .wipeDisk, .deleteShard, .corruptShard, .corruptCheckpoint, .corruptSink, .tearWrite, .corruptRows: true
        case .kill, .hang, .slow, .corruptFrame, .partition, .heal, .checkpointNow, .recoverNow, .restart, .savepoint: false
        }
    }

    /// The command lines `parse` understands, for help and errors.
    public static let grammar = [
        "kill N", "hang N", "slow N [DURATION]", "corrupt frame N", "partition N",
        "corrupt shard CHECKPOINT|latest SHARD", "delete shard CHECKPOINT|latest SHARD", "wipe N",
        "heal N|all", "checkpoint", "recover", "restart N", "corrupt sink", "tear write N", "corrupt rows",
    ]

    /// The lines an attached Flink cluster understands (N: a TaskManager's number or id).
    public static let flinkGrammar = [
        "kill tm N|busiest", "hang tm N|busiest", "heal tm N|all", "restart tm N", "checkpoint", "savepoint", "corrupt checkpoint latest|ID [FILE]",
    ]

    /// Parses typed command text. `nodes` bounds node numbers; `shards` bounds shard numbers.
    /// `names` (an attached cluster's node names, like `tm-0`) are accepted for node numbers,
    /// and `tm` before one is a filler word (`kill tm 1`).
    public static func parse(_ text: String, nodes: Int, shards: Int, names: [String] = []) throws(CommandError) -> Command {
        var words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }
        if words.count > 2, words[1] == "tm" || words[1] == "taskmanager", ["kill", "hang", "heal", "restart", "pause"].contains(words[0]) { words.remove(at: 1) }
        let lowerNames = names.map { $0.lowercased() }
        guard let verb = words.first else { throw CommandError("empty command; try one of: \(grammar.joined(separator: ", "))") }
        func node(_ i: Int) throws(CommandError) -> Int {
            guard i < words.count else { throw CommandError("'\(verb)' needs a node number (0-\(nodes - 1))") }
            if let named = lowerNames.firstIndex(of: words[i]) { return named }
            if !names.isEmpty, words[i] == "busiest", ["kill", "hang", "pause"].contains(verb) { return busiest }
            guard let n = Int(words[i]), n >= 0, n < nodes else {
                throw CommandError("'\(words[i])' is not a node: nodes are 0-\(nodes - 1)")
            }
            return n
        }
        func end(_ count: Int) throws(CommandError) {
            guard words.count <= count else { throw CommandError("unexpected '\(words[count...].joined(separator: " "))' after '\(words[..<count].joined(separator: " "))'") }
        }
        func checkpoint(_ i: Int) throws(CommandError) -> CheckpointRef {
            guard i < words.count else { throw CommandError("'\(words[..<i].joined(separator: " "))' needs a checkpoint id or 'latest'") }
            if words[i] == "latest" { return .latest }
            guard let id = UInt64(words[i]), id > 0 else { throw CommandError("'\(words[i])' is not a checkpoint: give its id or 'latest'") }
            return .id(id)
        }
        func shard(_ i: Int) throws(CommandError) -> Int {
            guard i < words.count else { throw CommandError("'\(words[..<i].joined(separator: " "))' needs a shard number (0-\(shards - 1))") }
            guard let s = Int(words[i]), s >= 0, s < shards else { throw CommandError("'\(words[i])' is not a shard: shards are 0-\(shards - 1)") }
            return s
        }
        switch verb {
        case "kill": let n = try node(1); try end(2); return .kill(n)
        case "hang", "pause": let n = try node(1); try end(2); return .hang(n)
        case "slow":
            let n = try node(1)
            var delay = 0.005
            if words.count > 2 {
                // Whole milliseconds, so the command prints as exactly what it does (found by
                // fuzzing: 8.8888888s printed as 8.9s).
                guard let d = DurationText.parse(words[2]), (d * 1000).rounded() >= 1, d <= 10 else {
                    throw CommandError("'\(words[2])' is not a delay: give a duration from 1ms up to 10s, like 5ms")
                }
                delay = (d * 1000).rounded() / 1000
            }
            try end(3)
            return .slow(n, delay)
        case "corrupt", "flip":
            guard words.count > 1 else { throw CommandError("'corrupt' needs 'frame N', 'shard CHECKPOINT SHARD', 'sink' or 'rows'") }
            switch words[1] {
            case "frame", "link": let n = try node(2); try end(3); return .corruptFrame(n)
            case "shard": let c = try checkpoint(2); let s = try shard(3); try end(4); return .corruptShard(c, s)
            case "sink": try end(2); return .corruptSink
            case "rows": try end(2); return .corruptRows
            case "checkpoint":
                let c = try checkpoint(2)
                // The file name keeps its case: take it from the text as typed.
                let typed = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
                let file = typed.count > 3 ? String(typed[3]) : nil
                try end(4)
                return .corruptCheckpoint(c, file: file)
            default: throw CommandError("'corrupt \(words[1])': expected 'corrupt frame N', 'corrupt shard CHECKPOINT SHARD', 'corrupt sink', 'corrupt rows' or 'corrupt checkpoint CHECKPOINT [FILE]'")
            }
        case "delete":
            guard words.count > 1, words[1] == "shard" else { throw CommandError("expected 'delete shard CHECKPOINT SHARD'") }
            let c = try checkpoint(2); let s = try shard(3); try end(4)
            return .deleteShard(c, s)
        case "partition", "isolate": let n = try node(1); try end(2); return .partition(n)
        case "wipe": let n = try node(1); try end(2); return .wipeDisk(n)
        case "heal":
            if words.count == 1 || words[1] == "all" { try end(2); return .heal(nil) }
            let n = try node(1); try end(2); return .heal(n)
        case "checkpoint": try end(1); return .checkpointNow
        case "savepoint": try end(1); return .savepoint
        case "recover": try end(1); return .recoverNow
        case "restart": let n = try node(1); try end(2); return .restart(n)
        case "tear":
            guard words.count > 1, words[1] == "write" else { throw CommandError("expected 'tear write N' (N: the write from now that tears, 1-\(Self.maxTornWrite))") }
            guard words.count > 2 else { throw CommandError("'tear write' needs N: the write from now that tears, 1-\(Self.maxTornWrite)") }
            guard let n = Int(words[2]), n >= 1, n <= Self.maxTornWrite else {
                throw CommandError("'\(words[2])' is not a write: give 1-\(Self.maxTornWrite) (1: the next write)")
            }
            try end(3)
            return .tearWrite(n)
        default:
            throw CommandError("unknown command '\(verb)'; try one of: \(grammar.joined(separator: ", "))")
        }
    }
}

/// Command text that does not parse, or a command that cannot act, with why.
public struct CommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    /// The storage error behind it (with its path), when a disk act failed.
    public var disk: DiskError?
    public init(_ d: String) { description = d }
    /// A disk act that failed.
    public init(_ e: DiskError) {
        description = e.description
        disk = e
    }
}

extension Command {
    /// The node a command is about, if one.
    public var node: Int? {
        switch self {
        case let .kill(n), let .hang(n), let .slow(n, _), let .corruptFrame(n), let .partition(n), let .wipeDisk(n), let .restart(n): n
        case let .heal(n): n
        case .corruptShard, .deleteShard, .checkpointNow, .recoverNow, .savepoint, .corruptCheckpoint, .corruptSink, .tearWrite, .corruptRows: nil
        }
    }
}
