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
    public var camera: String
    public var site: String
    public var zone: String
    public var firstUTC: Date?
    public var lastUTC: Date?
    /// What was seen: the sighting's plate text, or nil for a face.
    public var seen: String?
    public var file: String
    public var pts: Double
    /// The watchlist fingerprint the hit was found with.
    public var watchlist: String
    /// JPEG of the plate crop or aligned face (not encoded in JSON; see `--stills`).
    public var still: Data?

    enum CodingKeys: String, CodingKey {
        case id, list, entry, name, kind, match, matched, distance, quality, camera, site, zone, seen, file, pts, watchlist
        case sightingID = "sighting_id", faceTrackID = "face_track_id", firstUTC = "first_utc", lastUTC = "last_utc"
    }
}

extension Incident {
    /// Hits in time order, filtered like a search (camera, site, zone, time) and by list; with
    /// `stills`, each carries its JPEG (left unread otherwise).
    public func hits(filter: SearchFilter = SearchFilter(), list: String? = nil, stills: Bool = false) throws -> [WatchlistHit] {
        try db.read { db in
            let (cond, args) = filter.sql()
            let listCond = list == nil ? "1" : "h.list = ?"
            let listArgs: StatementArguments = list.map { [$0] } ?? []
            func rows(_ kind: String, _ table: String, _ key: String, _ seen: String) throws -> [WatchlistHit] {
                try Row.fetchAll(db, sql: """
                    SELECT h.*, s.camera_id, s.first_utc, s.last_utc, s.best_pts, \(stills ? "s.crop" : "NULL") AS crop, \(seen) AS seen, c.site, c.zone, f.path
                    FROM watchlist_hit h JOIN \(table) s ON s.id = h.\(key)
                    JOIN source_file f ON f.id = s.file_id LEFT JOIN camera c ON c.id = s.camera_id
                    WHERE h.kind = '\(kind)' AND \(cond) AND \(listCond)
                    """, arguments: args + listArgs).map { r in
                    WatchlistHit(id: r["id"], list: r["list"], entry: r["entry_ref"], name: r["entry_name"], kind: r["kind"],
                                 match: r["match"], matched: r["matched"], distance: r["distance"], quality: r["quality"],
                                 sightingID: r["sighting_id"], faceTrackID: r["face_track_id"], camera: r["camera_id"] ?? "",
                                 site: r["site"] ?? "", zone: r["zone"] ?? "",
                                 firstUTC: (r["first_utc"] as Double?).map(Date.init(timeIntervalSince1970:)),
                                 lastUTC: (r["last_utc"] as Double?).map(Date.init(timeIntervalSince1970:)),
                                 seen: r["seen"], file: r["path"], pts: r["best_pts"], watchlist: r["watchlist"], still: r["crop"])
                }
            }
            return (try rows("plate", "plate_sighting", "sighting_id", "s.display") + rows("face", "face_track", "face_track_id", "NULL"))
                .sorted { ($0.firstUTC ?? .distantPast, $0.id) < ($1.firstUTC ?? .distantPast, $1.id) }
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
