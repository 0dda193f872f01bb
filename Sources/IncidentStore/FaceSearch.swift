import Foundation
import GRDB
import RecognitionKit

/// One face track that matched a query photo.
public struct FaceHit: Sendable, Codable {
    public var faceTrackID: Int64
    public var at: CameraTime
    public var distance: Double
    /// 1 at distance 0, 0 at the threshold.
    public var confidence: Double
    public var quality: Double
    public var junk: Bool
    /// `list/entry` of the watchlist hits on this track, space-separated (set by searches).
    public var watchlist: String?
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
            let zone = config.zone
            return try matches.compactMap { m in
                guard let r = try Row.fetchOne(db, sql: """
                    SELECT s.quality, s.junk, \(CameraTime.columns) FROM face_track s \(CameraTime.joins) WHERE s.id = ?
                    """, arguments: [m.id]) else { return nil }
                return FaceHit(faceTrackID: m.id, at: CameraTime(r, zone: zone),
                               distance: (Double(m.distance) * 10_000).rounded() / 10_000,
                               confidence: max(0, (1 - Double(m.distance / threshold)) * 1000).rounded() / 1000,
                               quality: r["quality"], junk: r["junk"])
            }
        }
    }

    /// Brings the face-vector file beside the incident up to date (`index` calls it, so the
    /// first search after a run does not pay for building it).
    public func refreshFaceVectors() throws {
        _ = try db.read { try FaceVectors.load(self, $0) }
    }
}
