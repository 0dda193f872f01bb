import Foundation
@_spi(Bench) import IncidentStore
import RecognitionKit
import Watchlists

/// A watchlist recheck at scale, through `Watchlist.check` itself: GALLERY enrolled photos
/// (people of 10 photos each, clustered as real enrolments are) against a synthetic incident of
/// TRACKS face tracks of 5 faces (1,000 tracks per file; one track in 200 is an enrolled person).
/// The baseline — the per-face SIMD scan — runs on the first BASELINE tracks, in their own
/// incident, beside the matrix check of the same tracks (same hits required); then the matrix
/// check rechecks all TRACKS. Files are built once under DIR and reused.
func watchlistRecheck(_ a: [String]) throws {
    guard a.count >= 3, let trackCount = Int(a[1]), let galleryCount = Int(a[2]) else { throw CocoaError(.featureUnsupported) }
    let dir = a[0], baselineCount = a.count > 3 ? Int(a[3]) ?? 5_000 : 5_000
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var rng = SplitMix(seed: 7)
    func gaussian() -> Float {
        let u = max(Float(rng.next() % 1_000_000) / 1_000_000, 1e-7), v = Float(rng.next() % 1_000_000) / 1_000_000
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
    func normalised(_ v: [Float]) -> [Float] { let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot(); return v.map { $0 / n } }
    // Faces share a component, as real descriptors do: different people ~0.7–1.1 apart, photos of one person ~0.3–0.5.
    let shared = normalised((0..<128).map { _ in gaussian() })
    func person() -> [Float] { normalised(zip(shared, normalised((0..<128).map { _ in gaussian() })).map { 0.75 * $0 + $1 }) }
    func photo(of p: [Float]) -> [Float] { normalised(p.map { $0 + 0.021 * gaussian() }) }
    let people = (0..<(galleryCount / 10)).map { _ in person() }

    let watchlistPath = "\(dir)/watchlist-\(galleryCount).db"
    if !FileManager.default.fileExists(atPath: watchlistPath) {
        let t0 = Date()
        let entries = people.enumerated().map { i, p in
            Watchlist.Entry(id: "P\(i)", name: "person \(i)", photos: (0..<10).map { j in
                let e = photo(of: p)
                return Watchlist.Photo(sha256: String(format: "%016x%016x", i, j), file: "p\(i)-\(j).jpg", quality: 0.9, model: "bench",
                                       embedding: e.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString())
            })
        }
        let json = "\(dir)/watchlist-\(galleryCount).json"
        try JSONEncoder().encode(Watchlist.Export(list: "inmates", kind: .faces, description: "bench", entries: entries)).write(to: URL(fileURLWithPath: json))
        _ = try Watchlist(path: watchlistPath + ".tmp", create: true).importJSON(json)   // closed before the rename
        try FileManager.default.moveItem(atPath: watchlistPath + ".tmp", toPath: watchlistPath)
        try? FileManager.default.removeItem(atPath: json)
        print(String(format: "generated %@: %d photos of %d people in %.0f s", watchlistPath, galleryCount, people.count, Date().timeIntervalSince(t0)))
    }
    func incident(_ tracks: Int) throws -> Incident {
        let path = "\(dir)/recheck-\(tracks)-\(galleryCount).forensic"
        if FileManager.default.fileExists(atPath: path) { return try Incident(path: path) }
        let t0 = Date()
        var local = SplitMix(seed: 11)   // the same tracks in the same order whatever the size
        let cams = (1...100).map { Camera(id: String(format: "CAM%04d", $0), name: "camera \($0)", site: "", zone: "") }
        // The incident is closed before the rename.
        try {
            let building = try Incident.create(at: path + ".tmp", config: IncidentConfig(name: "recheck bench", from: Date(timeIntervalSince1970: 1_790_000_000),
                                                                                       to: Date(timeIntervalSince1970: 1_790_086_400), archive: "/archive"), cameras: cams)
            let files = (tracks + 999) / 1000
            try building.addSyntheticFiles((1...max(files, 1)).map { f in ("f\(f).mp4", cams[(f - 1) % 100].id, 1_790_000_000.0) })
            try building.addSyntheticFaceTracks(count: tracks) { t in
                let f = t / 1000 + 1
                let enrolled = local.next() % 200 == 0
                let who = enrolled ? people[Int(local.next() % UInt64(people.count))] : person()
                return (Int64(f), cams[(f - 1) % 100].id, 1_790_000_000.0, (0..<5).map { _ in photo(of: who) })
            }
        }()
        try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
        print(String(format: "generated %@: %d face tracks x 5 faces in %.0f s", path, tracks, Date().timeIntervalSince(t0)))
        return try Incident(path: path)
    }
    let watchlist = try Watchlist(path: watchlistPath)
    func timed(_ incident: Incident, _ scan: GalleryScan) throws -> (seconds: Double, hits: [String]) {
        let t0 = Date()
        let s = try watchlist.check(incident, recheck: true, scan: scan)
        let seconds = Date().timeIntervalSince(t0)
        let hits = try incident.faceHitKeys()
        precondition(s.faceTracks > 0)
        return (seconds, hits)
    }
    let small = try incident(baselineCount)
    let flat = try timed(small, .perFace), matrix = try timed(small, .matrix)
    let same = flat.hits == matrix.hits
    let perTrackFlat = flat.seconds / Double(baselineCount), perTrackMatrix = matrix.seconds / Double(baselineCount)
    print(String(format: "%d tracks x 5 faces against %d photos: per-face scan %.1f s, matrix %.1f s (%.1fx); %d hits, %@",
                 baselineCount, galleryCount, flat.seconds, matrix.seconds, flat.seconds / matrix.seconds, matrix.hits.count,
                 same ? "the same hits" : "DIFFERENT HITS" as NSString))
    print(String(format: "per indexed hour of the busy scene (~360 tracks): per-face scan %.1f s, matrix %.1f s",
                 360 * perTrackFlat, 360 * perTrackMatrix))
    if trackCount > baselineCount {
        let big = try incident(trackCount)
        let full = try timed(big, .matrix)
        print(String(format: "recheck of %d tracks against %d photos (matrix, %d cores): %.1f min measured; per-face scan at its rate above: %.0f min (%.1fx); %d hits",
                     trackCount, galleryCount, ProcessInfo.processInfo.activeProcessorCount, full.seconds / 60,
                     perTrackFlat * Double(trackCount) / 60, perTrackFlat * Double(trackCount) / full.seconds, full.hits.count))
    }
    guard same else { throw CocoaError(.featureUnsupported) }
}
