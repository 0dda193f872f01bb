import Foundation
import GRDB

/// A watchlist hit as investigators see it: who or which plate, where, when, how close.
public struct WatchlistHit: Sendable, Codable {
    public var id: Int64
    public var list: String
    /// The person's or plate's id in the list, and the name it carries.
    public var entry: String
    public var name: String
    /// plate | face
    public var kind: String
    /// plate: exact | candidate (a read's alternative) | near (within the entry's allowance); face: face
    public var match: String
    /// plate: the text that matched; face: the SHA-256 of the enrolled photo that matched.
    public var matched: String
    public var distance: Double
    /// face: the track's best face quality (0–1).
    public var quality: Double?
    public var sightingID: Int64?
    public var faceTrackID: Int64?
    public var at: CameraTime
    /// What was seen: the sighting's plate text, or nil for a face.
    public var seen: String?
    /// The watchlist fingerprint the hit was found with.
    public var watchlist: String
    /// Where `--stills` wrote its plate crop or face (JPEG).
    public var still: String?
    /// The JPEG itself, read only when asked for (never encoded).
    public var stillData: Data?

    enum CodingKeys: String, CodingKey {
        case id, list, entry, name, kind, match, matched, distance, quality, sightingID, faceTrackID, at, seen, watchlist, still
    }
}

extension Incident {
    /// Hits in time order, filtered like a search (camera, site, zone, time) and by list; with
    /// `stills`, each carries its JPEG (left unread otherwise).
    public func hits(filter: SearchFilter = SearchFilter(), list: String? = nil, stills: Bool = false) throws -> [WatchlistHit] {
        let zone = config.zone
        return try db.read { db in
            let (cond, args) = filter.sql()
            let listCond = list == nil ? "1" : "h.list = ?"
            let listArgs: StatementArguments = list.map { [$0] } ?? []
            func rows(_ kind: String, _ table: String, _ key: String, _ seen: String) throws -> [WatchlistHit] {
                try Row.fetchAll(db, sql: """
                    SELECT h.*, \(stills ? "s.crop" : "NULL") AS crop, \(seen) AS seen, \(CameraTime.columns)
                    FROM watchlist_hit h JOIN \(table) s ON s.id = h.\(key) \(CameraTime.joins)
                    WHERE h.kind = '\(kind)' AND \(cond) AND \(listCond)
                    """, arguments: args + listArgs).map { r in
                    WatchlistHit(id: r["id"], list: r["list"], entry: r["entry_ref"], name: r["entry_name"], kind: r["kind"],
                                 match: r["match"], matched: r["matched"], distance: r["distance"], quality: r["quality"],
                                 sightingID: r["sighting_id"], faceTrackID: r["face_track_id"], at: CameraTime(r, zone: zone),
                                 seen: r["seen"], watchlist: r["watchlist"], stillData: r["crop"])
                }
            }
            return (try rows("plate", "plate_sighting", "sighting_id", "s.display") + rows("face", "face_track", "face_track_id", "NULL"))
                .sorted { ($0.at.timeUTC ?? .distantPast, $0.id) < ($1.at.timeUTC ?? .distantPast, $1.id) }
        }
    }
}

extension Incident {
    /// `list/entry` labels of the watchlist hits of these sightings (or face tracks), for search output.
    public func watchlistLabels(sightings: [Int64] = [], faceTracks: [Int64] = []) throws -> [Int64: String] {
        try db.read { db in
            var labels: [Int64: [String]] = [:]
            for (column, ids) in [("sighting_id", sightings), ("face_track_id", faceTracks)] where !ids.isEmpty {
                for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
                    for r in try Row.fetchAll(db, sql: """
                        SELECT \(column) AS id, list, entry_ref FROM watchlist_hit
                        WHERE \(column) IN (\(chunk.map { _ in "?" }.joined(separator: ","))) ORDER BY distance
                        """, arguments: StatementArguments(chunk)) {
                        labels[r["id"], default: []].append("\(r["list"] as String)/\(r["entry_ref"] as String)")
                    }
                }
            }
            return labels.mapValues { $0.joined(separator: " ") }
        }
    }
}

/// A hit as a watchlist check writes it.
public struct WatchlistHitRecord: Sendable {
    public var list: String
    public var entryRef: String
    public var entryName: String
    /// plate | face
    public var kind: String
    public var sightingID: Int64?
    public var faceTrackID: Int64?
    /// plate: exact | candidate | near; face: face
    public var match: String
    public var matched: String
    public var distance: Double
    public var quality: Double?

    public init(list: String, entryRef: String, entryName: String, kind: String, sightingID: Int64?, faceTrackID: Int64?,
                match: String, matched: String, distance: Double, quality: Double?) {
        self.list = list; self.entryRef = entryRef; self.entryName = entryName; self.kind = kind; self.sightingID = sightingID
        self.faceTrackID = faceTrackID; self.match = match; self.matched = matched; self.distance = distance; self.quality = quality
    }
}

/// What a watchlist check compares in one file: each plate sighting's voted text with every text
/// it was read as (reads, candidates), and each face track's best faces.
public struct FileSubjects: Sendable {
    public struct Sighting: Sendable { public var id: Int64; public var voted: String; public var texts: [String] }
    public struct Track: Sendable {
        public var id: Int64
        public var quality: Double
        /// Its five best faces' descriptors, best first (the track's own when it has no faces stored).
        public var faces: [[Float]]
    }
    public var sightings: [Sighting] = []
    public var tracks: [Track] = []
}

extension Incident {
    /// Indexed files not yet checked against the watchlist with this fingerprint (all indexed files with `recheck`).
    public func filesToCheck(watchlist fingerprint: String, recheck: Bool) throws -> [Int64] {
        try db.read { db in
            try Int64.fetchAll(db, sql: """
                SELECT id FROM source_file WHERE status = 'indexed'
                  AND (? OR id NOT IN (SELECT file_id FROM watchlist_check WHERE watchlist = ?)) ORDER BY id
                """, arguments: [recheck, fingerprint])
        }
    }

    /// The plate sightings (with `plates`) and face tracks (with `faces`) of one file.
    public func subjects(ofFile file: Int64, plates: Bool, faces: Bool) throws -> FileSubjects {
        try db.read { db in
            var out = FileSubjects()
            if plates {
                // Every text of every sighting of the file in one query: the vote, each read, each candidate.
                var texts: [Int64: [String]] = [:]
                for r in try Row.fetchAll(db, sql: """
                    SELECT t.sighting_id, t.text FROM plate_text t JOIN plate_sighting s ON s.id = t.sighting_id WHERE s.file_id = ?
                    """, arguments: [file]) { texts[r["sighting_id"], default: []].append(r["text"]) }
                out.sightings = try Row.fetchAll(db, sql: "SELECT id, text FROM plate_sighting WHERE file_id = ?", arguments: [file]).map {
                    FileSubjects.Sighting(id: $0["id"], voted: $0["text"], texts: texts[$0["id"]] ?? [])
                }
            }
            if faces {
                // Each track's five best faces (its best face first), for every track of the file in one query.
                var best: [Int64: [[Float]]] = [:]
                for r in try Row.fetchAll(db, sql: """
                    SELECT f.track_id, f.embedding FROM face_track t JOIN face f ON f.track_id = t.id
                    WHERE t.file_id = ? ORDER BY f.track_id, f.quality DESC
                    """, arguments: [file]) where (best[r["track_id"]]?.count ?? 0) < 5 {
                    best[r["track_id"], default: []].append(embeddingFloats(r["embedding"]))
                }
                out.tracks = try Row.fetchAll(db, sql: "SELECT id, embedding, quality FROM face_track WHERE file_id = ?", arguments: [file]).map {
                    FileSubjects.Track(id: $0["id"], quality: $0["quality"], faces: best[$0["id"]] ?? [embeddingFloats($0["embedding"])])
                }
            }
            return out
        }
    }

    /// Replaces a file's hits with what a check against the watchlist `fingerprint` found, and
    /// records the check, in one transaction (an interrupted check loses nothing and resumes).
    public func replaceHits(fileID: Int64, watchlist fingerprint: String, hits: [WatchlistHitRecord], checkedAt: Date) throws {
        let now = checkedAt.timeIntervalSince1970
        try db.write { db in
            try db.execute(sql: "DELETE FROM watchlist_hit WHERE file_id = ?", arguments: [fileID])
            try db.execute(sql: "DELETE FROM watchlist_check WHERE file_id = ?", arguments: [fileID])
            for h in hits {
                try db.execute(sql: """
                    INSERT INTO watchlist_hit (watchlist, list, entry_ref, entry_name, kind, sighting_id, face_track_id, file_id,
                        match, matched, distance, quality, checked_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [fingerprint, h.list, h.entryRef, h.entryName, h.kind, h.sightingID, h.faceTrackID, fileID, h.match, h.matched,
                                     (h.distance * 1000).rounded() / 1000, h.quality, now])
            }
            try db.execute(sql: "INSERT INTO watchlist_check (file_id, watchlist, checked_utc) VALUES (?, ?, ?)", arguments: [fileID, fingerprint, now])
        }
    }

    /// How many plate and face hits the incident holds.
    public func hitCounts() throws -> (plates: Int, faces: Int) {
        try db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM watchlist_hit WHERE kind = 'plate'") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM watchlist_hit WHERE kind = 'face'") ?? 0)
        }
    }
}
