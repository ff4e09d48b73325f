import Engine
import Foundation
import Synchronization

/// Judges any job whose output is files of lines with a sequence number (or id) per record:
/// per key, ids missing between the lowest and highest seen (lost), ids seen twice
/// (duplicated), ids lower than the one before in the same file (out of order), and, with
/// `value` and `sum`, rows whose running sum is not the sum of the values before it (wrong).
/// Only committed part files are read; each once (Flink never changes a committed file).
public final class FileAudit: OutputAudit, @unchecked Sendable {
    public let spec: AuditSpec
    let lock = NSLock()
    var read: Set<String> = []
    /// Per key: id → (value, sum) of its first row.
    var rows: [String: [Int64: (value: Int64, sum: Int64)]] = [:]
    var duplicates: Int64 = 0
    var outOfOrder: Int64 = 0
    var malformed = 0
    var firstMalformed: String?
    var firstOutOfOrder: String?
    var current = LedgerAuditor.Verdict()
    var problem: String?

    public init(spec: AuditSpec) { self.spec = spec }

    public var verdict: LedgerAuditor.Verdict { lock.withLock { current } }
    public var auditVerdict: AuditVerdict { verdict.plainAuditVerdict }
    public var failure: String? { lock.withLock { problem } }

    /// Checks that the spec's columns are in the first committed file (when there is one):
    /// a spec naming a column that is not there is refused before anything runs.
    public func check() throws(FlinkError) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: spec.directory, isDirectory: &isDir), isDir.boolValue else {
            throw .malformed(url: "--audit dir", expected: "the job's output directory", why: "'\(spec.directory)' is not a directory")
        }
        guard let first = files().first, let data = FileManager.default.contents(atPath: spec.directory + "/" + first),
              let line = String(decoding: data.prefix(65_536), as: UTF8.self).split(whereSeparator: \.isNewline).first else { return }
        let columns = [spec.id, spec.key, spec.value, spec.sum].compactMap { $0 }
        switch spec.format {
        case .csv:
            let header = Self.split(String(line))
            for c in columns {
                switch c {
                case let .name(n) where !header.contains(n):
                    throw .malformed(url: "--audit", expected: "column '\(n)' in \(first)'s header line", why: "its header is \(header.joined(separator: ","))")
                case let .position(p) where p > header.count:
                    throw .malformed(url: "--audit", expected: "column #\(p) in \(first)", why: "its lines have \(header.count) columns")
                case .name, .position: continue
                }
            }
        case .json:
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                throw .malformed(url: "--audit", expected: "JSON lines (format=json) in \(first)", why: "its first line is not a JSON object")
            }
            for case let .name(n) in columns where object[n] == nil {
                throw .malformed(url: "--audit", expected: "field '\(n)' in \(first)'s lines", why: "it has \(object.keys.sorted().joined(separator: ", "))")
            }
        }
    }

    func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: spec.directory)) ?? []).filter(AuditSpec.isCommitted).sorted()
    }

    @discardableResult
    public func refresh(final: Bool = false) -> Int {
        lock.lock()
        defer { lock.unlock() }
        guard FileManager.default.fileExists(atPath: spec.directory) else {
            problem = "\(spec.directory): the output directory is gone"
            return 0
        }
        problem = nil
        var fresh = 0
        for name in files() where !read.contains(name) {
            guard let data = FileManager.default.contents(atPath: spec.directory + "/" + name) else { continue }
            read.insert(name)
            fresh += 1
            take(data, file: name)
        }
        judge()
        return fresh
    }

    func take(_ data: Data, file: String) {
        var lastInFile: [String: Int64] = [:]
        var header: [String]?
        for (i, raw) in String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let fields: (String) -> String?
            switch spec.format {
            case .csv:
                let cells = Self.split(line)
                if i == 0, header == nil, [spec.id, spec.key, spec.value, spec.sum].contains(where: { if case .name = $0 { true } else { false } }) {
                    header = cells
                    continue
                }
                fields = { name in header?.firstIndex(of: name).flatMap { $0 < cells.count ? cells[$0] : nil } }
                guard let id = value(spec.id, cells: cells, named: fields).flatMap(Int64.init) else { bad(file, i + 1); continue }
                record(id: id, key: spec.key.flatMap { value($0, cells: cells, named: fields) } ?? "", cells: cells, named: fields, file: file, line: i + 1, last: &lastInFile)
            case .json:
                guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { bad(file, i + 1); continue }
                fields = { name in object[name].map { v in (v as? NSNumber).map { "\($0)" } ?? "\(v)" } }
                guard let id = value(spec.id, cells: [], named: fields).flatMap(Int64.init) else { bad(file, i + 1); continue }
                record(id: id, key: spec.key.flatMap { value($0, cells: [], named: fields) } ?? "", cells: [], named: fields, file: file, line: i + 1, last: &lastInFile)
            }
        }
    }

    func value(_ c: AuditSpec.Column, cells: [String], named: (String) -> String?) -> String? {
        switch c {
        case let .position(p): p <= cells.count ? cells[p - 1] : nil
        case let .name(n): named(n)
        }
    }

    func record(id: Int64, key: String, cells: [String], named: (String) -> String?, file: String, line: Int, last: inout [String: Int64]) {
        var v: Int64 = 0, s: Int64 = 0
        if let vc = spec.value, let sc = spec.sum {
            guard let a = value(vc, cells: cells, named: named).flatMap(Int64.init), let b = value(sc, cells: cells, named: named).flatMap(Int64.init) else {
                bad(file, line)
                return
            }
            (v, s) = (a, b)
        }
        if let before = last[key], id < before {
            outOfOrder += 1
            if firstOutOfOrder == nil { firstOutOfOrder = "\(file):\(line): id \(id) after \(before)\(key.isEmpty ? "" : " for key \(key)")" }
        }
        last[key] = id
        if rows[key]?[id] != nil { duplicates += 1 } else { rows[key, default: [:]][id] = (v, s) }
    }

    func bad(_ file: String, _ line: Int) {
        malformed += 1
        if firstMalformed == nil { firstMalformed = "\(spec.directory)/\(file):\(line)" }
    }

    func judge() {
        var v = LedgerAuditor.Verdict()
        v.files = read.count
        var lost: Int64 = 0, wrong: Int64 = 0, records: Int64 = 0
        var firstGap: String?, firstWrong: String?
        for (key, byId) in rows {
            let ids = byId.keys.sorted()
            records += Int64(ids.count)
            var running: Int64 = 0
            var previous: Int64?
            for id in ids {
                if let p = previous, id - p > 1 {
                    lost += id - p - 1
                    if firstGap == nil { firstGap = "ids \(p + 1)…\(id - 1) missing\(key.isEmpty ? "" : " for key \(key)")" }
                }
                previous = id
                guard spec.sum != nil, let row = byId[id] else { continue }
                running += row.value
                if row.sum != running {
                    wrong += 1
                    if firstWrong == nil { firstWrong = "id \(id)\(key.isEmpty ? "" : " of key \(key)"): sum \(row.sum), the values add up to \(running)" }
                    running = row.sum  // one wrong row, not every row after it
                }
            }
        }
        v.transfers = records
        v.rows = records
        v.lost = lost
        v.duplicated = duplicates
        v.wrong = wrong + outOfOrder
        v.malformed = malformed
        v.firstMalformed = firstMalformed
        v.firstProblem = firstGap ?? firstWrong ?? firstOutOfOrder.map { "out of order: \($0)" } ?? (duplicates > 0 ? "\(duplicates) ids seen twice" : nil)
        current = v
    }

    /// A CSV line's cells (double quotes group a cell; `""` is a quote inside one).
    static func split(_ line: String) -> [String] {
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var chars = Array(line)[...]
        while let ch = chars.popFirst() {
            if quoted {
                if ch == "\"" { if chars.first == "\"" { cell.append("\""); chars.removeFirst() } else { quoted = false } } else { cell.append(ch) }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                cells.append(cell.trimmingCharacters(in: .whitespaces))
                cell = ""
            } else {
                cell.append(ch)
            }
        }
        cells.append(cell.trimmingCharacters(in: .whitespaces))
        return cells
    }
}
