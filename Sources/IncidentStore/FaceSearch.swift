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
    /// Through the face index beside the file when there is a current one, unless `scan` asks for
    /// the flat scan (the reference).
    public func searchFaces(_ query: [Float], threshold: Float = FaceEngine.samePersonThreshold, top: Int = 10,
                            filter: SearchFilter = SearchFilter(), includeJunk: Bool = true, scan: Bool = false) throws -> [FaceHit] {
        try searchFaces(query, threshold: threshold, top: top, filter: filter, includeJunk: includeJunk, scan: scan, probes: nil)
    }

    func searchFaces(_ query: [Float], threshold: Float, top: Int, filter: SearchFilter, includeJunk: Bool, scan: Bool,
                     probes: Int?) throws -> [FaceHit] {
        try db.read { db in
            // The flat vector file (built on first use after indexing); the index, when current,
            // names the rows worth measuring; then details for the top k.
            let vectors = try FaceVectors.load(self, db)
            let candidates = scan ? nil : try faceIndexCache.index(for: self, vectors: vectors)?
                .candidates(near: query, within: threshold, probes: probes)
            let matches = vectors.nearest(to: query, k: top, maxDistance: threshold, cameras: try filter.cameraSet(db),
                                          from: filter.from, to: filter.to, includeJunk: includeJunk, candidates: candidates)
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

    /// Brings the face-vector file and the face index beside the incident up to date (`index`,
    /// `nightly` and `merge` call it, so no search pays for building them); the index is built
    /// from `indexFrom` face tracks on.
    public func refreshFaceVectors(indexFrom minimumRows: Int = Incident.faceIndexFrom) throws {
        try db.read { db in
            let vectors = try FaceVectors.load(self, db)
            guard mode == .readWrite else { return }
            try FaceIndex.refresh(for: self, vectors: vectors, minimumRows: minimumRows)
        }
    }

    /// Below this many face tracks a flat scan takes a few milliseconds: no face index is built.
    public static let faceIndexFrom = 100_000

    /// Whether a current face index stands beside the file.
    public var hasFaceIndex: Bool {
        (try? db.read { db in faceIndexCache.index(for: self, vectors: try FaceVectors.load(self, db)) != nil }) ?? false
    }
}

@_spi(Bench) extension Incident {
    /// A face search through the index probing `probes` lists (the bench's recall sweep).
    public func searchFaces(_ query: [Float], top: Int, probes: Int) throws -> [FaceHit] {
        try searchFaces(query, threshold: FaceEngine.samePersonThreshold, top: top, filter: SearchFilter(), includeJunk: true, scan: false, probes: probes)
    }

    /// The face index's lists, nil when there is no current index.
    public func faceIndexLists() throws -> Int? {
        try db.read { db in faceIndexCache.index(for: self, vectors: try FaceVectors.load(self, db))?.lists }
    }
}
