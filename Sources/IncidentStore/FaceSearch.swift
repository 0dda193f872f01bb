import Foundation
import GRDB
import RecognitionKit

/// One face track that matched a query photo.
public struct FaceHit: Sendable, Codable {
    public var faceTrackID: Int64
    public var camera: String
    public var cameraName: String
    public var site: String
    public var zone: String
    public var latitude: Double?
    public var longitude: Double?
    public var firstUTC: Date?
    public var lastUTC: Date?
    public var distance: Double
    /// 1 at distance 0, 0 at the threshold.
    public var confidence: Double
    public var quality: Double
    public var junk: Bool
    public var file: String
    public var pts: Double
}

extension Incident {
    /// Face tracks nearest to `embedding` (Euclidean on 128-D descriptors), within `threshold`.
    public func searchFaces(_ query: [Float], threshold: Float = FaceEngine.samePersonThreshold, top: Int = 10,
                            filter: SearchFilter = SearchFilter(), includeJunk: Bool = true) throws -> [FaceHit] {
        try db.read { db in
            // Scan the flat vector file (built on first use after indexing), then fetch details for the top k.
            let vectors = try FaceVectors.load(self, db)
            let matches = vectors.nearest(to: query, k: top, maxDistance: threshold, cameras: try filter.cameraSet(db),
                                          from: filter.from, to: filter.to, includeJunk: includeJunk)
            return try matches.compactMap { m in
                guard let r = try Row.fetchOne(db, sql: """
                    SELECT s.*, f.path AS path, c.name AS camera_name, c.site, c.zone, c.latitude, c.longitude
                    FROM face_track s JOIN source_file f ON f.id = s.file_id LEFT JOIN camera c ON c.id = s.camera_id
                    WHERE s.id = ?
                    """, arguments: [m.id]) else { return nil }
                return FaceHit(faceTrackID: m.id, camera: r["camera_id"] ?? "", cameraName: r["camera_name"] ?? "",
                               site: r["site"] ?? "", zone: r["zone"] ?? "", latitude: r["latitude"], longitude: r["longitude"],
                               firstUTC: (r["first_utc"] as Double?).map(Date.init(timeIntervalSince1970:)),
                               lastUTC: (r["last_utc"] as Double?).map(Date.init(timeIntervalSince1970:)),
                               distance: (Double(m.distance) * 10_000).rounded() / 10_000,
                               confidence: max(0, (1 - Double(m.distance / threshold)) * 1000).rounded() / 1000,
                               quality: r["quality"], junk: r["junk"], file: r["path"], pts: r["best_pts"])
            }
        }
    }

    /// Brings the face-vector file beside the incident up to date (`index` calls it, so the
    /// first search after a run does not pay for building it).
    public func refreshFaceVectors() throws {
        _ = try db.read { try FaceVectors.load(self, $0) }
    }
}
