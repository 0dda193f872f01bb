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
            // Scan ids and embeddings only (no row copies), then fetch details for the top k.
            var index = DescriptorIndex()
            // The camera table is joined only when a site or zone filter needs it.
            let join = filter.sites != nil || filter.zones != nil ? "LEFT JOIN camera c ON c.id = s.camera_id" : ""
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT s.id, s.embedding FROM face_track s \(join)
                WHERE \(where_) \(includeJunk ? "" : "AND s.junk = 0")
                """, arguments: args)
            while let r = try cursor.next() {
                let id: Int64 = r[0]
                try r.withUnsafeData(atIndex: 1) { data in
                    guard let data, data.count == DescriptorIndex.dimensions * 4 else { return }
                    data.withUnsafeBytes { index.append(id: id, descriptor: $0.bindMemory(to: Float.self)) }
                }
            }
            return try index.nearest(to: query, k: top, maxDistance: threshold).compactMap { m in
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
}
