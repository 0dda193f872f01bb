import Crypto
import Foundation
import GRDB
import RecognitionKit
import VideoDecode

/// Where a catalogued file stands.
public enum FileStatus: String, Sendable, Codable {
    /// Waiting to be indexed (new, or indexed with other settings).
    case pending
    case indexed
    /// Could not be read or decoded; the error says why.
    case failed
    /// Neither its path nor its container says when it was recorded: reported, not indexed.
    case noTime = "no_time"
}

/// A file found in the archive, as the catalogue records it.
public struct CatalogueEntry: Sendable {
    public var path: String
    public var size: Int64
    public var cameraID: String?
    public var start: Date?
    /// `path` or `creation_time`; nil when the start is unknown.
    public var timeSource: String?
    public var info: MediaInfo?
    public var status: FileStatus
    public var error: String?
    /// Modification time (seconds since 1970) when catalogued.
    public var modified: Double?

    public init(path: String, size: Int64, cameraID: String?, start: Date?, timeSource: String?,
                info: MediaInfo?, status: FileStatus, error: String? = nil, modified: Double? = nil) {
        self.path = path; self.size = size; self.cameraID = cameraID; self.start = start
        self.timeSource = timeSource; self.info = info; self.status = status; self.error = error; self.modified = modified
    }
}

/// A catalogued file waiting for (or past) indexing.
public struct SourceFile: Sendable {
    public var id: Int64
    public var path: String
    public var cameraID: String?
    public var start: Date?
    public var duration: Double?
    public var status: FileStatus
    public var fingerprint: String?
    /// SHA-256 recorded when the file was indexed.
    public var sha256: String?
}

/// What a catalogue pass changed.
public struct CatalogueChanges: Sendable {
    /// Files seen for the first time, and files not yet indexed that changed size since (an NVR
    /// file that was incomplete last time): catalogued anew.
    public var added: [CatalogueEntry] = []
    /// Indexed files whose size changed since: the old results are kept, the event audited.
    public var integrity: [String] = []
}

/// One vehicle pass at one camera: the reads of it, merged.
public struct PlateSightingRecord: Sendable {
    public var text: String
    public var display: String
    public var confidence: Double
    public var firstPTS: Double, lastPTS: Double, bestPTS: Double
    public var box: PixelRect
    public var crop: Data?
    public var reads: [(pts: Double, read: PlateRead)]
    /// Every text the sighting may be, with its best confidence (searchable).
    public var texts: [String: Double]

    public init(text: String, display: String, confidence: Double, firstPTS: Double, lastPTS: Double, bestPTS: Double,
                box: PixelRect, crop: Data?, reads: [(pts: Double, read: PlateRead)], texts: [String: Double]) {
        self.text = text; self.display = display; self.confidence = confidence; self.firstPTS = firstPTS
        self.lastPTS = lastPTS; self.bestPTS = bestPTS; self.box = box; self.crop = crop; self.reads = reads; self.texts = texts
    }
}

/// One person's appearance at one camera: their faces, with the best one's embedding.
public struct FaceTrackRecord: Sendable {
    public var firstPTS: Double, lastPTS: Double, bestPTS: Double
    public var best: Face
    public var crop: Data?
    public var faces: [(pts: Double, face: Face)]

    public init(firstPTS: Double, lastPTS: Double, bestPTS: Double, best: Face, crop: Data?, faces: [(pts: Double, face: Face)]) {
        self.firstPTS = firstPTS; self.lastPTS = lastPTS; self.bestPTS = bestPTS; self.best = best; self.crop = crop; self.faces = faces
    }
}

/// Everything indexing learned from one file; saved in one transaction.
/// How many looks at plates and faces ran the costly step (reading, describing) and how many
/// were answered from a track that was already sure (`PlateTracker`, `FaceTracker`).
public struct LookCounts: Sendable, Codable, Equatable {
    public var platesRead = 0, platesCarried = 0, facesDescribed = 0, facesCarried = 0
    /// Frames analysed with a full look (every one without the cascade), and people seen.
    public var fullLooks = 0, people = 0
    public init() {}
    public static func += (a: inout LookCounts, b: LookCounts) {
        a.platesRead += b.platesRead; a.platesCarried += b.platesCarried
        a.facesDescribed += b.facesDescribed; a.facesCarried += b.facesCarried
        a.fullLooks += b.fullLooks; a.people += b.people
    }
    enum CodingKeys: String, CodingKey {
        case platesRead = "plates_read", platesCarried = "plates_carried", facesDescribed = "faces_described", facesCarried = "faces_carried"
        case fullLooks = "full_looks", people
    }
}

public struct FileResult: Sendable {
    public var sha256: String
    /// The file's size when it was hashed (recorded, so a later change of size is noticed).
    public var size: Int64?
    public var stats: DecodeStats
    public var framesAnalysed: Int
    public var sightings: [PlateSightingRecord]
    public var tracks: [FaceTrackRecord]
    public var plateModel: String
    public var faceModel: String
    public var looks = LookCounts()
    /// What the cascade's detector saw, look by look (people).
    public var objects: [ObjectLook] = []
    /// The detector's fingerprint, stored with each object.
    public var objectModel = ""

    public init(sha256: String, stats: DecodeStats, framesAnalysed: Int, sightings: [PlateSightingRecord],
                tracks: [FaceTrackRecord], plateModel: String, faceModel: String, size: Int64? = nil) {
        self.sha256 = sha256; self.size = size; self.stats = stats; self.framesAnalysed = framesAnalysed
        self.sightings = sightings; self.tracks = tracks; self.plateModel = plateModel; self.faceModel = faceModel
    }
}

/// One thing the index cascade's detector saw in one look, in frame pixels.
public struct ObjectLook: Sendable, Equatable {
    public enum Kind: String, Sendable { case person }
    public var pts: Double
    public var kind: Kind
    public var box: PixelRect
    public var score: Double
    public init(pts: Double, kind: Kind, box: PixelRect, score: Double) { self.pts = pts; self.kind = kind; self.box = box; self.score = score }
}

/// 128 float32 as stored (little-endian on the machines this runs on), and back.
public func embeddingBlob(_ v: [Float]) -> Data { v.withUnsafeBufferPointer { Data(buffer: $0) } }
public func embeddingFloats(_ blob: Data) -> [Float] {
    blob.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
}

/// SHA-256 of a file, streamed in 1 MiB blocks; `progress` is called after each block.
public func sha256(of path: String, progress: () -> Void = {}) throws -> String {
    guard let h = FileHandle(forReadingAtPath: path) else { throw StoreError(file: path, reason: "cannot read file") }
    defer { try? h.close() }
    var hasher = SHA256()
    while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk); progress() }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
}

extension Incident {
    /// Records newly found files; files already catalogued keep their state, except a file not yet
    /// indexed whose size changed (catalogued anew: a failed file may have been incomplete) and an
    /// indexed file whose size changed (an integrity event: audited and reported, its results kept,
    /// never silently replaced).
    public func catalogue(_ entries: [CatalogueEntry]) throws -> CatalogueChanges {
        try db.write { db in
            var changes = CatalogueChanges()
            /// Audited once (a run that finds it again still reports it).
            func integrity(_ message: String) throws {
                try Audit.appendOnce(db, actor: Incident.currentUser, action: "integrity", detail: message)
                changes.integrity.append(message)
            }
            for e in entries {
                let known = try Row.fetchOne(db, sql: "SELECT status, size, sha256, modified_utc FROM source_file WHERE path = ?", arguments: [e.path])
                let values: StatementArguments = [e.size, e.cameraID, e.start?.timeIntervalSince1970, e.timeSource,
                                                  e.info?.durationSeconds, e.info?.codec, e.info?.width, e.info?.height,
                                                  e.info?.frameRate, e.status.rawValue, e.error, e.modified, e.path]
                guard let known else {
                    try db.execute(sql: """
                        INSERT INTO source_file (size, camera_id, start_utc, time_source, duration, codec, width, height, frame_rate, status, error,
                            modified_utc, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: values)
                    changes.added.append(e)
                    continue
                }
                let (status, size): (String, Int64) = (known["status"], known["size"])
                let sha: String? = known["sha256"], modified: Double? = known["modified_utc"]
                if size != e.size {
                    if status != "indexed" {
                        try db.execute(sql: """
                            UPDATE source_file SET size = ?, camera_id = ?, start_utc = ?, time_source = ?, duration = ?, codec = ?,
                                width = ?, height = ?, frame_rate = ?, status = ?, error = ?, modified_utc = ? WHERE path = ?
                            """, arguments: values)
                        changes.added.append(e)
                    } else {
                        try integrity("\(e.path): changed after it was indexed (size \(size) → \(e.size) bytes, indexed as sha256 \(sha ?? "?")); the indexed results are kept, the new content is not indexed")
                    }
                } else if let now = e.modified, now != modified {
                    // Same size, touched since: an indexed file is re-hashed (same-size tampering is still tampering).
                    if status == "indexed", modified != nil, let sha,
                       let hash = try? sha256(of: URL(fileURLWithPath: config.archive).appendingPathComponent(e.path).path), hash != sha {
                        try integrity("\(e.path): content changed after it was indexed (same size, sha256 \(sha) → \(hash)); the indexed results are kept, the new content is not indexed")
                    } else {
                        try db.execute(sql: "UPDATE source_file SET modified_utc = ? WHERE path = ?", arguments: [now, e.path])
                    }
                }
            }
            if !changes.added.isEmpty { try Audit.append(db, actor: Incident.currentUser, action: "catalogue", detail: "\(changes.added.count) new files") }
            return changes
        }
    }

    /// Records an integrity event of an indexed file (content changed, file vanished), once however
    /// many runs find it; its results are kept.
    /// The archive-relative paths of the files indexed so far.
    public func indexedFilePaths() throws -> [String] {
        try db.read { try String.fetchAll($0, sql: "SELECT path FROM source_file WHERE status = 'indexed' ORDER BY id") }
    }

    public func recordIntegrityEvent(_ message: String) throws {
        try db.write { try Audit.appendOnce($0, actor: Incident.currentUser, action: "integrity", detail: message) }
    }

    /// Files that still need indexing with these settings: pending ones, and indexed ones whose
    /// models or parameters differ from `fingerprint`.
    public func filesToIndex(fingerprint: String) throws -> [SourceFile] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM source_file WHERE status = 'pending' OR (status = 'indexed' AND fingerprint IS NOT ?)
                ORDER BY start_utc, path
                """, arguments: [fingerprint]).map {
                SourceFile(id: $0["id"], path: $0["path"], cameraID: $0["camera_id"],
                           start: ($0["start_utc"] as Double?).map(Date.init(timeIntervalSince1970:)),
                           duration: $0["duration"], status: FileStatus(rawValue: $0["status"]) ?? .pending, fingerprint: $0["fingerprint"], sha256: $0["sha256"])
            }
        }
    }

    public func startRun(models: [String], parameters: String) throws -> Int64 {
        try db.write { db in
            // A run still marked running was killed: say so.
            try db.execute(sql: "UPDATE run SET status = 'interrupted' WHERE status = 'running'")
            try db.execute(sql: "INSERT INTO run (started_utc, tool_version, models, parameters, operator, status) VALUES (?, ?, ?, ?, ?, 'running')",
                           arguments: [Date().timeIntervalSince1970, Incident.toolVersion, models.joined(separator: ","), parameters, Incident.currentUser])
            let id = db.lastInsertedRowID
            try Audit.append(db, actor: Incident.currentUser, action: "run", detail: "run \(id) started: \(parameters)")
            return id
        }
    }

    /// Marks a run finished, or interrupted when a stop was requested (the rest stays pending).
    public func finishRun(_ id: Int64, indexed: Int, failed: Int, interrupted: Bool = false) throws {
        let status = interrupted ? "interrupted" : "finished"
        try db.write { db in
            try db.execute(sql: "UPDATE run SET finished_utc = ?, status = ? WHERE id = ?", arguments: [Date().timeIntervalSince1970, status, id])
            try Audit.append(db, actor: Incident.currentUser, action: "run", detail: "run \(id) \(status): \(indexed) files indexed, \(failed) failed")
        }
    }

    public func markFailed(fileID: Int64, error: String) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE source_file SET status = 'failed', error = ? WHERE id = ?", arguments: [error, fileID])
            try Audit.append(db, actor: Incident.currentUser, action: "fail", detail: "file \(fileID): \(error)")
        }
    }

    /// Replaces everything stored for a file with `result`, atomically: a run killed half-way
    /// leaves the file pending and nothing half-written.
    public func save(_ result: FileResult, fileID: Int64, runID: Int64, fingerprint: String) throws {
        try db.write { db in
            guard let file = try Row.fetchOne(db, sql: "SELECT path, camera_id, start_utc FROM source_file WHERE id = ?", arguments: [fileID]) else { return }
            let start: Double? = file["start_utc"]
            let camera: String? = file["camera_id"]
            func utc(_ pts: Double) -> Double? { start.map { $0 + pts } }
            try db.execute(sql: "DELETE FROM plate_sighting WHERE file_id = ?", arguments: [fileID])
            try db.execute(sql: "DELETE FROM face_track WHERE file_id = ?", arguments: [fileID])
            try db.execute(sql: "DELETE FROM object_look WHERE file_id = ?", arguments: [fileID])
            for o in result.objects {
                try db.execute(sql: """
                    INSERT INTO object_look (file_id, camera_id, kind, pts, utc, box_x, box_y, box_w, box_h, score, model)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [fileID, camera, o.kind.rawValue, o.pts, utc(o.pts), o.box.x, o.box.y, o.box.w, o.box.h, o.score, result.objectModel])
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            for s in result.sightings {
                try db.execute(sql: """
                    INSERT INTO plate_sighting (file_id, camera_id, text, display, confidence, first_pts, last_pts, first_utc, last_utc,
                        reads, best_pts, box_x, box_y, box_w, box_h, crop)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [fileID, camera, s.text, s.display, s.confidence, s.firstPTS, s.lastPTS, utc(s.firstPTS), utc(s.lastPTS),
                                     s.reads.count, s.bestPTS, s.box.x, s.box.y, s.box.w, s.box.h, s.crop])
                let sid = db.lastInsertedRowID
                for (pts, r) in s.reads {
                    try db.execute(sql: """
                        INSERT INTO plate_read (sighting_id, file_id, pts, utc, box_x, box_y, box_w, box_h, text, display, confidence,
                            candidates, format, corrected_from, model)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [sid, fileID, pts, utc(pts), r.box.x, r.box.y, r.box.w, r.box.h, r.text, r.display, r.confidence,
                                         String(decoding: try encoder.encode(r.candidates), as: UTF8.self), r.format,
                                         r.correction?.from, r.model])
                }
                for (text, conf) in s.texts {
                    try db.execute(sql: "INSERT OR IGNORE INTO plate_text (sighting_id, text, canon, confidence) VALUES (?, ?, ?, ?)",
                                   arguments: [sid, text, PlateCanon.fold(text), conf])
                }
            }
            for t in result.tracks {
                try db.execute(sql: """
                    INSERT INTO face_track (file_id, camera_id, first_pts, last_pts, first_utc, last_utc, faces, best_pts,
                        box_x, box_y, box_w, box_h, quality, junk, embedding, crop)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [fileID, camera, t.firstPTS, t.lastPTS, utc(t.firstPTS), utc(t.lastPTS), t.faces.count, t.bestPTS,
                                     t.best.box.x, t.best.box.y, t.best.box.w, t.best.box.h, t.best.quality.score,
                                     t.best.quality.isJunk, embeddingBlob(t.best.embedding), t.crop])
                let tid = db.lastInsertedRowID
                for (pts, f) in t.faces {
                    let landmarks = "[" + f.landmarks.map { String(format: "[%.1f,%.1f]", $0.x, $0.y) }.joined(separator: ",") + "]"
                    try db.execute(sql: """
                        INSERT INTO face (track_id, file_id, pts, utc, box_x, box_y, box_w, box_h, score, landmarks, inter_eye, sharpness,
                            frontal, quality, junk, embedding, model)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [tid, fileID, pts, utc(pts), f.box.x, f.box.y, f.box.w, f.box.h, f.score, landmarks,
                                         f.quality.interEyePixels, f.quality.sharpness, f.quality.frontal, f.quality.score,
                                         f.quality.isJunk, embeddingBlob(f.embedding), result.faceModel])
                }
            }
            try db.execute(sql: """
                UPDATE source_file SET status = 'indexed', error = NULL, sha256 = ?, size = COALESCE(?, size), run_id = ?, fingerprint = ?,
                    frames_sampled = ?, frames_analysed = ?, corrupt_packets = ? WHERE id = ?
                """, arguments: [result.sha256, result.size, runID, fingerprint, result.stats.framesDelivered, result.framesAnalysed,
                                 result.stats.corruptPackets, fileID])
            try Audit.append(db, actor: Incident.currentUser, action: "index",
                             detail: "\(file["path"] as String) sha256 \(result.sha256): \(result.sightings.count) plate sightings, \(result.tracks.count) face tracks")
        }
    }
}
