import Foundation
import GRDB
import IncidentStore
import RecognitionKit

/// What checking an incident against the watchlist found.
public struct HitCheckSummary: Sendable, Codable {
    public var watchlist: String
    public var files = 0
    public var sightings = 0
    public var faceTracks = 0
    public var plateHits = 0
    public var faceHits = 0

    enum CodingKeys: String, CodingKey {
        case watchlist, files, sightings
        case faceTracks = "face_tracks", plateHits = "plate_hits", faceHits = "face_hits"
    }
}

extension Watchlist {
    /// Checks the incident's indexed files against every list: each plate sighting (its voted
    /// text, every read and every candidate) against the wanted plates, each face track (every
    /// face of it) against every enrolled photo. Files already checked against the lists as they
    /// stand now are skipped unless `recheck`; a file checked again has its old hits replaced.
    /// One transaction per file, so an interrupted check loses nothing and resumes.
    public func check(_ incident: Incident, recheck: Bool = false,
                      faceThreshold: Float = FaceEngine.samePersonThreshold) throws -> HitCheckSummary {
        let fp = try fingerprint()
        var summary = HitCheckSummary(watchlist: fp)
        let plates = try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT l.name AS list, e.ref, e.name, p.text, p.max_distance FROM plate p
                JOIN entry e ON e.id = p.entry_id JOIN list l ON l.id = e.list_id ORDER BY l.name, e.ref
                """).map { (list: $0["list"] as String, ref: $0["ref"] as String, name: $0["name"] as String,
                            text: $0["text"] as String, maxDistance: $0["max_distance"] as Double) }
        }
        let faces = try faceGallery()
        let files = try incident.db.read { db in
            try Int64.fetchAll(db, sql: """
                SELECT id FROM source_file WHERE status = 'indexed'
                  AND (? OR id NOT IN (SELECT file_id FROM watchlist_check WHERE watchlist = ?)) ORDER BY id
                """, arguments: [recheck, fp])
        }
        let now = Date().timeIntervalSince1970
        for file in files {
            try incident.db.write { db in
                try db.execute(sql: "DELETE FROM watchlist_hit WHERE file_id = ?", arguments: [file])
                try db.execute(sql: "DELETE FROM watchlist_check WHERE file_id = ?", arguments: [file])
                func hit(_ list: String, _ ref: String, _ name: String, kind: String, sighting: Int64?, track: Int64?,
                         match: String, matched: String, distance: Double, quality: Double?) throws {
                    try db.execute(sql: """
                        INSERT INTO watchlist_hit (watchlist, list, entry_ref, entry_name, kind, sighting_id, face_track_id, file_id,
                            match, matched, distance, quality, checked_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [fp, list, ref, name, kind, sighting, track, file, match, matched,
                                         (distance * 1000).rounded() / 1000, quality, now])
                }
                if !plates.isEmpty {
                    for s in try Row.fetchAll(db, sql: "SELECT id, text FROM plate_sighting WHERE file_id = ?", arguments: [file]) {
                        summary.sightings += 1
                        let id: Int64 = s["id"], voted: String = s["text"]
                        let texts = try String.fetchAll(db, sql: "SELECT text FROM plate_text WHERE sighting_id = ?", arguments: [id])
                        for p in plates {
                            if voted == p.text {
                                try hit(p.list, p.ref, p.name, kind: "plate", sighting: id, track: nil, match: "exact", matched: voted, distance: 0, quality: nil)
                            } else if texts.contains(p.text) {
                                try hit(p.list, p.ref, p.name, kind: "plate", sighting: id, track: nil, match: "candidate", matched: p.text, distance: 0, quality: nil)
                            } else if p.maxDistance > 0 {
                                let near = ([voted] + texts).filter { abs($0.count - p.text.count) <= Int(p.maxDistance) }
                                    .map { ($0, plateDistance($0, p.text)) }.min { $0.1 < $1.1 }
                                if let (text, d) = near, d <= p.maxDistance {
                                    try hit(p.list, p.ref, p.name, kind: "plate", sighting: id, track: nil, match: "near", matched: text, distance: d, quality: nil)
                                }
                            }
                        }
                    }
                }
                if !faces.isEmpty {
                    for t in try Row.fetchAll(db, sql: "SELECT id, embedding, quality FROM face_track WHERE file_id = ?", arguments: [file]) {
                        summary.faceTracks += 1
                        let id: Int64 = t["id"]
                        // The track's faces, best first (its best face is among them).
                        let seen = [floats(from: t["embedding"])]
                            + (try Data.fetchAll(db, sql: "SELECT embedding FROM face WHERE track_id = ? ORDER BY quality DESC LIMIT 5", arguments: [id]).map(floats))
                        var best: [String: (distance: Float, photo: String, name: String, list: String)] = [:]
                        for g in faces {
                            let d = seen.map { faceDistance($0, g.embedding) }.min() ?? .infinity
                            let key = g.list + "\u{1f}" + g.ref
                            if d < faceThreshold, d < (best[key]?.distance ?? .infinity) { best[key] = (d, g.photo, g.name, g.list) }
                        }
                        for (key, b) in best.sorted(by: { $0.value.distance < $1.value.distance }) {
                            let ref = String(key.split(separator: "\u{1f}", maxSplits: 1)[1])
                            try hit(b.list, ref, b.name, kind: "face", sighting: nil, track: id, match: "face", matched: b.photo,
                                    distance: Double(b.distance), quality: t["quality"])
                        }
                    }
                }
                try db.execute(sql: "INSERT INTO watchlist_check (file_id, watchlist, checked_utc) VALUES (?, ?, ?)", arguments: [file, fp, now])
            }
            summary.files += 1
        }
        let counts = try incident.db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM watchlist_hit WHERE kind = 'plate'") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM watchlist_hit WHERE kind = 'face'") ?? 0)
        }
        (summary.plateHits, summary.faceHits) = counts
        if summary.files > 0 {
            try incident.audit("watchlist-check", "\(path) (\(fp)): \(summary.files) files\(recheck ? " (recheck)" : ""); \(counts.0) plate hits, \(counts.1) face hits in the incident")
        }
        return summary
    }
}
