import Foundation
import GRDB

/// `incident info`: what the incident holds.
public struct IncidentInfo: Sendable, Codable {
    public var name: String
    public var from: String
    public var to: String
    public var timezone: String
    public var archive: String
    public var layout: String
    /// "K/N" for a shard file, nil for a whole incident.
    public var shard: String?
    public var cameras: Int
    public var files: [String: Int]
    public var footageHours: Double
    public var plateReads: Int
    public var plateSightings: Int
    public var faces: Int
    public var faceTracks: Int
    /// People the index cascade's detector saw, summed over looks (0 in files from before it).
    public var peopleLooks: Int
    public var runs: Int
    public var lastRun: String?
    public var auditEntries: Int
    public var auditIntact: Bool

    enum CodingKeys: String, CodingKey {
        case name, from, to, timezone, archive, layout, shard, cameras, files, faces, runs
        case footageHours = "footage_hours", plateReads = "plate_reads", plateSightings = "plate_sightings"
        case faceTracks = "face_tracks", peopleLooks = "people_looks", lastRun = "last_run", auditEntries = "audit_entries", auditIntact = "audit_intact"
    }
}

extension Incident {
    public func info() throws -> IncidentInfo {
        let zone = config.zone
        let broken = try Audit.firstBrokenEntry(self)
        return try db.read { db in
            func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql) ?? 0 }
            var files: [String: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM source_file GROUP BY status") { files[r["status"]] = r["n"] }
            let lastRun = try Row.fetchOne(db, sql: "SELECT * FROM run ORDER BY id DESC LIMIT 1").map { r -> String in
                let started = Date(timeIntervalSince1970: r["started_utc"])
                return "run \(r["id"] as Int64) \(r["status"] as String) started \(isoTime(started, zone)) by \(r["operator"] as String)"
            }
            return IncidentInfo(
                name: config.name, from: isoTime(config.from, zone), to: isoTime(config.to, zone), timezone: config.timeZone,
                archive: config.archive, layout: config.layout, shard: config.shard?.description, cameras: try count("SELECT COUNT(*) FROM camera"), files: files,
                footageHours: ((try Double.fetchOne(db, sql: "SELECT SUM(duration) FROM source_file WHERE status = 'indexed'") ?? 0) / 36) .rounded() / 100,
                plateReads: try count("SELECT COUNT(*) FROM plate_read"), plateSightings: try count("SELECT COUNT(*) FROM plate_sighting"),
                faces: try count("SELECT COUNT(*) FROM face"), faceTracks: try count("SELECT COUNT(*) FROM face_track"),
                peopleLooks: try db.tableExists("object_look") ? count("SELECT COUNT(*) FROM object_look WHERE kind = 'person'") : 0,
                runs: try count("SELECT COUNT(*) FROM run"), lastRun: lastRun,
                auditEntries: try count("SELECT COUNT(*) FROM audit"), auditIntact: broken == nil)
        }
    }
}
