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
        let (where_, args) = filter.sql()
        return try db.read { db in
            var index = DescriptorIndex()
            var rows: [Int64: Row] = [:]
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT s.*, f.path AS path, c.name AS camera_name, c.site, c.zone, c.latitude, c.longitude
                FROM face_track s JOIN source_file f ON f.id = s.file_id LEFT JOIN camera c ON c.id = s.camera_id
                WHERE \(where_) \(includeJunk ? "" : "AND s.junk = 0")
                """, arguments: args)
            while let r = try cursor.next() {
                let id: Int64 = r["id"]
                index.append(id: id, descriptor: embedding(from: r["embedding"]))
                rows[id] = r.copy()
            }
            return index.nearest(to: query, k: top, maxDistance: threshold).map { m in
                let r = rows[m.id]!
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
}
