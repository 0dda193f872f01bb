import Foundation
import Testing
@testable import IncidentStore
@testable import Indexing
import RecognitionKit
import VideoDecode

@Suite struct LayoutTests {
    let karachi = TimeZone(identifier: "Asia/Karachi")!

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
        PlateRead(box: PixelRect(x: 0, y: 0, w: 10, h: 5), detectorScore: 1, text: text, display: text, confidence: conf,
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

    @Test func motionGateFindsTheMovingRegionAndSkipsStillFrames() {
        var gate = MotionGate()
        var a = Image(width: 160, height: 90, format: .gray, pixels: [UInt8](repeating: 100, count: 160 * 90))
        #expect(gate.changedRegion(a) != nil, "the first frame is analysed")
        #expect(gate.changedRegion(a) == nil, "a still scene is skipped")
        for y in 40..<60 { for x in 100..<130 { a.pixels[y * 160 + x] = 200 } }
        let r = gate.changedRegion(a)!
        #expect(r.x <= 100.0 / 160 && r.x + r.w >= 130.0 / 160 && r.y <= 40.0 / 90 && r.y + r.h >= 60.0 / 90)
        #expect(r.w < 0.5, "only the changed part, not the whole frame")
    }
}
