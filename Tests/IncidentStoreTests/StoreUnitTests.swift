import Foundation
import GRDB
import Testing
@_spi(Bench) @testable import IncidentStore
@testable import Indexing
@testable import RecognitionKit
import VideoDecode

@Suite struct LayoutTests {
    let karachi = TimeZone(identifier: "Asia/Karachi")!

    @Test func timesAreWrittenInTheZoneWithItsOffset() {
        let t = Date(timeIntervalSince1970: 1_790_000_000)
        #expect(isoTime(t, karachi) == "2026-09-21T19:13:20+05:00")
        #expect(isoTime(t, TimeZone(identifier: "UTC")!) == "2026-09-21T14:13:20Z")
        #expect(isoTime(t, TimeZone(secondsFromGMT: -12_600)!) == "2026-09-21T10:43:20-03:30")
        #expect(isoTime(t.addingTimeInterval(0.9), karachi) == "2026-09-21T19:13:20+05:00", "whole seconds")
    }

    @Test func defaultLayoutGivesCameraAndUTCStart() throws {
        let l = try ArchiveLayout(timeZone: karachi)
        let m = try #require(l.match("CAM01/2026-11-20/140000.mp4"))
        #expect(m.camera == "CAM01")
        #expect(m.start == parseISOTime("2026-11-20T09:00:00Z"))
        #expect(l.match("CAM01/notes.txt") == nil)
        #expect(l.match("CAM01/2026-13-40/140000.mp4")?.start == nil, "an impossible date is not guessed")
    }

    @Test func customFormats() throws {
        let l = try ArchiveLayout("site-{any}/{camera}_{date:%Y%m%d}_{time:%H-%M-%S}.{ext}", timeZone: karachi)
        let m = try #require(l.match("site-north/GATE4_20261120_23-59-30.ts"))
        #expect(m.camera == "GATE4")
        #expect(m.start == parseISOTime("2026-11-20T18:59:30Z"))
        #expect(throws: StoreError.self) { try ArchiveLayout("{date}/{time}.mp4", timeZone: karachi) }
        #expect(throws: StoreError.self) { try ArchiveLayout("{camera}/{when}.mp4", timeZone: karachi) }
        #expect(throws: StoreError.self) { try ArchiveLayout("{camera}/{date:%Q}.mp4", timeZone: karachi) }
        // Found by make fuzz: a token with nothing before its ':' used to trap (index out of range).
        #expect(throws: StoreError.self) { try ArchiveLayout("{camera}/{:%Y}.mp4", timeZone: karachi) }
        let fuzzed = try Data(contentsOf: Support.root.appendingPathComponent("Tests/fixtures/fuzz/layout-a579820fbbf1"))
        #expect(throws: StoreError.self) { try ArchiveLayout(String(decoding: fuzzed, as: UTF8.self), timeZone: karachi) }
        #expect(throws: StoreError.self) { try ArchiveLayout("{camera}/\u{0}{date}.mp4", timeZone: karachi) }
    }
}

@Suite struct CameraListTests {
    @Test func readsTheSampleRegistry() throws {
        let cams = try CameraRegistry.load(Support.cameras)
        #expect(cams.count == 4 && cams[0].id == "CAM01" && cams[0].zone == "Red Zone")
        #expect(cams[0].latitude != nil)
    }

    @Test(arguments: [
        ("id,name\nCAM1,x\n", "header must be"),
        ("id,name,site,zone,latitude,longitude\nCAM1,x,s,z,91,0\n", "line 2: latitude"),
        ("id,name,site,zone,latitude,longitude\nCAM1,x,s,z,1,2\nCAM1,y,s,z,1,2\n", "line 3: duplicate"),
        ("id,name,site,zone,latitude,longitude\nCAM 1;DROP,x,s,z,,\n", "line 2: camera id"),
        ("id,name,site,zone,latitude,longitude\nCAM1,x,s\n", "line 2: expected 6 fields"),
    ])
    func malformedListsNameTheLine(csv: String, message: String) throws {
        let path = try Support.tempDir().appendingPathComponent("cams.csv")
        try Data(csv.utf8).write(to: path)
        do {
            _ = try CameraRegistry.load(path.path)
            Issue.record("should fail")
        } catch let e as StoreError {
            #expect(e.description.contains("cams.csv") && e.description.contains(message), "\(e)")
        }
    }
}

@Suite struct PlateQueryTests {
    @Test func patternsAreNormalisedAndHostileOnesRefused() throws {
        #expect(try PlatePattern("bkn-12?").normalised == "BKN12?")
        #expect(try PlatePattern(" *KN1* ").isWildcard)
        for hostile in ["'; DROP TABLE plate_sighting; --", "BKN\"123", "%", "", "\u{0}BKN", String(repeating: "A", count: 40)] {
            #expect(throws: StoreError.self) { try PlatePattern(hostile) }
        }
    }

    @Test func confusionsAreCheaperThanOtherEdits() {
        #expect(plateDistance("8KN123", "BKN123") == 0.4)
        #expect(plateDistance("BKN1Z3", "BKN123") == 0.4)
        #expect(plateDistance("XKN123", "BKN123") == 1)
        #expect(plateDistance("BKN12", "BKN123") == 1)
    }
}

@Suite struct GroupingTests {
    func read(_ text: String, _ conf: Double) -> PlateRead {
        PlateRead(box: PixelRect(x: 0, y: 0, w: 10, h: 5), detectorScore: 1, text: text, raw: text, display: text, confidence: conf,
                  characterConfidences: [], candidates: [PlateCandidate(text: text, confidence: conf)], format: nil, correction: nil,
                  lines: 1, detector: "text", model: "m")
    }

    @Test func readsOfOnePassBecomeOneSightingWithTheVotedText() {
        let reads = [TimedPlateRead(pts: 2, read: read("BKN123", 0.9), crop: nil),
                     TimedPlateRead(pts: 2.5, read: read("BKN12", 0.5), crop: nil),
                     TimedPlateRead(pts: 3, read: read("BKN123", 0.95), crop: nil),
                     TimedPlateRead(pts: 3.5, read: read("LEA4521", 0.9), crop: nil),
                     TimedPlateRead(pts: 20, read: read("BKN123", 0.9), crop: nil)]
        let s = Grouping.sightings(reads)
        #expect(s.count == 3)
        #expect(s[0].text == "BKN123" && s[0].reads.count == 3 && s[0].firstPTS == 2 && s[0].lastPTS == 3 && s[0].bestPTS == 3)
        #expect(s[0].texts.keys.contains("BKN12"), "every read's text stays searchable")
        #expect(s[1].text == "LEA4521")
        #expect(s[2].firstPTS == 20, "a later pass is a new sighting")
    }

    @Test func readsCutByThePictureEdgeSupportTheWholeRead() {
        // A car enters (KN123, cut), passes (BKN123 twice) and leaves (BKN12, cut).
        let reads = [TimedPlateRead(pts: 3, read: read("KN123", 0.99), crop: nil, cut: true),
                     TimedPlateRead(pts: 4, read: read("BKN123", 0.98), crop: nil),
                     TimedPlateRead(pts: 5, read: read("BKN123", 0.99), crop: nil),
                     TimedPlateRead(pts: 7, read: read("BKN12", 0.99), crop: nil, cut: true)]
        let s = Grouping.sightings(reads)
        #expect(s.count == 1 && s[0].text == "BKN123" && s[0].confidence == 0.99, "\(s.map { ($0.text, $0.confidence) })")
        // Uncut, a shorter read is a disagreement, and a longer one does not borrow the others' votes.
        let uncut = Grouping.sightings([TimedPlateRead(pts: 4, read: read("BKN123", 0.9), crop: nil),
                                        TimedPlateRead(pts: 5, read: read("BKN1234", 0.5), crop: nil),
                                        TimedPlateRead(pts: 6, read: read("BKN12", 0.8), crop: nil)])
        #expect(uncut.count == 1 && uncut[0].text == "BKN123" && uncut[0].confidence < 0.5)
    }

    @Test func carriedLooksExtendASightingButNeitherVoteNorCountAsReads() {
        let reads = [TimedPlateRead(pts: 1, read: read("BKN123", 0.95), crop: nil),
                     TimedPlateRead(pts: 2, read: read("BKN123", 0.97), crop: nil),
                     TimedPlateRead(pts: 3, read: read("BKN123", 0.97), crop: nil, carried: true),
                     TimedPlateRead(pts: 4, read: read("BKN123", 0.97), crop: nil, carried: true)]
        let s = Grouping.sightings(reads)
        #expect(s.count == 1 && s[0].reads.count == 2 && s[0].firstPTS == 1 && s[0].lastPTS == 4)
    }

    @Test func aCharacterWiseVoteMendsReadsThatAreEachWrongSomewhere() {
        // Three frames of LEA4521, each misread at a different place: no single read is right.
        let reads = ["LFA4521", "LEA4S21", "LEA4527"].enumerated().map { i, t in
            TimedPlateRead(pts: Double(i), read: read(t, 0.8), crop: nil)
        }
        let s = Grouping.sightings(reads)
        #expect(s.count == 1 && s[0].text == "LEA4521", "\(s.map(\.text))")
        #expect(s[0].texts.keys.contains("LFA4521") && s[0].texts.keys.contains("LEA4521"), "every read and the vote stay searchable")
        #expect(s[0].confidence < 0.8, "the disagreements cost confidence: \(s[0].confidence)")
        // A read with an extra character aligns instead of shifting every position.
        let shifted = Grouping.sightings(["LEA4521", "LEA45211", "LEA4521"].enumerated().map { i, t in
            TimedPlateRead(pts: Double(i), read: read(t, 0.9), crop: nil)
        })
        #expect(shifted.map(\.text) == ["LEA4521"])
        #expect(Grouping.relayout("LEA-4527", "LEA4521") == "LEA-4521")
    }

    @Test func theRawReadOfACorrectedPlateIsFoundBySearch() throws {
        // The reader read 8KN123; the format corrected it to BKN123. Both must find the sighting.
        var corrected = read("BKN123", 0.7)
        corrected.raw = "8KN123"
        corrected.correction = PlateCorrection(from: "8KN123", to: "BKN123", cost: 0.4)
        corrected.candidates = [PlateCandidate(text: "BKN123", confidence: 0.7), PlateCandidate(text: "8KN123", confidence: 0.6)]
        let sightings = Grouping.sightings([TimedPlateRead(pts: 1, read: corrected, crop: nil)])
        let dir = try Support.tempDir()
        let start = parseISOTime("2026-11-20T09:00:00Z")!
        let incident = try Incident.create(at: dir.appendingPathComponent("r.forensic").path,
                                           config: IncidentConfig(name: "r", from: start, to: start + 3600, archive: dir.path),
                                           cameras: [Camera(id: "A", name: "a")])
        try incident.db.write { db in
            try db.execute(sql: "INSERT INTO source_file (id, path, size, sha256, camera_id, start_utc, status) VALUES (1, 'A/x.mp4', 1, 'aa', 'A', ?, 'pending')",
                           arguments: [start.timeIntervalSince1970])
        }
        try incident.save(FileResult(sha256: "aa", stats: DecodeStats(), framesAnalysed: 1, sightings: sightings, tracks: [],
                                     plateModel: "m", faceModel: ""), fileID: 1, runID: try incident.startRun(models: [], parameters: "{}"),
                          fingerprint: "f")
        for query in ["BKN123", "8KN123"] {
            #expect(try incident.searchPlates(PlatePattern(query), fuzzy: false).map(\.text) == ["BKN123"], "\(query)")
        }
    }

    @Test func aReadThatNeverDeliversIsAbandonedNotWaitedFor() throws {
        // A FIFO that no one writes: open() blocks in the kernel, beyond FFmpeg's interrupt callback.
        let dir = try Support.tempDir()
        let fifo = dir.appendingPathComponent("stalled.mp4").path
        #expect(mkfifo(fifo, 0o600) == 0)
        var options = IndexOptions()
        options.plates = false
        options.faces = false
        let models = try RunModels(ModelStore(directory: Support.models), options, threads: 1)
        let analysis = FileAnalysis(options: options, stop: StopRequest(), plateModel: "")
        let began = Date()
        #expect {
            _ = try analysis.analyseGuarded(fifo, worker: Worker(Recognisers()), models: models, stallLimit: 1)
        } throws: { "\($0)".contains("read stalled") }
        #expect(Date().timeIntervalSince(began) < 10, "abandoned after the stall limit, not waited for")
        // Let the abandoned thread go: a writer opens and closes the FIFO.
        let w = open(fifo, O_WRONLY | O_NONBLOCK)
        if w >= 0 { close(w) }
    }

    @Test func motionGateFindsTheMovingRegionsAndSkipsStillFrames() throws {
        var gate = MotionGate()
        var a = Image(width: 160, height: 90, format: .gray, pixels: [UInt8](repeating: 100, count: 160 * 90))
        let first = gate.changedRegions(a), still = gate.changedRegions(a)
        #expect(first == [.whole], "the first frame is analysed whole")
        #expect(still == nil, "a still scene is skipped")
        for y in 40..<60 { for x in 100..<130 { a.pixels[y * 160 + x] = 200 } }
        let moved = gate.changedRegions(a)
        let one = try #require(moved)
        #expect(one.count == 1)
        let r = one[0]
        #expect(r.x <= 100.0 / 160 && r.x + r.w >= 130.0 / 160 && r.y <= 40.0 / 90 && r.y + r.h >= 60.0 / 90)
        #expect(r.w < 0.5, "only the changed part, not the whole frame")
        // Two things moving far apart are two regions, not the box around both.
        for y in 5..<15 { for x in 5..<20 { a.pixels[y * 160 + x] = 30 } }
        for y in 75..<88 { for x in 0..<15 { a.pixels[y * 160 + x] = 30 } }
        for y in 40..<60 { for x in 100..<130 { a.pixels[y * 160 + x] = 100 } }
        let apart = gate.changedRegions(a)
        let three = try #require(apart)
        #expect(three.count == 3, "\(three)")
        #expect(three.reduce(0) { $0 + $1.w * $1.h } < 0.4)
    }

    /// Track, then read once: the third look at a plate whose two reads agreed and were sure is
    /// not read again; a look at another plate nearby is.
    @Test func aTrackedPlateIsReadUntilSureThenCarried() {
        func picture(_ text: [UInt8], at x: Int) -> Image {
            var img = Image(width: 400, height: 100, format: .gray, pixels: [UInt8](repeating: 90, count: 400 * 100))
            for (i, v) in text.enumerated() { for yy in 40..<60 { for xx in 0..<8 { img.pixels[yy * 400 + x + i * 10 + xx] = v } } }
            return img
        }
        let plateA: [UInt8] = [250, 20, 250, 20, 20, 250], plateB: [UInt8] = [20, 250, 20, 250, 250, 20]
        var tracker = PlateTracker(maxGap: 1.5)
        var readerCalls = 0
        func look(_ img: Image, _ x: Int, _ pts: Double, _ text: String) -> Bool? {
            let d = PlateDetection(box: PixelRect(x: x - 4, y: 36, w: 66, h: 28), score: 1)
            return tracker.read(img, at: d, origin: (0, 0), pts: pts) { _ in readerCalls += 1; return GroupingTests().read(text, 0.97) }?.carried
        }
        #expect(look(picture(plateA, at: 20), 20, 1, "BKN123") == false)
        #expect(look(picture(plateA, at: 80), 80, 2, "BKN123") == false)
        #expect(look(picture(plateA, at: 140), 140, 3, "BKN123") == true, "two sure reads agreed: carried")
        #expect(readerCalls == 2)
        #expect(look(picture(plateB, at: 200), 200, 4, "LEA452") == false, "another plate's pixels: read")
        #expect(look(picture(plateA, at: 260), 260, 6, "BKN123") == false, "too long after the track's last look: read")
        #expect(readerCalls == 4 && tracker.reused == 1)
    }

    /// Faces (issue 21): described until two descriptors of the track agree, then carried; never
    /// for another face's pixels, a clearly better view, or a track whose descriptors disagree.
    @Test func aTrackedFaceIsDescribedUntilSureThenCarried() {
        func chip(_ seed: UInt64) -> Image {
            var state = seed &* 0x9e37_79b9_7f4a_7c15
            return Image(width: 150, height: 150, format: .rgb, pixels: (0..<(150 * 150 * 3)).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 56)
            })
        }
        func face(_ chip: Image, x: Int, quality: Double = 0.5, embedding: [Float] = []) -> Face {
            Face(box: PixelRect(x: x, y: 200, w: 90, h: 90), score: 1, landmarks: [],
                 quality: FaceQuality(interEyePixels: 30, sharpness: 100, frontal: 1, score: quality, isJunk: false), embedding: embedding, chip: chip)
        }
        let a = chip(1), b = chip(2)
        let e1 = [Float](repeating: 0.05, count: 128), e2 = e1.map { $0 + 0.005 }, far = e1.map { $0 + 0.05 }
        var tracker = FaceTracker(maxGap: 2.5)
        func look(_ f: Face, _ pts: Double, describedAs e: [Float]? = nil) -> [Float]? {
            let carried = tracker.carry(f, box: f.box, pts: pts)
            if carried == nil, let e { var d = f; d.embedding = e; tracker.described(d, box: d.box, pts: pts) }
            return carried
        }
        #expect(look(face(a, x: 100), 1, describedAs: e1) == nil)
        #expect(look(face(a, x: 430), 2, describedAs: e2) == nil, "moved 3.7 widths in a second (a walking face): same track, now sure")
        #expect(look(face(a, x: 760), 3) == e2, "carried: the best-described view so far")
        #expect(look(face(b, x: 1090), 4, describedAs: e1) == nil, "another face's pixels: described")
        #expect(look(face(a, x: 1420, quality: 0.8), 5, describedAs: e1) == nil, "a clearly better view: described")
        #expect(tracker.reused == 1)

        var unsure = FaceTracker(maxGap: 2.5)
        _ = unsure.carry(face(a, x: 100), box: face(a, x: 100).box, pts: 1)
        unsure.described(face(a, x: 100, embedding: e1), box: face(a, x: 100).box, pts: 1)
        unsure.described(face(a, x: 200, embedding: far), box: face(a, x: 200).box, pts: 2)
        #expect(unsure.carry(face(a, x: 300), box: face(a, x: 300).box, pts: 3) == nil, "descriptors 0.57 apart: not sure")
    }
}

@Suite struct PrivateFileTests {
    /// Written in pieces (as a vector file past 2 GiB is), read back whole, 0600, no temporary left.
    @Test func aFileWrittenInPiecesReadsBackWhole() throws {
        let dir = try Support.tempDir()
        let path = dir.appendingPathComponent("v").path
        let data = Data((0..<10_001).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) })
        #expect(PrivateFile.replace(path, with: Data("old".utf8)))
        #expect(PrivateFile.replace(path, with: data, chunk: 1_000))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == data)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["v"])
        #expect(!PrivateFile.replace(dir.appendingPathComponent("missing/v").path, with: data))
    }
}

@Suite struct FaceVectorFileTests {
    /// An incident with `n` face tracks on three cameras, one an hour apart, every fifth junk.
    func incident(tracks n: Int) throws -> (Incident, [[Float]]) {
        let dir = try Support.tempDir()
        let start = parseISOTime("2026-11-20T09:00:00Z")!
        let cams = [Camera(id: "A", name: "a", site: "north"), Camera(id: "B", name: "b", site: "north", zone: "red"),
                    Camera(id: "C", name: "c", site: "south", zone: "red")]
        let inc = try Incident.create(at: dir.appendingPathComponent("t.forensic").path,
                                      config: IncidentConfig(name: "t", from: start, to: start + 86_400, archive: dir.path), cameras: cams)
        var generator = SystemRandomNumberGenerator()
        let vectors = (0..<n).map { _ in (0..<128).map { _ in Float.random(in: -0.2...0.2, using: &generator) } }
        let t0 = start.timeIntervalSince1970
        try inc.db.write { db in
            try db.execute(sql: "INSERT INTO source_file (id, path, size, status) VALUES (1, 'x.mp4', 1, 'indexed')")
            for (i, v) in vectors.enumerated() {
                try db.execute(sql: """
                    INSERT INTO face_track (file_id, camera_id, first_pts, last_pts, first_utc, last_utc, faces, best_pts, quality, junk, embedding)
                    VALUES (1, ?, 0, 1, ?, ?, 1, 0, 0.5, ?, ?)
                    """, arguments: [cams[i % 3].id, t0 + Double(i) * 3600, t0 + Double(i) * 3600 + 5, i % 5 == 4, embeddingBlob(v)])
            }
            try Audit.append(db, actor: "test", action: "index", detail: "x.mp4")
        }
        return (inc, vectors)
    }

    @Test func filtersAndRanksLikeAFullScanAndFollowsNewIndexing() throws {
        let (inc, vectors) = try incident(tracks: 20)
        let query = vectors[7]
        let all = try inc.searchFaces(query, threshold: 10, top: 20)
        #expect(all.count == 20 && all.first?.faceTrackID == 8 && all.first?.distance == 0)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.distance <= $1.distance })
        #expect(FileManager.default.fileExists(atPath: inc.path + "-faces"))
        // Embeddings of bystanders: the incident, its WAL and the vector file are owner-only.
        for file in [inc.path, inc.path + "-wal", inc.path + "-faces"] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file): \(String(mode ?? 0, radix: 8))")
        }

        let start = parseISOTime("2026-11-20T09:00:00Z")!
        let filtered = try inc.searchFaces(query, threshold: 10, top: 20,
                                           filter: SearchFilter(sites: ["north"], from: start + 3 * 3600, to: start + 12 * 3600),
                                           includeJunk: false)
        // Tracks i = 3…12 on cameras A or B (i % 3 != 2), not junk (i % 5 != 4): ids i + 1.
        let kept: [Int] = Array(3...12).filter { (i: Int) -> Bool in i % 3 != 2 && i % 5 != 4 }
        let expected = Set(kept.map { Int64($0 + 1) })
        #expect(Set(filtered.map(\.faceTrackID)) == expected)
        #expect(try inc.searchFaces(query, threshold: 10, filter: SearchFilter(cameras: ["C"], zones: ["red"])).allSatisfy { $0.at.camera == "C" })

        // New indexing (another audit stamp) is seen: the file is rebuilt, not trusted.
        try inc.db.write { db in
            try db.execute(sql: "DELETE FROM face_track WHERE id = 8")
            try db.execute(sql: """
                INSERT INTO face_track (id, file_id, camera_id, first_pts, last_pts, faces, best_pts, quality, junk, embedding)
                VALUES (21, 1, 'A', 0, 1, 1, 0, 0.5, 0, ?)
                """, arguments: [embeddingBlob(query)])
            try Audit.append(db, actor: "test", action: "index", detail: "x.mp4 again")
        }
        #expect(try inc.searchFaces(query, threshold: 10, top: 1).first?.faceTrackID == 21)

        // A damaged file is rebuilt too.
        try Data("FORFACE1 but not really".utf8).write(to: URL(fileURLWithPath: inc.path + "-faces"))
        #expect(try inc.searchFaces(query, threshold: 10, top: 30).count == 20)
    }
}

@Suite struct FaceIndexTests {
    /// `people` people seen `each` times, every sighting their face plus a little noise (same person
    /// ≤ ~0.35 apart, two people ~1.2), on camera A, one a minute.
    func incident(people: Int, each: Int) throws -> (Incident, [[Float]]) {
        let dir = try Support.tempDir()
        let start = parseISOTime("2026-11-20T09:00:00Z")!
        let inc = try Incident.create(at: dir.appendingPathComponent("f.forensic").path,
                                      config: IncidentConfig(name: "f", from: start, to: start + 86_400, archive: dir.path),
                                      cameras: [Camera(id: "A", name: "a")])
        var generator = SystemRandomNumberGenerator()
        func unit(_ scale: Float) -> [Float] {
            let v = (0..<128).map { _ in Float.random(in: -1...1, using: &generator) }
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / n * scale }
        }
        let faces = (0..<people).map { _ in unit(0.9) }
        try inc.db.write { db in
            try db.execute(sql: "INSERT INTO source_file (id, path, size, status) VALUES (1, 'x.mp4', 1, 'indexed')")
            for i in 0..<(people * each) {
                let noise = unit(Float.random(in: 0.05...0.17, using: &generator))
                let v = zip(faces[i % people], noise).map { $0 + $1 }
                let t = start.timeIntervalSince1970 + Double(i) * 60
                try db.execute(sql: """
                    INSERT INTO face_track (file_id, camera_id, first_pts, last_pts, first_utc, last_utc, faces, best_pts, quality, junk, embedding)
                    VALUES (1, 'A', 0, 1, ?, ?, 1, 0, 0.5, 0, ?)
                    """, arguments: [t, t + 5, embeddingBlob(v)])
            }
            try Audit.append(db, actor: "test", action: "index", detail: "x.mp4")
        }
        return (inc, faces)
    }

    @Test func theIndexFindsWhatTheScanFindsAndIsNeverUsedStale() throws {
        let (inc, faces) = try incident(people: 300, each: 12)
        #expect(!inc.hasFaceIndex)
        try inc.refreshFaceVectors(indexFrom: 1000)
        #expect(inc.hasFaceIndex)
        let mode = try FileManager.default.attributesOfItem(atPath: inc.path + "-faces.ivf")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Every person's sightings, through the index (probing 8 of its 64 lists) and by the scan:
        // the same tracks and distances.
        #expect(try inc.faceIndexLists() == 64)
        var found = 0, expected = 0
        for face in faces.prefix(40) {
            let scanned = try inc.searchFaces(face, top: 50, scan: true)
            let indexed = try inc.searchFaces(face, top: 50, probes: 8)
            #expect(scanned.count == 12)
            expected += scanned.count
            let exact = Dictionary(uniqueKeysWithValues: scanned.map { ($0.faceTrackID, $0.distance) })
            found += indexed.filter { exact[$0.faceTrackID] == $0.distance }.count
            #expect(indexed.count <= scanned.count)
        }
        // Tight clusters far apart: the probed lists hold them all (a margin for k-means differing across CPUs).
        #expect(Double(found) >= 0.98 * Double(expected), "index found \(found) of \(expected)")

        // A newer indexing run makes the index stale: searches scan (and find the new track) until a writing command rebuilds it.
        try inc.db.write { db in
            try db.execute(sql: """
                INSERT INTO face_track (file_id, camera_id, first_pts, last_pts, faces, best_pts, quality, junk, embedding)
                VALUES (1, 'A', 0, 1, 1, 0, 0.5, 0, ?)
                """, arguments: [embeddingBlob(faces[0])])
            try Audit.append(db, actor: "test", action: "index", detail: "x.mp4 again")
        }
        #expect(!inc.hasFaceIndex)
        #expect(try inc.searchFaces(faces[0], top: 1).first?.distance == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: inc.path + "-faces.ivf"))
        let reader = try Incident(path: inc.path, mode: .readOnly)
        try reader.refreshFaceVectors(indexFrom: 1000)
        #expect(try Data(contentsOf: URL(fileURLWithPath: inc.path + "-faces.ivf")) == before, "a reader never rebuilds the index")
        try inc.refreshFaceVectors(indexFrom: 1000)
        #expect(inc.hasFaceIndex)
        #expect(try inc.searchFaces(faces[0], top: 1).first?.distance == 0)
    }
}

@Suite struct ShardTests {
    @Test func everyFileFallsInExactlyOneShardAndTheSplitIsEven() throws {
        #expect(Shard(parsing: "3/8") == Shard(index: 3, count: 8))
        for bad in ["8/8", "-1/4", "1/0", "a/b", "1", "1/2/3"] { #expect(Shard(parsing: bad) == nil, "\(bad)") }
        let paths = (0..<4000).map { "CAM\($0 % 300)/2026-11-20/\(100000 + $0).mp4" }
        let shards = (0..<8).map { Shard(index: $0, count: 8)! }
        let owners = paths.map { p in shards.filter { $0.contains(p) }.count }
        #expect(owners.allSatisfy { $0 == 1 })
        let sizes = shards.map { s in paths.filter { s.contains($0) }.count }
        #expect(sizes.allSatisfy { (400...600).contains($0) }, "\(sizes)")
    }
}

@Suite struct MergeRuleTests {
    @Test func aShardsFailureNeverReplacesAnIndexedFileAndNewResultsAreSearchable() throws {
        let dir = try Support.tempDir()
        let start = parseISOTime("2026-11-20T09:00:00Z")!
        let config = IncidentConfig(name: "m", from: start, to: start + 3600, archive: dir.path)
        let cams = [Camera(id: "A", name: "a")]
        let whole = try Incident.create(at: dir.appendingPathComponent("m.forensic").path, config: config, cameras: cams)
        var shardConfig = config
        shardConfig.shard = Shard(index: 0, count: 2)
        let shard = try Incident.create(at: dir.appendingPathComponent("m.shard-0-of-2.forensic").path, config: shardConfig, cameras: cams)
        try whole.db.write { db in
            try db.execute(sql: "INSERT INTO source_file (path, size, sha256, camera_id, status, fingerprint) VALUES ('A/x.mp4', 1, 'aa', 'A', 'indexed', 'f')")
        }
        try shard.db.write { db in
            try db.execute(sql: "INSERT INTO source_file (path, size, camera_id, status, error) VALUES ('A/x.mp4', 1, 'A', 'failed', 'read error')")
            try db.execute(sql: "INSERT INTO source_file (id, path, size, sha256, camera_id, start_utc, status, fingerprint) VALUES (7, 'A/y.mp4', 1, 'bb', 'A', ?, 'indexed', 'f')",
                           arguments: [start.timeIntervalSince1970])
            try db.execute(sql: """
                INSERT INTO plate_sighting (id, file_id, camera_id, text, display, confidence, first_pts, last_pts, first_utc, last_utc, reads, best_pts)
                VALUES (3, 7, 'A', 'BKN123', 'BKN-123', 0.9, 1, 2, ?, ?, 1, 1)
                """, arguments: [start.timeIntervalSince1970 + 1, start.timeIntervalSince1970 + 2])
            try db.execute(sql: "INSERT INTO plate_text (sighting_id, text, canon, confidence) VALUES (3, 'BKN123', ?, 0.9)", arguments: [PlateCanon.fold("BKN123")])
            try db.execute(sql: "INSERT INTO source_file (path, size, camera_id, status) VALUES ('A/z.mp4', 1, 'A', 'pending')")
        }
        let report = try whole.merge(shard: shard.path)
        #expect(report.merged == 1 && report.unchanged == 1 && report.pending == 1 && report.sightings == 1, "\(report)")
        let statuses = try whole.db.read { try Row.fetchAll($0, sql: "SELECT path, status FROM source_file ORDER BY path").map { "\($0["path"] as String) \($0["status"] as String)" } }
        #expect(statuses == ["A/x.mp4 indexed", "A/y.mp4 indexed", "A/z.mp4 pending"])
        #expect(try whole.searchPlates(PlatePattern("*KN12*")).map(\.text) == ["BKN123"], "merged texts reach the substring index")
        #expect(try Audit.firstBrokenEntry(whole) == nil)
    }
}

/// Near misses by lookup (one-deletion keys, folded forms, 1/T readings) find exactly what
/// comparing every stored text with the OCR-aware distance finds.
@Suite struct NearMissLookupTests {
    @Test func aDroppedAddedOrWrongCharacterIsFoundExactlyAsABruteForceScanFindsIt() throws {
        let dir = try Support.tempDir()
        let cams = (1...5).map { Camera(id: "C\($0)", name: "camera \($0)") }
        let inc = try Incident.create(at: dir.appendingPathComponent("keys.forensic").path,
                                      config: IncidentConfig(name: "keys", from: Date(timeIntervalSince1970: 1_790_000_000),
                                                             to: Date(timeIntervalSince1970: 1_790_086_400), archive: dir.path), cameras: cams)
        try inc.addSyntheticFiles((0..<10).map { ("f\($0).mp4", cams[$0 % 5].id, 1_790_000_000) })
        var rng = SplitMix(seed: 7)
        try inc.addSyntheticPlates(cameras: cams, files: 10, reads: 6000, start: 1_790_000_000, rng: &rng)
        let texts = try inc.db.read { try Row.fetchAll($0, sql: "SELECT sighting_id, text FROM plate_text") }
            .map { (id: $0["sighting_id"] as Int64, text: $0["text"] as String) }
        let alphabet = Array("ABCDEFGHJKLMNPQRSTVWXYZ0123456789")
        // The day-skipping summary of the same texts: it must never rule out a file that holds a match.
        try inc.settle()
        #expect(try inc.writePlateKeySummary() && PlateKeySummary.isCurrent(inc.path))
        for n in 0..<60 {
            var q = Array(texts[Int(rng.next() % UInt64(texts.count))].text)
            let at = Int(rng.next() % UInt64(q.count))
            switch n % 3 {
            case 0: q.remove(at: at)                                                    // a character lost
            case 1: q.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)  // one too many
            default: q[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]          // one other character
            }
            let query = String(q)
            guard query.count >= 3 else { continue }
            // The reference: every stored text, uncapped, within the allowance.
            let expected = Set(texts.filter { plateDistance(query, $0.text) <= 1.5 }.map(\.id))
            let found = Set(try inc.searchPlates(PlatePattern(query)).map(\.sightingID))
            #expect(found == expected, "\(query): lookup \(found.subtracting(expected)) extra, \(expected.subtracting(found)) missed")
            let probes = try #require(PlateKeySummary.probes(for: PlatePattern(query), nearMisses: true))
            #expect(expected.isEmpty || PlateKeySummary.mayHold(inc.path, anyOf: probes), "the summary ruled out \(query)")
        }
        // Plates nobody saw: searched, nothing; the summary rules nearly all out (a Bloom filter's few false positives aside).
        var ruledOut = 0
        for n in 0..<40 {
            let query = "QW\(n)X\(n % 7)Y"
            #expect(try inc.searchPlates(PlatePattern(query)).isEmpty)
            if !PlateKeySummary.mayHold(inc.path, anyOf: try #require(PlateKeySummary.probes(for: PlatePattern(query), nearMisses: true))) { ruledOut += 1 }
        }
        #expect(ruledOut >= 36, "\(ruledOut) of 40 ruled out")
        #expect(PlateKeySummary.probes(for: try PlatePattern("AB*"), nearMisses: true) == nil, "a wildcard rules nothing out")
        // Any later write makes the summary stale: the file is searched again, never skipped on old news.
        try inc.audit("test", "a write after the summary")
        try inc.settle()
        #expect(!PlateKeySummary.isCurrent(inc.path))
        #expect(PlateKeySummary.mayHold(inc.path, anyOf: try #require(PlateKeySummary.probes(for: PlatePattern("QW1X1Y"), nearMisses: true))))
    }
}
