import Engine
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A session's events and snapshots over time as JSON Lines (`--record FILE`): a header
/// (format, version, the job's facts), then events, fault receipts and snapshots as they
/// come, with times in seconds since the session or drill began. Each snapshot line holds
/// the figures scripts read and, under `frame`, the whole cluster as the dashboard draws it;
/// each receipt line the receipt whole under `receipt`: `firedrill replay` draws every panel
/// from these. Lines go to `FILE.partial` as they happen; `close` fsyncs it and renames it
/// over `FILE`, so a whole earlier record is never replaced by a half-written one.
public final class DrillRecord {
    /// Seconds between snapshot lines (the board samples its totals about as often).
    public static let frameInterval = 0.2

    let path: String
    private let file: PartialFile
    private var lastWritten: EngineEvent?
    /// Per receipt id, the version last written (a receipt is written again when it changes).
    private var receiptsWritten: [Int: FaultReceipt] = [:]
    /// Per checkpoint id, the entry last written in a frame (a frame holds the ones that changed).
    private var checkpointsWritten: [UInt64: ClusterSnapshot.Checkpoint] = [:]
    /// The recoveries last written in a frame (a frame holds them only when they changed).
    private var recoveriesWritten: [ClusterSnapshot.Recovery]?

    /// Opens `path.partial` for writing and writes the header.
    public init(path: String, header: RecordHeader) throws(FileError) {
        self.path = path
        do throws(DurableFileError) { file = try PartialFile(path: path) } catch {
            throw FileError(file: path, line: 0, "cannot write the record: \(error.reason)")
        }
        write(header.line)
    }

    /// Writes one line.
    public func write(_ line: String) {
        file.write(line + "\n")
    }

    /// Writes the events not written yet. The log is newest last and keeps only its most
    /// recent entries, so the new ones are those after the last event written.
    public func writeNewEvents(_ events: [EngineEvent]) {
        writeAll(events.after(lastWritten))
    }

    private func writeAll(_ events: [EngineEvent]) {
        guard let newest = events.last else { return }
        lastWritten = newest
        for e in events {
            write(JSON.object([
                ("t", JSON.number(e.time)), ("type", JSON.string("event")), ("kind", JSON.string(e.kind.rawValue)),
                ("name", JSON.string(e.name)), ("node", e.node.map(String.init) ?? "null"), ("message", JSON.string(e.message)),
            ]))
        }
    }

    /// Writes each receipt that is new or changed since it was last written, whole: the last
    /// line of a receipt's id is its final state.
    public func writeReceipts(_ receipts: [FaultReceipt], time: Double) {
        for r in receipts where receiptsWritten[r.id] != r {
            receiptsWritten[r.id] = r
            write(Self.receiptLine(r, time: time))
        }
    }

    /// A receipt as one JSON object: the fault, each step with its technique, time and words.
    public static func receiptLine(_ r: FaultReceipt, time: Double) -> String {
        let story = r.story
        let steps = story.indices.map { i in
            JSON.object([
                ("at", JSON.number(story[i].at)), ("step", JSON.string(story[i].step.name)),
                ("technique", JSON.string(story[i].step.technique.rawValue)), ("text", JSON.string(r.text(story[i].step, after: r.elapsed(story, i)))),
            ])
        }
        return JSON.object([
            ("t", JSON.number(time)), ("type", JSON.string("receipt")), ("id", String(r.id)),
            ("fault", r.fault.map { JSON.string($0.description) } ?? "null"), ("title", JSON.string(r.title)),
            ("node", r.node.map(String.init) ?? "null"), ("at", JSON.number(r.at)), ("healedAt", r.healedAt.map(JSON.number) ?? "null"),
            ("status", JSON.string(r.status.rawValue)), ("steps", JSON.array(steps)), ("waiting", r.waiting.map(JSON.string) ?? "null"),
            ("line", JSON.string(r.line)), ("receipt", encoded(r)),
        ])
    }

    /// A value as compact JSON (`null` if it cannot be encoded, which the types written here
    /// never are: they hold numbers, strings and their own enums only).
    static func encoded<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Flushes, fsyncs and renames the record into place (`PartialFile`).
    public func close() throws(FileError) {
        do throws(DurableFileError) { try file.finish() } catch {
            throw FileError(file: path, line: 0, "cannot finish the record: \(error.description)")
        }
    }

    /// A checkpoint id, or `null`.
    static func optional(_ id: UInt64?) -> String { id.map(String.init) ?? "null" }

    /// Writes a snapshot line; the snapshot's times must already be the record's (`rebased`).
    /// Its frame holds the checkpoints that changed since the last frame and the recoveries
    /// only when they changed (`RecordFrame`).
    public func writeSnapshot(_ s: ClusterSnapshot, time: Double) {
        var frame = RecordFrame(snapshot: s, checkpointIds: s.checkpoints.map(\.id), recoveriesChanged: recoveriesWritten != s.recoveries)
        frame.snapshot.checkpoints = s.checkpoints.filter { checkpointsWritten[$0.id] != $0 }
        if !frame.recoveriesChanged { frame.snapshot.recoveries = [] }
        checkpointsWritten = Dictionary(s.checkpoints.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        recoveriesWritten = s.recoveries
        write(Self.snapshotLine(s, time: time, frame: Self.encoded(frame)))
    }

    /// A snapshot as one JSON object: the figures scripts read, and `frame` (encoded).
    static func snapshotLine(_ s: ClusterSnapshot, time: Double, frame: String) -> String {
        let nodes = s.nodes.map { n in
            JSON.object([
                ("id", String(n.id)), ("health", JSON.string(n.health.rawValue)), ("phi", JSON.number(n.phi)),
                ("queue", String(n.queueDepth)), ("updatesPerSecond", JSON.number(n.updatesPerSecond)), ("restarts", String(n.restarts)),
            ])
        }
        return JSON.object([
            ("t", JSON.number(time)), ("type", JSON.string("snapshot")), ("produced", String(s.produced)),
            ("producedPerSecond", JSON.number(s.producedPerSecond)), ("committedPerSecond", JSON.number(s.committedPerSecond)),
            ("committedTransfers", String(s.sinkCommittedTransfers)), ("auditedTransfers", String(s.audit.committedTransfers)),
            ("committedCheckpoint", optional(s.committedCheckpoint)), ("auditedCheckpoint", optional(s.auditedCheckpoint)),
            ("newestCheckpoint", optional(s.newestCheckpoint)), ("verdictAge", JSON.number(s.verdictAge)),
            ("heldForAudit", String(s.heldForAudit)), ("exact", String(s.audit.exact)),
            ("lost", String(s.audit.lost)), ("duplicated", String(s.audit.duplicated)), ("moneyConserved", String(s.audit.moneyConserved)),
            ("checkpointsCompleted", String(s.checkpointsCompleted)), ("recovering", String(s.recovering)),
            ("latencyP99Ms", JSON.number(Double(s.latencyP99) / 1e6)), ("nodes", JSON.array(nodes)),
            ("frame", frame),
        ])
    }
}
