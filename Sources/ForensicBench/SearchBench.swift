import Foundation
import GRDB
import IncidentStore
import RecognitionKit

/// Builds (once) a synthetic incident with `reads` plate reads and `faces` face embeddings, then
/// times plate queries (exact, wildcard, substring, near miss) and face top-10: p50 and p95 in ms.
func searchBench(_ a: [String]) throws {
    guard a.count >= 3, let reads = Int(a[1]), let faces = Int(a[2]) else { throw CocoaError(.featureUnsupported) }
    let path = a[0]
    var rng = SplitMix(seed: 42)
    if !FileManager.default.fileExists(atPath: path) {
        let t0 = Date()
        let cams = (1...300).map { Camera(id: String(format: "CAM%04d", $0), name: "camera \($0)", site: "site \($0)", zone: $0 <= 150 ? "Red Zone" : "Airport") }
        let incident = try Incident.create(at: path, config: IncidentConfig(name: "bench", from: Date(timeIntervalSince1970: 1_790_000_000),
                                                                           to: Date(timeIntervalSince1970: 1_790_086_400), archive: "/archive"),
                                           cameras: cams)
        try incident.db.write { db in
            let files = 1200
            let file = try db.makeStatement(sql: "INSERT INTO source_file (path, size, camera_id, start_utc, duration, status) VALUES (?, 0, ?, ?, 3600, 'indexed')")
            for i in 0..<files { try file.execute(arguments: ["f\(i).mp4", cams[i % 300].id, 1_790_000_000 + Double(i / 300) * 3600]) }
            try fillSyntheticPlates(db, cameras: cams, files: files, reads: reads, start: 1_790_000_000, rng: &rng)
            let track = try db.makeStatement(sql: """
                INSERT INTO face_track (file_id, camera_id, first_pts, last_pts, first_utc, last_utc, faces, best_pts, quality, junk, embedding)
                VALUES (?, ?, 0, 2, ?, ?, 5, 1, 0.8, 0, ?)
                """)
            for i in 0..<faces {
                var v = (0..<128).map { _ in Float(Int(rng.next() % 2001) - 1000) / 10_000 }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                v = v.map { $0 / norm * 0.9 }
                let f = i % files + 1
                try track.execute(arguments: [f, cams[(f - 1) % 300].id, 1_790_000_000.0 + Double(i), 1_790_000_002.0 + Double(i),
                                              v.withUnsafeBufferPointer { Data(buffer: $0) }])
            }
        }
        print(String(format: "generated %@: %d plate reads, %d face embeddings in %.0f s, %.0f MB", path, reads, faces,
                     Date().timeIntervalSince(t0), Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6))
    }
    let incident = try Incident(path: path)
    let samples = try incident.db.read { db in try String.fetchAll(db, sql: "SELECT text FROM plate_sighting WHERE id % 997 = 1 LIMIT 40") }
    func time(_ label: String, _ queries: [String], _ body: (String) throws -> Int) rethrows {
        _ = try body(queries[0])
        var ms: [Double] = []
        var found = 0
        for q in queries {
            let t0 = Date()
            found += try body(q)
            ms.append(Date().timeIntervalSince(t0) * 1000)
        }
        ms.sort()
        print(String(format: "%-28@ p50 %7.1f ms   p95 %7.1f ms   (%d queries, %.1f hits each)", label as NSString,
                     ms[ms.count / 2], ms[Int(Double(ms.count) * 0.95)], ms.count, Double(found) / Double(ms.count)))
    }
    try time("plate exact", samples) { try incident.searchPlates(PlatePattern($0), fuzzy: false).count }
    try time("plate wildcard (ABC12?)", samples.map { String($0.dropLast()) + "?" }) { try incident.searchPlates(PlatePattern($0)).count }
    try time("plate substring (*BC12*)", samples.map { "*" + String($0.dropFirst().prefix(4)) + "*" }) { try incident.searchPlates(PlatePattern($0), limit: 200).count }
    try time("plate near miss (8/B, 0/O…)", samples.map { String($0.map { ["B": "8", "0": "O", "S": "5", "1": "I"][$0] ?? $0 }) }) {
        try incident.searchPlates(PlatePattern($0)).count
    }
    try time("plate one wrong character", samples.map { s in var c = Array(s); c[c.count / 2] = c[c.count / 2] == "X" ? "Y" : "X"; return String(c) }) {
        try incident.searchPlates(PlatePattern($0)).count
    }
    let query = try incident.db.read { db in try Data.fetchOne(db, sql: "SELECT embedding FROM face_track WHERE id = 777")! }
    let qv = query.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }.map { $0 + 0.001 }
    // First query after indexing changed: builds the vector file beside the incident.
    try? FileManager.default.removeItem(atPath: incident.path + "-faces")
    let b0 = Date()
    _ = try incident.searchFaces(qv, top: 10)
    print(String(format: "%-28@ %7.1f ms   (once, when indexing has changed the incident)", "face top-10, building the vector file" as NSString,
                 Date().timeIntervalSince(b0) * 1000))
    try time("face top-10 (vector file, mapped)", Array(repeating: "", count: 20)) { _ in try incident.searchFaces(qv, top: 10).count }
    try time("face top-10, one camera filter", Array(repeating: "", count: 20)) { _ in
        try incident.searchFaces(qv, top: 10, filter: SearchFilter(cameras: ["CAM0001"])).count
    }
    var index = DescriptorIndex()
    try incident.db.read { db in
        let c = try Row.fetchCursor(db, sql: "SELECT id, embedding FROM face_track")
        while let r = try c.next() {
            let d: Data = r["embedding"]
            index.append(id: r["id"], descriptor: d.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
        }
    }
    time("face top-10 (in memory)", Array(repeating: "", count: 20)) { _ in index.nearest(to: qv, k: 10).count }
}


/// Plate sightings (3 reads each, a third with one OCR confusion) spread over `files` hour-long
/// files of `cameras` from `start`: the synthetic load of the search benches.
func fillSyntheticPlates(_ db: Database, cameras: [Camera], files: Int, reads: Int, start: Double, rng: inout SplitMix) throws {
    let letters = Array("ABCDEFGHJKLMNPQRSTVWXYZ"), digits = Array("0123456789")
    func plate() -> String {
        let l = rng.next() % 2 == 0 ? 3 : 2, d = rng.next() % 2 == 0 ? 3 : 4
        return String((0..<l).map { _ in letters[Int(rng.next() % UInt64(letters.count))] })
            + String((0..<d).map { _ in digits[Int(rng.next() % 10)] })
    }
    let sighting = try db.makeStatement(sql: """
        INSERT INTO plate_sighting (file_id, camera_id, text, display, confidence, first_pts, last_pts, first_utc, last_utc, reads, best_pts)
        VALUES (?, ?, ?, ?, 0.9, ?, ?, ?, ?, 3, ?)
        """)
    let read = try db.makeStatement(sql: """
        INSERT INTO plate_read (sighting_id, file_id, pts, utc, box_x, box_y, box_w, box_h, text, display, confidence, candidates, model)
        VALUES (?, ?, ?, ?, 10, 10, 100, 30, ?, ?, 0.9, '[]', 'bench')
        """)
    let text = try db.makeStatement(sql: "INSERT OR IGNORE INTO plate_text (sighting_id, text, canon, confidence) VALUES (?, ?, ?, 0.9)")
    for s in 0..<(reads / 3) {
        let p = plate(), f = s % files + 1
        let pts = Double(rng.next() % 3600), utc = start + Double((f - 1) / cameras.count) * 3600 + pts
        try sighting.execute(arguments: [f, cameras[(f - 1) % cameras.count].id, p, p, pts, pts + 2, utc, utc + 2, pts + 1])
        let sid = db.lastInsertedRowID
        // A third of the reads carry one OCR confusion, as real reads do.
        var variant = Array(p)
        let k = Int(rng.next() % UInt64(variant.count))
        variant[k] = ["0": "O", "8": "B", "1": "I", "5": "S", "B": "8", "S": "5"][variant[k]] ?? variant[k]
        for r in 0..<3 {
            let t = r == 2 ? String(variant) : p
            try read.execute(arguments: [sid, f, pts + Double(r) * 0.5, utc + Double(r) * 0.5, t, t])
            try text.execute(arguments: [sid, t, PlateCanon.fold(t)])
        }
    }
}

/// Deterministic generator for reproducible benchmark data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
