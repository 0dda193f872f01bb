import Foundation
import GRDB
import VideoDecode

/// A plate sighting or face track as an evidence bundle takes it: what it is, where and when,
/// and where its pixels are in which original.
public struct EvidenceItem: Sendable {
    public enum Kind: String, Sendable { case plate, face }
    public var kind: Kind
    /// The sighting's or track's id in the incident.
    public var rowID: Int64
    /// The plate as displayed, or "face N".
    public var label: String
    public var at: CameraTime
    /// Stream times in the source file, seconds: first and last seen, best view.
    public var firstPTS: Double, lastPTS: Double, bestPTS: Double
    public var fileID: Int64
    /// The original's SHA-256 as indexed (nil: never indexed, so nothing proves it is the original).
    public var sourceSHA256: String?
    public var runID: Int64?
    /// The plate's or face's box at the best view (a plate's nearest read's when the sighting has none).
    public var box: PixelRect?
    /// `list/entry` of each watchlist hit on it.
    public var watchlist: [String]

    /// Its id in a bundle: `sighting-12`, `face-track-7`.
    public var id: String { kind == .plate ? "sighting-\(rowID)" : "face-track-\(rowID)" }
}

/// One run of `index` as a bundle records it.
public struct RunRecord: Sendable {
    public var id: Int64
    public var toolVersion: String
    public var models: String
    public var parameters: String
    public var finished: Date?
}

/// A detection's box at a moment of its file (redaction covers the ones that are not the subject).
public struct TimedBox: Sendable {
    public var pts: Double
    public var box: PixelRect
}

extension Incident {
    /// The plate sighting or face track a watchlist hit is on; nil when there is no such hit.
    public func hitSubject(_ hitID: Int64) throws -> (sighting: Int64?, faceTrack: Int64?)? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT sighting_id, face_track_id FROM watchlist_hit WHERE id = ?", arguments: [hitID])
                .map { ($0["sighting_id"], $0["face_track_id"]) }
        }
    }

    /// The sightings and tracks, each once, in time order.
    /// - Throws: `StoreError` naming an id that does not exist.
    public func evidenceItems(sightings: [Int64], faceTracks: [Int64]) throws -> [EvidenceItem] {
        let zone = config.zone
        return try db.read { db in
            var labels: [String: [String]] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT sighting_id, face_track_id, list, entry_ref FROM watchlist_hit ORDER BY id") {
                let key = (r["sighting_id"] as Int64?).map { "sighting-\($0)" } ?? "face-track-\(r["face_track_id"] as Int64)"
                labels[key, default: []].append("\(r["list"] as String)/\(r["entry_ref"] as String)")
            }
            func rect(_ r: Row) -> PixelRect? {
                guard let x: Int = r["box_x"], let y: Int = r["box_y"], let w: Int = r["box_w"], let h: Int = r["box_h"], w > 0, h > 0 else { return nil }
                return PixelRect(x: x, y: y, w: w, h: h)
            }
            func item(_ r: Row, _ kind: EvidenceItem.Kind, label: String, box: PixelRect?) -> EvidenceItem {
                var e = EvidenceItem(kind: kind, rowID: r["id"], label: label, at: CameraTime(r, zone: zone), firstPTS: r["first_pts"],
                                     lastPTS: r["last_pts"], bestPTS: r["at_pts"], fileID: r["file_id"], sourceSHA256: r["file_sha"],
                                     runID: r["run_id"], box: box, watchlist: [])
                e.watchlist = labels[e.id] ?? []
                return e
            }
            let columns = "s.id, s.file_id, s.first_pts, s.last_pts, s.box_x, s.box_y, s.box_w, s.box_h, f.sha256 AS file_sha, f.run_id, \(CameraTime.columns)"
            var out: [EvidenceItem] = []
            for id in Set(sightings).sorted() {
                guard let r = try Row.fetchOne(db, sql: "SELECT s.display, \(columns) FROM plate_sighting s \(CameraTime.joins) WHERE s.id = ?",
                                               arguments: [id]) else { throw StoreError(file: path, reason: "sighting \(id) does not exist") }
                var box = rect(r)
                if box == nil, let read = try Row.fetchOne(db, sql: "SELECT box_x, box_y, box_w, box_h FROM plate_read WHERE sighting_id = ? ORDER BY abs(pts - ?) LIMIT 1",
                                                           arguments: [id, r["at_pts"] as Double]) { box = rect(read) }
                out.append(item(r, .plate, label: r["display"], box: box))
            }
            for id in Set(faceTracks).sorted() {
                guard let r = try Row.fetchOne(db, sql: "SELECT \(columns) FROM face_track s \(CameraTime.joins) WHERE s.id = ?",
                                               arguments: [id]) else { throw StoreError(file: path, reason: "face track \(id) does not exist") }
                out.append(item(r, .face, label: "face \(id)", box: rect(r)))
            }
            return out.sorted { ($0.at.timeUTC ?? .distantPast, $0.id) < ($1.at.timeUTC ?? .distantPast, $1.id) }
        }
    }

    /// The runs with these ids, in order.
    public func runs(_ ids: Set<Int64>) throws -> [RunRecord] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY id").filter { ids.contains($0["id"]) }.map {
                RunRecord(id: $0["id"], toolVersion: $0["tool_version"], models: $0["models"], parameters: $0["parameters"],
                          finished: ($0["finished_utc"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    /// When the incident was created, and by whom.
    public func creation() throws -> (at: Date, by: String) {
        try db.read { db in
            let r = try Row.fetchOne(db, sql: "SELECT created_utc, created_by FROM incident WHERE id = 1")!
            return (Date(timeIntervalSince1970: r["created_utc"]), r["created_by"])
        }
    }

    /// Every plate read and face in a file between `from` and `to` (stream seconds) other than the
    /// subject's: what a redacted clip covers.
    public func otherDetections(fileID: Int64, exceptSighting: Int64?, exceptTrack: Int64?, from: Double, to: Double) throws -> [TimedBox] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT pts, box_x, box_y, box_w, box_h FROM plate_read WHERE file_id = ? AND sighting_id != ? AND pts BETWEEN ? AND ?
                UNION ALL
                SELECT pts, box_x, box_y, box_w, box_h FROM face WHERE file_id = ? AND track_id != ? AND pts BETWEEN ? AND ?
                """, arguments: [fileID, exceptSighting ?? -1, from, to, fileID, exceptTrack ?? -1, from, to]).map { r in
                TimedBox(pts: r["pts"], box: PixelRect(x: r["box_x"], y: r["box_y"], w: r["box_w"], h: r["box_h"]))
            }
        }
    }
}

/// One read of a plate sighting, as the workbench lists them.
public struct PlateReadRecord: Sendable, Codable {
    public var pts: Double
    public var timeUTC: Date?
    public var text: String
    public var display: String
    public var confidence: Double
    /// The reader's alternatives, best first.
    public var candidates: [Candidate]
    /// The plate format that named or corrected the read, and the raw text before a correction.
    public var format: String?
    public var correctedFrom: String?

    public struct Candidate: Sendable, Codable { public var text: String; public var confidence: Double }
}

extension Incident {
    /// The JPEG stored with a plate sighting (its best read) or a face track (its aligned best face).
    public func picture(sighting: Int64? = nil, faceTrack: Int64? = nil) throws -> Data? {
        try db.read { db in
            if let sighting { return try Data.fetchOne(db, sql: "SELECT crop FROM plate_sighting WHERE id = ?", arguments: [sighting]) }
            if let faceTrack { return try Data.fetchOne(db, sql: "SELECT crop FROM face_track WHERE id = ?", arguments: [faceTrack]) }
            return nil
        }
    }

    /// Every read of a sighting, in time order.
    public func reads(ofSighting id: Int64) throws -> [PlateReadRecord] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM plate_read WHERE sighting_id = ? ORDER BY pts", arguments: [id]).map { r in
                let candidates = (try? JSONDecoder().decode([PlateReadRecord.Candidate].self, from: Data((r["candidates"] as String).utf8))) ?? []
                return PlateReadRecord(pts: r["pts"], timeUTC: (r["utc"] as Double?).map(Date.init(timeIntervalSince1970:)), text: r["text"],
                                       display: r["display"], confidence: r["confidence"], candidates: candidates,
                                       format: r["format"], correctedFrom: r["corrected_from"])
            }
        }
    }
}
