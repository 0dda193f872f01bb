import Crypto
import Foundation
import GRDB

/// One share of an incident's files, for indexing on many machines at once: shard K of N holds
/// the files whose archive path hashes (SHA-256, so every machine agrees) to K modulo N.
/// Numbered from 0, like Kubernetes' `JOB_COMPLETION_INDEX` and `--array=0-N` in Slurm.
public struct Shard: Sendable, Equatable, Codable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, count <= 10_000, (0..<count).contains(index) else { return nil }
        self.index = index; self.count = count
    }

    /// "K/N".
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: k, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    public func contains(_ archivePath: String) -> Bool {
        let digest = SHA256.hash(data: Data(archivePath.utf8))
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(value % UInt64(count)) == index
    }
}

/// What merging one shard file brought into the incident.
public struct MergeReport: Sendable, Codable {
    public var shard: String
    /// Files whose results were copied (indexed in the shard, newer than what the incident had).
    public var merged = 0
    /// Files already in the incident with the same hash and settings, or indexed there while
    /// the shard only failed them.
    public var unchanged = 0
    /// Files the shard failed or could not place in time, recorded as such.
    public var failed = 0
    /// Files the shard catalogued but had not indexed yet.
    public var pending = 0
    public var sightings = 0
    public var faceTracks = 0

    enum CodingKeys: String, CodingKey {
        case shard, merged, unchanged, failed, pending, sightings
        case faceTracks = "face_tracks"
    }
}

extension Incident {
    /// Name of shard K of N of this incident: `NAME.shard-K-of-N.forensic` in `directory`.
    public func shardPath(_ shard: Shard, in directory: String? = nil) -> String {
        let url = URL(fileURLWithPath: path)
        let dir = directory.map { URL(fileURLWithPath: $0) } ?? url.deletingLastPathComponent()
        let stem = url.deletingPathExtension().lastPathComponent
        return dir.appendingPathComponent("\(stem).shard-\(shard.index)-of-\(shard.count).forensic").path
    }

    /// Creates `count` shard files: same window, archive, layout and cameras, each indexing its
    /// share of the files. Index each anywhere (`forensic index SHARD`), then `merge` them back.
    public func split(into count: Int, directory: String? = nil) throws -> [String] {
        guard config.shard == nil else { throw StoreError(file: path, reason: "is itself a shard; split the whole incident") }
        guard count >= 2, count <= 10_000 else { throw StoreError(file: path, reason: "shard count must be 2–10000") }
        let cams = try cameras()
        var created: [String] = []
        for k in 0..<count {
            var c = config
            c.shard = Shard(index: k, count: count)
            let shardFile = shardPath(c.shard!, in: directory)
            _ = try Incident.create(at: shardFile, config: c, cameras: cams)
            created.append(shardFile)
        }
        try audit("split", "\(count) shards: " + created.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", "))
        return created
    }

    /// Copies a shard's results into this incident, one transaction per shard. Idempotent: a
    /// file already here with the same SHA-256 and settings is left alone, and a file indexed
    /// here is never replaced by a shard's failure.
    public func merge(shard shardFile: String) throws -> MergeReport {
        let other = try Incident(path: shardFile)
        guard config.shard == nil else { throw StoreError(file: path, reason: "is a shard; merge shards into the whole incident") }
        guard let shard = other.config.shard else { throw StoreError(file: shardFile, reason: "is not a shard file (made by `incident split`)") }
        var theirs = other.config
        theirs.shard = nil
        guard theirs == config else {
            throw StoreError(file: shardFile, reason: "is a shard of another incident (window, archive, layout or cameras differ)")
        }
        let lastEntry = try other.db.read { try String.fetchOne($0, sql: "SELECT hash FROM audit ORDER BY id DESC LIMIT 1") } ?? ""
        var report = MergeReport(shard: shard.description)
        try db.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS shard", arguments: [shardFile])
            defer { try? db.execute(sql: "DETACH DATABASE shard") }
            try db.inTransaction {
                report = try Self.mergeAttached(db, into: report)
                try Audit.append(db, actor: Incident.currentUser, action: "merge", detail: """
                    shard \(shard) \(URL(fileURLWithPath: shardFile).lastPathComponent) (its audit ends \(lastEntry)): \
                    \(report.merged) files merged, \(report.unchanged) unchanged, \(report.failed) failed, \(report.pending) pending
                    """)
                return .commit
            }
        }
        return report
    }

    private static func mergeAttached(_ db: Database, into start: MergeReport) throws -> MergeReport {
        var report = start
        // Shard row ids are shifted past this incident's largest: no collisions, one statement per table.
        let sightingShift = try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(id), 0) FROM main.plate_sighting")!
        let trackShift = try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(id), 0) FROM main.face_track")!
        var runs: [Int64: Int64] = [:]
        let fileColumns = "size, sha256, camera_id, start_utc, time_source, duration, codec, width, height, frame_rate, status, error, fingerprint, frames_sampled, frames_analysed, corrupt_packets"
        let rows = try Row.fetchAll(db, sql: "SELECT id, path, status, sha256, fingerprint, run_id FROM shard.source_file ORDER BY id")
        for r in rows {
            let shardID: Int64 = r["id"], status: String = r["status"]
            let here = try Row.fetchOne(db, sql: "SELECT id, status, sha256, fingerprint FROM main.source_file WHERE path = ?", arguments: [r["path"] as String])
            if status == "pending" {
                if here == nil { try copyFileRow(db, shardID, fileColumns, run: nil) }
                report.pending += 1
                continue
            }
            if let here, here["status"] as String == "indexed",
               status != "indexed" || (here["sha256"] as String? == r["sha256"] && here["fingerprint"] as String? == r["fingerprint"]) {
                report.unchanged += 1
                continue
            }
            var run: Int64? = nil
            if let shardRun: Int64 = r["run_id"] {
                if runs[shardRun] == nil {
                    try db.execute(sql: """
                        INSERT INTO main.run (started_utc, finished_utc, tool_version, models, parameters, operator, status)
                        SELECT started_utc, finished_utc, tool_version, models, parameters, operator, status FROM shard.run WHERE id = ?
                        """, arguments: [shardRun])
                    runs[shardRun] = db.lastInsertedRowID
                }
                run = runs[shardRun]
            }
            let fileID: Int64
            if let here {
                fileID = here["id"]
                // Results of an older indexing go (cascade), the file row takes the shard's state.
                try db.execute(sql: "DELETE FROM main.plate_sighting WHERE file_id = ?", arguments: [fileID])
                try db.execute(sql: "DELETE FROM main.face_track WHERE file_id = ?", arguments: [fileID])
                try db.execute(sql: "DELETE FROM main.object_look WHERE file_id = ?", arguments: [fileID])
                try db.execute(sql: """
                    UPDATE main.source_file SET (\(fileColumns), run_id) = (SELECT \(fileColumns), ? FROM shard.source_file WHERE id = ?)
                    WHERE id = ?
                    """, arguments: [run, shardID, fileID])
            } else {
                fileID = try copyFileRow(db, shardID, fileColumns, run: run)
            }
            guard status == "indexed" else { report.failed += 1; continue }
            let copied = try copyResults(db, from: shardID, to: fileID, sightingShift: sightingShift, trackShift: trackShift)
            report.sightings += copied.sightings
            report.faceTracks += copied.tracks
            report.merged += 1
        }
        return report
    }

    /// Copies one file's sightings (with reads and texts) and face tracks (with faces) from the
    /// database attached as `shard` into `main`, ids shifted past main's: merge and reuse share it.
    static func copyResults(_ db: Database, from shardID: Int64, to fileID: Int64, sightingShift: Int64, trackShift: Int64) throws -> (sightings: Int, tracks: Int) {
        try db.execute(sql: """
            INSERT INTO main.plate_sighting (id, file_id, camera_id, text, display, confidence, first_pts, last_pts, first_utc, last_utc,
                reads, best_pts, box_x, box_y, box_w, box_h, crop)
            SELECT id + ?, ?, camera_id, text, display, confidence, first_pts, last_pts, first_utc, last_utc,
                reads, best_pts, box_x, box_y, box_w, box_h, crop FROM shard.plate_sighting WHERE file_id = ?
            """, arguments: [sightingShift, fileID, shardID])
        let sightings = db.changesCount
        try db.execute(sql: """
            INSERT INTO main.plate_read (sighting_id, file_id, pts, utc, box_x, box_y, box_w, box_h, text, display, confidence,
                candidates, format, corrected_from, model)
            SELECT sighting_id + ?, ?, pts, utc, box_x, box_y, box_w, box_h, text, display, confidence,
                candidates, format, corrected_from, model FROM shard.plate_read WHERE file_id = ?
            """, arguments: [sightingShift, fileID, shardID])
        try db.execute(sql: """
            INSERT INTO main.plate_text (sighting_id, text, canon, confidence)
            SELECT t.sighting_id + ?, t.text, t.canon, t.confidence
            FROM shard.plate_text t JOIN shard.plate_sighting s ON s.id = t.sighting_id WHERE s.file_id = ?
            """, arguments: [sightingShift, shardID])
        try db.execute(sql: """
            INSERT INTO main.face_track (id, file_id, camera_id, first_pts, last_pts, first_utc, last_utc, faces, best_pts,
                box_x, box_y, box_w, box_h, quality, junk, embedding, crop)
            SELECT id + ?, ?, camera_id, first_pts, last_pts, first_utc, last_utc, faces, best_pts,
                box_x, box_y, box_w, box_h, quality, junk, embedding, crop FROM shard.face_track WHERE file_id = ?
            """, arguments: [trackShift, fileID, shardID])
        let tracks = db.changesCount
        try db.execute(sql: """
            INSERT INTO main.face (track_id, file_id, pts, utc, box_x, box_y, box_w, box_h, score, landmarks, inter_eye, sharpness,
                frontal, quality, junk, embedding, model)
            SELECT track_id + ?, ?, pts, utc, box_x, box_y, box_w, box_h, score, landmarks, inter_eye, sharpness,
                frontal, quality, junk, embedding, model FROM shard.face WHERE file_id = ?
            """, arguments: [trackShift, fileID, shardID])
        // A file from before v7 has no object looks to give.
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM shard.sqlite_master WHERE name = 'object_look')") == true {
            try db.execute(sql: """
                INSERT INTO main.object_look (file_id, camera_id, kind, pts, utc, box_x, box_y, box_w, box_h, score, model)
                SELECT ?, camera_id, kind, pts, utc, box_x, box_y, box_w, box_h, score, model FROM shard.object_look WHERE file_id = ?
                """, arguments: [fileID, shardID])
        }
        return (sightings, tracks)
    }

    @discardableResult
    private static func copyFileRow(_ db: Database, _ shardID: Int64, _ columns: String, run: Int64?) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO main.source_file (path, \(columns), run_id) SELECT path, \(columns), ? FROM shard.source_file WHERE id = ?
            """, arguments: [run, shardID])
        return db.lastInsertedRowID
    }
}
