import Foundation
import GRDB

/// Synthetic loads for `forensic-bench` (search, archive and watchlist benches), written by the
/// store that owns the schema: millions of rows in one transaction each, without models or
/// footage. Not part of the tool's API (`@_spi(Bench)`).
@_spi(Bench) extension Incident {
    /// Source files marked indexed, hour-long: `(path, camera, start)` for each.
    public func addSyntheticFiles(_ files: [(path: String, camera: String, start: Double)]) throws {
        try db.write { db in
            let file = try db.makeStatement(sql: "INSERT INTO source_file (path, size, camera_id, start_utc, duration, status) VALUES (?, 0, ?, ?, 3600, 'indexed')")
            for f in files { try file.execute(arguments: [f.path, f.camera, f.start]) }
        }
    }

    /// Plate sightings (3 reads each, a third with one OCR confusion) spread over the first `files`
    /// files (ids 1…), `cameras` in turn, from `start`. With `regulars` (a city's traffic), 40% of
    /// the sightings are those plates again, a few of them very often (commuters, taxis, buses),
    /// and one sighting in twenty has a read cut short by the frame's edge (its last character lost).
    public func addSyntheticPlates(cameras: [Camera], files: Int, reads: Int, start: Double, regulars: [String] = [],
                                   rng: inout SplitMix) throws {
        try db.write { db in
            // A page cache that holds the growing indexes (SQLite's default 2 MB made a 10 M-read load crawl).
            try db.execute(sql: "PRAGMA cache_size = -1000000")
            func plate() -> String {
                guard !regulars.isEmpty, rng.next() % 10 < 4 else { return rng.plate() }
                // Cubed: the first regulars come back far more often than the last.
                let u = Double(rng.next() % 1_000_000) / 1_000_000
                return regulars[Int(Double(regulars.count) * u * u * u)]
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
                let cut = !regulars.isEmpty && rng.next() % 20 == 0
                for r in 0..<3 {
                    let t = r == 2 ? String(variant) : (r == 1 && cut ? String(p.dropLast()) : p)
                    try read.execute(arguments: [sid, f, pts + Double(r) * 0.5, utc + Double(r) * 0.5, t, t])
                    try text.execute(arguments: [sid, t, PlateCanon.fold(t)])
                }
            }
        }
    }

    /// `count` face tracks, each made by `make(i)`: its file id, camera, start, and its faces'
    /// descriptors (the first is the track's; with more than one, each is stored as a face).
    public func addSyntheticFaceTracks(count: Int, _ make: (Int) -> (file: Int64, camera: String, start: Double, faces: [[Float]])) throws {
        try db.write { db in
            try db.execute(sql: "PRAGMA cache_size = -1000000")
            let track = try db.makeStatement(sql: """
                INSERT INTO face_track (file_id, camera_id, first_pts, last_pts, first_utc, last_utc, faces, best_pts, quality, junk, embedding)
                VALUES (?, ?, 0, 2, ?, ?, 5, 1, 0.8, 0, ?)
                """)
            let face = try db.makeStatement(sql: """
                INSERT INTO face (track_id, file_id, pts, box_x, box_y, box_w, box_h, score, landmarks, inter_eye, sharpness, frontal, quality, junk, embedding, model)
                VALUES (?, ?, ?, 0, 0, 60, 60, 1, '[]', 30, 1, 1, ?, 0, ?, 'bench')
                """)
            for i in 0..<count {
                let t = make(i)
                try track.execute(arguments: [t.file, t.camera, t.start, t.start + 2, embeddingBlob(t.faces[0])])
                guard t.faces.count > 1 else { continue }
                let id = db.lastInsertedRowID
                for (k, e) in t.faces.enumerated() {
                    try face.execute(arguments: [id, t.file, Double(k) * 0.4, 0.9 - Double(k) * 0.1, embeddingBlob(e)])
                }
            }
        }
    }

    /// Plate texts spread over the file (every 997th sighting), for queries that find something.
    public func sampleSightingTexts(limit: Int) throws -> [String] {
        try db.read { try String.fetchAll($0, sql: "SELECT text FROM plate_sighting WHERE id % 997 = 1 LIMIT ?", arguments: [limit]) }
    }

    /// Every face track's descriptor, by id.
    public func faceTrackDescriptors() throws -> [(id: Int64, descriptor: [Float])] {
        try db.read { db in
            var out: [(id: Int64, descriptor: [Float])] = []
            let c = try Row.fetchCursor(db, sql: "SELECT id, embedding FROM face_track ORDER BY id")
            while let r = try c.next() { out.append((r["id"], embeddingFloats(r["embedding"]))) }
            return out
        }
    }

    /// `track:entry` of every face hit, sorted: two checks that agree give the same list.
    public func faceHitKeys() throws -> [String] {
        try db.read { try String.fetchAll($0, sql: "SELECT face_track_id || ':' || entry_ref FROM watchlist_hit WHERE kind = 'face' ORDER BY 1") }
    }
}

/// Deterministic generator for reproducible benchmark data.
@_spi(Bench) public struct SplitMix {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A plate of 2–3 letters and 3–4 digits.
    public mutating func plate() -> String {
        let letters = Array("ABCDEFGHJKLMNPQRSTVWXYZ"), digits = Array("0123456789")
        let l = next() % 2 == 0 ? 3 : 2, d = next() % 2 == 0 ? 3 : 4
        return String((0..<l).map { _ in letters[Int(next() % UInt64(letters.count))] })
            + String((0..<d).map { _ in digits[Int(next() % 10)] })
    }
}
