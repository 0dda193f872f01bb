import Foundation
import GRDB
import IncidentStore

/// Export and import of lists, so another system (a prison's records, a national database) can
/// produce or consume them. JSON carries everything, embeddings included (base64 of 128
/// little-endian float32); CSV carries what a spreadsheet can (no embeddings) and, for plates, is
/// the very format `add-plates` reads.
extension Watchlist {
    public struct Export: Sendable, Codable, Equatable {
        public var format = "forensic-watchlist"
        public var version = 1
        public var list: String
        public var kind: Kind
        public var description: String
        public var entries: [Entry]

        public init(list: String, kind: Kind, description: String, entries: [Entry]) {
            self.list = list; self.kind = kind; self.description = description; self.entries = entries
        }
    }

    public func export(list name: String) throws -> Export {
        let (kind, entries) = try entries(list: name, embeddings: true)
        let description = try db.read { try String.fetchOne($0, sql: "SELECT description FROM list WHERE name = ?", arguments: [name]) } ?? ""
        return Export(list: name, kind: kind, description: description, entries: entries)
    }

    public func exportJSON(list name: String) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(try export(list: name))
    }

    /// Plates: `plate,reason,notes,max_distance` (what `add-plates` reads). Faces:
    /// `id,name,notes,photo_sha256,photo_file,quality`, one row per enrolled photo.
    public func exportCSV(list name: String) throws -> String {
        let e = try export(list: name)
        func field(_ s: String) -> String {
            s.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines: [String]
        switch e.kind {
        case .plates:
            lines = ["plate,reason,notes,max_distance"] + e.entries.map { x in
                [x.plate ?? x.id, x.reason ?? "", x.notes, String(x.maxDistance ?? 1)].map(field).joined(separator: ",")
            }
        case .faces:
            lines = ["id,name,notes,photo_sha256,photo_file,quality"] + e.entries.flatMap { x in
                (x.photos ?? []).map { p in [x.id, x.name, x.notes, p.sha256, p.file, String(format: "%.3f", p.quality)].map(field).joined(separator: ",") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Imports a JSON export: creates the list (or adds to an existing list of the same kind),
    /// keeping each entry's provenance (source, who added it and when). An id already in the list
    /// with another name is refused and reported; the same person gains the photos they lack.
    /// One transaction: a file that does not parse, or is of the wrong kind, imports nothing.
    public func importJSON(_ path: String, into target: String? = nil) throws -> EnrolmentReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(file: path, reason: "cannot read")
        }
        let file: Export
        do { file = try JSONDecoder().decode(Export.self, from: data) } catch {
            throw StoreError(file: path, reason: "not a watchlist export (\(Self.describe(error)))")
        }
        guard file.format == "forensic-watchlist", file.version == 1 else {
            throw StoreError(file: path, reason: "not a forensic-watchlist version 1 export (format \(file.format), version \(file.version))")
        }
        let name = target ?? file.list
        var report = EnrolmentReport(list: name)
        try db.write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM list WHERE name = ?", arguments: [name]) == 0 {
                guard Self.validName(name) else { throw StoreError(file: path, reason: "list name '\(name)' is not valid") }
                try db.execute(sql: "INSERT INTO list (name, kind, description, created_by, created_utc) VALUES (?, ?, ?, ?, ?)",
                               arguments: [name, file.kind.rawValue, file.description, Incident.currentUser, Date().timeIntervalSince1970])
            }
            let l = try list(name, db)
            guard l.kind == file.kind else {
                throw StoreError(file: path, reason: "the export holds \(file.kind.rawValue); list '\(name)' holds \(l.kind.rawValue)")
            }
            for (i, e) in file.entries.enumerated() {
                let source = "\(path): entry \(i + 1) (\(e.id))"
                guard Self.validName(e.id) else { report.skipped.append(.init(source: source, reason: "id is not valid")); continue }
                let added = parseISOTime(e.added)?.timeIntervalSince1970
                if l.kind == .plates {
                    guard let plate = e.plate, let p = try? PlatePattern(plate).normalised, !p.contains("?"), !p.contains("*") else {
                        report.skipped.append(.init(source: source, reason: "no valid plate")); continue
                    }
                    guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entry WHERE list_id = ? AND ref = ?", arguments: [l.id, e.id]) == 0 else {
                        report.skipped.append(.init(source: source, reason: "already in \(name)")); continue
                    }
                    let entry = try entryID(db, list: l.id, listName: name, ref: e.id, name: e.name, notes: e.notes, source: e.source,
                                            addedBy: e.addedBy.isEmpty ? nil : e.addedBy, added: added)
                    try db.execute(sql: "INSERT INTO plate (entry_id, text, reason, max_distance) VALUES (?, ?, ?, ?)",
                                   arguments: [entry.id, p, e.reason ?? "", min(3, max(0, e.maxDistance ?? 1))])
                    report.added += 1
                } else {
                    let photos = (e.photos ?? []).compactMap { p -> (Photo, Data)? in
                        guard let b64 = p.embedding, let d = Data(base64Encoded: b64), d.count == 128 * 4,
                              embeddingFloats(d).allSatisfy(\.isFinite) else { return nil }
                        return (p, d)
                    }
                    guard !photos.isEmpty, photos.count == (e.photos ?? []).count else {
                        report.skipped.append(.init(source: source, reason: "a photo without a valid 128-value embedding")); continue
                    }
                    let entry: (id: Int64, new: Bool)
                    do {
                        entry = try entryID(db, list: l.id, listName: name, ref: e.id, name: e.name, notes: e.notes, source: e.source,
                                            addedBy: e.addedBy.isEmpty ? nil : e.addedBy, added: added)
                    } catch let x as EntryRefused {
                        report.skipped.append(.init(source: source, reason: x.reason)); continue
                    }
                    if entry.new { report.added += 1 } else { report.merged += 1 }
                    for (p, d) in photos {
                        try db.execute(sql: """
                            INSERT OR IGNORE INTO face_photo (entry_id, sha256, file, quality, embedding, chip, model) VALUES (?, ?, ?, ?, ?, NULL, ?)
                            """, arguments: [entry.id, p.sha256, p.file, p.quality, d, p.model])
                        report.photos += db.changesCount
                    }
                }
            }
            try Audit.append(db, actor: Incident.currentUser, action: "import",
                             detail: "\(name) from \(path): \(report.added) new, \(report.merged) merged, \(report.photos) photos, \(report.skipped.count) left out")
        }
        return report
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return "invalid JSON: \(c.debugDescription)"
        case DecodingError.keyNotFound(let k, let c): return "missing '\(k.stringValue)'" + (c.codingPath.isEmpty ? "" : " in \(c.codingPath.map(\.stringValue).joined(separator: "."))")
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}
