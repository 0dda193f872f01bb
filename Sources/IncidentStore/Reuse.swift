import Foundation
import GRDB

extension Incident {
    /// Takes a file's results from another incident file (a nightly day file) instead of
    /// computing them: only when it was indexed there from the same bytes (SHA-256) with the same
    /// models and settings (fingerprint). The results are copied, so this incident stays
    /// self-contained. One transaction; nil when `source` has nothing to give for the file, else what was copied.
    public func reuse(fileID: Int64, path: String, sha256: String, fingerprint: String, runID: Int64, from source: String) throws -> (sightings: Int, tracks: Int)? {
        try db.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS shard", arguments: [source])
            defer { try? db.execute(sql: "DETACH DATABASE shard") }
            var reused: (sightings: Int, tracks: Int)?
            try db.inTransaction {
                guard let theirs = try Int64.fetchOne(db, sql: """
                    SELECT id FROM shard.source_file WHERE path = ? AND status = 'indexed' AND sha256 = ? AND fingerprint = ?
                    """, arguments: [path, sha256, fingerprint]) else { return .rollback }
                let sightingShift = try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(id), 0) FROM main.plate_sighting")!
                let trackShift = try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(id), 0) FROM main.face_track")!
                try db.execute(sql: "DELETE FROM main.plate_sighting WHERE file_id = ?", arguments: [fileID])
                try db.execute(sql: "DELETE FROM main.face_track WHERE file_id = ?", arguments: [fileID])
                try db.execute(sql: "DELETE FROM main.object_look WHERE file_id = ?", arguments: [fileID])
                let copied = try Self.copyResults(db, from: theirs, to: fileID, sightingShift: sightingShift, trackShift: trackShift)
                try db.execute(sql: """
                    UPDATE main.source_file SET (sha256, duration, codec, width, height, frame_rate, frames_sampled, frames_analysed, corrupt_packets) =
                        (SELECT sha256, duration, codec, width, height, frame_rate, frames_sampled, frames_analysed, corrupt_packets FROM shard.source_file WHERE id = ?),
                        status = 'indexed', error = NULL, fingerprint = ?, run_id = ? WHERE id = ?
                    """, arguments: [theirs, fingerprint, runID, fileID])
                try Audit.append(db, actor: Incident.currentUser, action: "reuse", detail: """
                    \(path): \(copied.sightings) sightings, \(copied.tracks) face tracks taken from \(URL(fileURLWithPath: source).lastPathComponent) \
                    (sha256 \(sha256), fingerprint \(fingerprint))
                    """)
                reused = copied
                return .commit
            }
            return reused
        }
    }

    /// The SHA-256 of `path` when it is indexed here with `fingerprint` (what `reuse` could give).
    public func indexedSHA256(path: String, fingerprint: String) throws -> String? {
        try db.read { db in
            try String.fetchOne(db, sql: "SELECT sha256 FROM source_file WHERE path = ? AND status = 'indexed' AND fingerprint = ?",
                                arguments: [path, fingerprint])
        }
    }

    /// The archive index `index` reuses by default (`incident create --reuse`), if any.
    public func defaultReuseIndex() throws -> String? {
        try db.read { try String.fetchOne($0, sql: "SELECT reuse_index FROM incident WHERE id = 1") }
    }

    public func setDefaultReuseIndex(_ path: String?) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE incident SET reuse_index = ? WHERE id = 1", arguments: [path])
            try Audit.append(db, actor: Incident.currentUser, action: "reuse-default", detail: path.map { "reuse nightly results from \($0)" } ?? "no reuse")
        }
    }
}
