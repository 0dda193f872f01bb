import Foundation
import GRDB
import IncidentStore
import RecognitionKit

/// What checking an incident against the watchlist found.
public struct HitCheckSummary: Sendable, Codable {
    public var watchlist: String
    public var files = 0
    public var sightings = 0
    public var faceTracks = 0
    public var plateHits = 0
    public var faceHits = 0

    enum CodingKeys: String, CodingKey {
        case watchlist, files, sightings
        case faceTracks = "face_tracks", plateHits = "plate_hits", faceHits = "face_hits"
    }
}

/// How a face check meets the enrolled gallery (see `Watchlist.check`).
public enum GalleryScan: String, Sendable {
    case matrix, perFace = "per-face"
}

extension Watchlist {
    /// Checks the incident's indexed files against every list: each plate sighting (its voted
    /// text, every read and every candidate) against the wanted plates, each face track (every
    /// face of it) against every enrolled photo. Files already checked against the lists as they
    /// stand now are skipped unless `recheck`; a file checked again has its old hits replaced.
    /// One transaction per file, so an interrupted check loses nothing and resumes. `scan` picks how
    /// faces meet the gallery: one matrix product per file (the default), or the per-face SIMD
    /// scan it replaced (the bench's baseline; both give the same hits).
    public func check(_ incident: Incident, recheck: Bool = false,
                      faceThreshold: Float = FaceEngine.samePersonThreshold,
                      scan: GalleryScan = .matrix) throws -> HitCheckSummary {
        let fp = try fingerprint()
        var summary = HitCheckSummary(watchlist: fp)
        let plates = try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT l.name AS list, e.ref, e.name, p.text, p.max_distance FROM plate p
                JOIN entry e ON e.id = p.entry_id JOIN list l ON l.id = e.list_id ORDER BY l.name, e.ref
                """).map { (list: $0["list"] as String, ref: $0["ref"] as String, name: $0["name"] as String,
                            text: $0["text"] as String, maxDistance: $0["max_distance"] as Double) }
        }
        let matcher = PlateMatcher(plates.map { ($0.text, $0.maxDistance) })
        let faces = try faceGallery()
        let matrix = DescriptorBatchMatcher(scan == .matrix ? faces.map(\.embedding) : [])
        var gallery = DescriptorIndex()
        if scan == .perFace { for (i, g) in faces.enumerated() { gallery.append(id: Int64(i), descriptor: g.embedding) } }
        if scan == .matrix { FaceEngine.setBLASThreads(ProcessInfo.processInfo.activeProcessorCount) }
        let now = Date()
        for file in try incident.filesToCheck(watchlist: fp, recheck: recheck) {
            let subjects = try incident.subjects(ofFile: file, plates: !plates.isEmpty, faces: !faces.isEmpty)
            var hits: [WatchlistHitRecord] = []
            for s in subjects.sightings {
                summary.sightings += 1
                for (i, m) in matcher.matches([s.voted] + s.texts) {
                    let p = plates[i]
                    hits.append(WatchlistHitRecord(list: p.list, entryRef: p.ref, entryName: p.name, kind: "plate", sightingID: s.id, faceTrackID: nil,
                                                   match: m.text == s.voted && m.distance == 0 ? "exact" : m.distance == 0 ? "candidate" : "near",
                                                   matched: m.text, distance: m.distance, quality: nil))
                }
            }
            if !subjects.tracks.isEmpty {
                let tracks = subjects.tracks
                var queries: [[Float]] = [], owner: [Int] = []
                for (i, t) in tracks.enumerated() {
                    for e in t.faces where e.count == DescriptorIndex.dimensions { queries.append(e); owner.append(i) }
                }
                summary.faceTracks += tracks.count
                // Per track, each enrolled person's closest photo to any of its faces.
                struct Person: Hashable { let list: String, ref: String }
                var best = [[Person: (distance: Float, photo: Int)]](repeating: [:], count: tracks.count)
                func consider(_ query: Int, _ photo: Int, _ distance: Float) {
                    let g = faces[photo], who = Person(list: g.list, ref: g.ref)
                    if distance < (best[owner[query]][who]?.distance ?? .infinity) { best[owner[query]][who] = (distance, photo) }
                }
                switch scan {
                case .matrix:
                    for p in try matrix.pairs(queries, within: faceThreshold) { consider(p.query, p.gallery, p.distance) }
                case .perFace:
                    for (i, q) in queries.enumerated() {
                        for m in gallery.nearest(to: q, k: faces.count, maxDistance: faceThreshold) where m.distance < faceThreshold {
                            consider(i, Int(m.id), m.distance)
                        }
                    }
                }
                for (i, t) in tracks.enumerated() {
                    for (who, b) in best[i].sorted(by: { ($0.value.distance, $0.value.photo) < ($1.value.distance, $1.value.photo) }) {
                        let g = faces[b.photo]
                        hits.append(WatchlistHitRecord(list: who.list, entryRef: who.ref, entryName: g.name, kind: "face", sightingID: nil, faceTrackID: t.id,
                                                       match: "face", matched: g.photo, distance: Double(b.distance), quality: t.quality))
                    }
                }
            }
            try incident.replaceHits(fileID: file, watchlist: fp, hits: hits, checkedAt: now)
            summary.files += 1
        }
        let counts = try incident.hitCounts()
        (summary.plateHits, summary.faceHits) = counts
        if summary.files > 0 {
            try incident.audit("watchlist-check", "\(path) (\(fp)): \(summary.files) files\(recheck ? " (recheck)" : ""); \(counts.0) plate hits, \(counts.1) face hits in the incident")
        }
        return summary
    }
}

/// Wanted plates indexed for near matches without comparing every read with every plate. Within
/// an OCR-aware distance under 2 (the allowances one wrong character or a few confusions give),
/// two texts share a key: their folded forms (confusions such as 8/B made equal), or their folded
/// forms with one character deleted (a substitution deletes the same position in both; an
/// insertion in one is a deletion from the other). Keys only propose; `plateDistance` decides.
/// Entries allowed 2 or more are compared with every text.
public struct PlateMatcher: Sendable {
    private var keys: [String: [Int]] = [:]
    private var wide: [Int] = []
    private let entries: [(text: String, maxDistance: Double)]

    public init(_ entries: [(text: String, maxDistance: Double)]) {
        self.entries = entries
        for (i, e) in entries.enumerated() {
            if e.maxDistance >= 2 { wide.append(i); continue }
            for k in Self.keys(e.text) { keys[k, default: []].append(i) }
        }
    }

    static func keys(_ text: String) -> Set<String> {
        // 1/T is a confusion too, across two fold classes: merge them here (more proposals, never fewer).
        let folded = PlateCanon.fold(text).map { $0 == "7" ? "1" : $0 }
        return Set([String(folded)] + PlateCanon.deletions(String(folded)))
    }

    /// Each entry any of `texts` matches, with the closest text and its distance.
    public func matches(_ texts: [String]) -> [(Int, (text: String, distance: Double))] {
        var best: [Int: (text: String, distance: Double)] = [:]
        for t in texts {
            var candidates = Set(wide)
            for k in Self.keys(t) { candidates.formUnion(keys[k] ?? []) }
            for i in candidates {
                let e = entries[i]
                let d = t == e.text ? 0 : plateDistance(t, e.text)
                if d <= e.maxDistance, d < (best[i]?.distance ?? .infinity) { best[i] = (t, d) }
            }
        }
        return best.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
