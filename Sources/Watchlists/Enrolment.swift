import Crypto
import Foundation
import GRDB
import IncidentStore
import RecognitionKit
import SwiftCSV
import VideoDecode

/// What an enrolment did: the rows enrolled and every row or photo left out with its reason.
public struct EnrolmentReport: Sendable, Codable {
    public var list: String
    /// New entries (people or plates).
    public var added = 0
    /// Photos stored (face lists).
    public var photos = 0
    /// Entries that existed and gained photos.
    public var merged = 0
    public var skipped: [Skipped] = []

    public struct Skipped: Sendable, Codable {
        /// `FILE:LINE` for a CSV row, else the photo's path.
        public var source: String
        public var reason: String
    }
}

/// Enrols people (face photos) and vehicles (plates) into a list. Each call is one transaction:
/// what is good goes in together, what is not is reported with its reason and left out.
extension Watchlist {
    /// A person to enrol: id in the source system, name, photos, notes, and where the row came from.
    public struct PersonRow: Sendable {
        public var id: String, name: String, photos: [String], notes: String, source: String
    }

    /// `DIR/<person id>/*.jpg|png|bmp`: one subfolder per person, named by their id.
    public static func people(inFolder dir: String) throws -> [PersonRow] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw StoreError(file: dir, reason: "not a folder (expected one subfolder of photos per person, named by id)")
        }
        var rows: [PersonRow] = []
        for sub in try fm.contentsOfDirectory(atPath: dir).sorted() where !sub.hasPrefix(".") {
            let path = (dir as NSString).appendingPathComponent(sub)
            guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { continue }
            let photos = try fm.contentsOfDirectory(atPath: path).sorted()
                .filter { ["jpg", "jpeg", "png", "bmp"].contains(($0 as NSString).pathExtension.lowercased()) }
                .map { (path as NSString).appendingPathComponent($0) }
            rows.append(PersonRow(id: sub, name: "", photos: photos, notes: "", source: path))
        }
        guard !rows.isEmpty else { throw StoreError(file: dir, reason: "no person folders in it (expected DIR/<id>/photo.jpg)") }
        return rows
    }

    /// `id,name,photo[,notes]` (header required; photo paths relative to the CSV's folder). Rows
    /// with problems come back as skipped, by line number; a person may have several rows.
    public static func people(inCSV path: String) throws -> (rows: [PersonRow], skipped: [EnrolmentReport.Skipped]) {
        let (csv, malformed) = try readCSV(path, header: ["id", "name", "photo"], optional: ["notes"])
        let base = (path as NSString).deletingLastPathComponent
        var rows: [PersonRow] = [], skipped = malformed
        for (line, f) in csv {
            let source = "\(path):\(line)"
            guard validName(f["id"]!) else {
                skipped.append(.init(source: source, reason: "id '\(f["id"]!)' must be 1–64 letters, digits, '-', '_' or '.'")); continue
            }
            let photo = f["photo"]!
            guard !photo.isEmpty else { skipped.append(.init(source: source, reason: "no photo given")); continue }
            let resolved = photo.hasPrefix("/") ? photo : (base as NSString).appendingPathComponent(photo)
            rows.append(PersonRow(id: f["id"]!, name: f["name"]!, photos: [resolved], notes: f["notes"] ?? "", source: source))
        }
        return (rows, skipped)
    }

    /// Rows of a CSV as field dictionaries with their line numbers. The header must start with
    /// `header` (any case) and may add `optional` columns; a row with the wrong number of fields is
    /// skipped, named by its line.
    static func readCSV(_ path: String, header: [String], optional: [String]) throws
        -> (rows: [(line: Int, fields: [String: String])], skipped: [EnrolmentReport.Skipped])
    {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw StoreError(file: path, reason: "cannot read (missing, or not UTF-8 text)")
        }
        let csv: CSV<Enumerated>
        do { csv = try CSV<Enumerated>(string: text, delimiter: .comma, loadColumns: false) } catch {
            throw StoreError(file: path, reason: "malformed CSV: \(error)")
        }
        let found = csv.header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard Array(found.prefix(header.count)) == header, found.dropFirst(header.count).allSatisfy(optional.contains) else {
            throw StoreError(file: path, reason: "header must be '\((header + optional.map { "[\($0)]" }).joined(separator: ","))', found '\(csv.header.joined(separator: ","))'")
        }
        // SwiftCSV pads short rows with empty fields, which would hide a malformed row: the
        // records' real field counts and first lines come from `recordShapes`.
        let shapes = Array(recordShapes(text).dropFirst())
        guard shapes.count == csv.rows.count else {
            throw StoreError(file: path, reason: "malformed CSV (\(shapes.count) records by count, \(csv.rows.count) parsed)")
        }
        var out: [(Int, [String: String])] = [], skipped: [EnrolmentReport.Skipped] = []
        for (row, shape) in zip(csv.rows, shapes) {
            if row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard shape.fields == found.count else {
                skipped.append(.init(source: "\(path):\(shape.line)", reason: "expected \(found.count) fields, found \(shape.fields)")); continue
            }
            out.append((shape.line, Dictionary(uniqueKeysWithValues: zip(found, row.map { $0.trimmingCharacters(in: .whitespaces) }))))
        }
        return (out, skipped)
    }

    /// Finds the one face in each photo and enrols it. Left out, each with its reason: a file that
    /// cannot be read, is too large or is not a picture; no face; several faces (whose is it?); a
    /// face too small, blurred or turned to recognise. A person with no usable photo is not added.
    public func addFaces(list name: String, people: [PersonRow], skipped: [EnrolmentReport.Skipped] = [],
                         engine: FaceEngine) throws -> EnrolmentReport {
        var report = EnrolmentReport(list: name, skipped: skipped)
        struct Usable { var row: PersonRow; var photo: String; var sha: String; var face: Face }
        var usable: [Usable] = []
        for row in people {
            for photo in row.photos {
                do {
                    let face = try Self.singleFace(photo, engine: engine)
                    usable.append(Usable(row: row, photo: photo, sha: try sha256(of: photo), face: face))
                } catch {
                    report.skipped.append(.init(source: row.source.hasPrefix(photo) ? photo : "\(row.source) (\(photo))", reason: Self.reason(error)))
                }
            }
        }
        try db.write { db in
            let l = try list(name, db)
            guard l.kind == .faces else { throw StoreError(file: path, reason: "list '\(name)' holds plates, not faces") }
            var counted = Set<String>()
            for u in usable {
                let entry: (id: Int64, new: Bool)
                do {
                    entry = try entryID(db, list: l.id, listName: name, ref: u.row.id, name: u.row.name, notes: u.row.notes, source: u.row.source)
                } catch let e as EntryRefused {
                    report.skipped.append(.init(source: u.row.source, reason: e.reason)); continue
                }
                if counted.insert(u.row.id).inserted { if entry.new { report.added += 1 } else { report.merged += 1 } }
                try db.execute(sql: """
                    INSERT OR IGNORE INTO face_photo (entry_id, sha256, file, quality, embedding, chip, model) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [entry.id, u.sha, u.photo, u.face.quality.score, embeddingBlob(u.face.embedding),
                                     try? u.face.chip.jpegData(), engine.fingerprint])
                if db.changesCount > 0 { report.photos += 1 } else {
                    report.skipped.append(.init(source: u.photo, reason: "the same photo is already enrolled for '\(u.row.id)'"))
                }
            }
            try Audit.append(db, actor: Incident.currentUser, action: "add-faces",
                             detail: "\(name): \(report.added) new, \(report.merged) merged, \(report.photos) photos, \(report.skipped.count) left out")
        }
        return report
    }

    /// The one usable face of an enrolment photo.
    static func singleFace(_ photo: String, engine: FaceEngine) throws -> Face {
        guard FileManager.default.fileExists(atPath: photo) else { throw EnrolError("no such file") }
        let attributes = try FileManager.default.attributesOfItem(atPath: photo)
        guard attributes[.type] as? FileAttributeType == .typeRegular else { throw EnrolError("not a regular file") }
        guard ((attributes[.size] as? NSNumber)?.intValue ?? 0) <= 50_000_000 else { throw EnrolError("file is over 50 MB") }
        // Landmarks and chips need no more than ~2,000 px: a poster-size scan is read downscaled.
        let image = try StillImage.load(photo, maxWidth: 2048, maxHeight: 2048)
        let faces = try engine.faces(in: image, options: FaceOptions(), source: photo)   // the default detector, as indexing
        guard !faces.isEmpty else { throw EnrolError("no face found") }
        guard faces.count == 1 else { throw EnrolError("\(faces.count) faces (enrol photos of one person only)") }
        let q = faces[0].quality
        guard !q.isJunk else {
            throw EnrolError(String(format: "face unusable: %.0f px between the eyes (need 20), sharpness %.0f (need 15), frontal %.2f (need 0.4)",
                                    q.interEyePixels, q.sharpness, q.frontal))
        }
        return faces[0]
    }

    struct EnrolError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    static func reason(_ error: Error) -> String {
        if let e = error as? EnrolError { return e.description }
        if let e = error as? DecodeError { return e.reason }
        if let e = error as? RecognitionError { return e.reason }
        if let e = error as? StoreError { return e.reason }
        return (error as NSError).localizedDescription
    }

    /// `plate,reason,notes[,max_distance]` (header required). Plates are normalised as search
    /// normalises them (letters and digits, upper case); `max_distance` is the OCR-aware edit
    /// distance a read may be from the plate and still hit (default 1: one wrong character, or two
    /// OCR confusions such as 8/B; 0: exact only).
    public func addPlates(list name: String, csv path: String) throws -> EnrolmentReport {
        let (rows, malformed) = try Self.readCSV(path, header: ["plate", "reason", "notes"], optional: ["max_distance"])
        var report = EnrolmentReport(list: name, skipped: malformed)
        try db.write { db in
            let l = try list(name, db)
            guard l.kind == .plates else { throw StoreError(file: self.path, reason: "list '\(name)' holds faces, not plates") }
            for (line, f) in rows {
                let source = "\(path):\(line)"
                let plate: String
                do {
                    plate = try PlatePattern(f["plate"]!).normalised
                    guard !plate.contains("?"), !plate.contains("*") else { throw EnrolError("a wanted plate cannot hold wildcards") }
                } catch {
                    report.skipped.append(.init(source: source, reason: "plate '\(f["plate"]!)': \(Self.reason(error))")); continue
                }
                var allowance = 1.0
                if let s = f["max_distance"], !s.isEmpty {
                    guard let v = Double(s), (0...3).contains(v) else {
                        report.skipped.append(.init(source: source, reason: "max_distance '\(s)' must be a number 0–3")); continue
                    }
                    allowance = v
                }
                guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entry WHERE list_id = ? AND ref = ?", arguments: [l.id, plate]) == 0 else {
                    report.skipped.append(.init(source: source, reason: "plate \(plate) is already in \(name)")); continue
                }
                let entry = try entryID(db, list: l.id, listName: name, ref: plate, name: f["plate"]!, notes: f["notes"]!, source: source)
                try db.execute(sql: "INSERT INTO plate (entry_id, text, reason, max_distance) VALUES (?, ?, ?, ?)",
                               arguments: [entry.id, plate, f["reason"]!, allowance])
                report.added += 1
            }
            try Audit.append(db, actor: Incident.currentUser, action: "add-plates",
                             detail: "\(name): \(report.added) plates from \(path), \(report.skipped.count) left out")
        }
        return report
    }
}

/// The first line and field count of each non-blank record of CSV text (quotes respected).
func recordShapes(_ text: String) -> [(line: Int, fields: Int)] {
    var shapes: [(Int, Int)] = []
    var line = 1, start = 1, fields = 1, quoted = false, blank = true
    for ch in text {
        if quoted {
            if ch == "\"" { quoted = false } else if ch == "\n" { line += 1 }
            continue
        }
        switch ch {
        case "\"": quoted = true; blank = false
        case ",": fields += 1; blank = false
        case "\n", "\r\n":
            if !blank { shapes.append((start, fields)) }
            line += 1; start = line; fields = 1; blank = true
        case "\r": break
        default: if !ch.isWhitespace { blank = false }
        }
    }
    if !blank { shapes.append((start, fields)) }
    return shapes
}
