import Foundation
import GRDB
import IncidentStore
import RecognitionKit
import TestSupport
import Testing
import VideoDecode
@testable import Watchlists

enum Support {
    static let root = Repo.root
    static let models = ModelStore(directory: Repo.models)
    static let johns = Repo.dlibExamples + "/johns"

    static func tempDir() throws -> URL { try TempFolder.make() }
    static func ffmpeg(_ args: [String]) throws { try TestSupport.ffmpeg(args) }

    static func write(_ text: String, _ url: URL) throws { try text.write(to: url, atomically: true, encoding: .utf8) }

    /// A John's aligned chip centred on a plain 450×450 canvas, as an enrolment photo would show him.
    static func portrait(_ person: String, index: Int = 0, to url: URL) throws {
        let dir = johns + "/" + person
        let file = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".jpg") }.sorted()[index]
        try ffmpeg(["-i", dir + "/" + file, "-vf", "pad=450:450:150:150:color=gray", url.path])
    }
}

@Suite(.serialized) struct WatchlistTests {
    @Test func aNewFileIsPrivateAndEveryChangeIsAudited() throws {
        let dir = try Support.tempDir()
        let path = dir.appendingPathComponent("sub/watchlist.db").path
        #expect(throws: StoreError.self) { try Watchlist(path: path) }
        let w = try Watchlist(path: path, create: true)
        try w.createList("wanted-vehicles", kind: .plates, description: "stolen cars")
        #expect(throws: StoreError.self) { try w.createList("wanted-vehicles", kind: .plates) }
        #expect(throws: StoreError.self) { try w.createList("bad name/../x", kind: .plates) }
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try w.lists().map(\.name) == ["wanted-vehicles"])
        try w.remove(list: "wanted-vehicles")
        #expect(try w.lists().isEmpty)
        let actions = try w.db.read { try String.fetchAll($0, sql: "SELECT action FROM audit ORDER BY id") }
        #expect(actions == ["create", "create-list", "remove-list"], "removal keeps the trail")
        #expect(try w.firstBrokenAuditEntry() == nil)
        // Not a watchlist: one clear error.
        let bogus = dir.appendingPathComponent("notes.txt")
        try Support.write("hello", bogus)
        #expect { try Watchlist(path: bogus.path) } throws: { "\($0)".contains("not a forensic watchlist file") }
    }

    @Test func platesAreNormalisedAndBadRowsAreNamedByLine() throws {
        let dir = try Support.tempDir()
        let w = try Watchlist(path: dir.appendingPathComponent("w.db").path, create: true)
        try w.createList("stolen", kind: .plates)
        let csv = dir.appendingPathComponent("stolen.csv")
        try Support.write("""
            plate,reason,notes,max_distance
            bkn-123,stolen,blue Corolla,
            LEA 4521,robbery,,0
            B@D1,typo,,
            BKN123,again,,
            ABC12,too forgiving,,9
            only,two
            """, csv)
        let r = try w.addPlates(list: "stolen", csv: csv.path)
        #expect(r.added == 2)
        #expect(r.skipped.map(\.source) == ["\(csv.path):7", "\(csv.path):4", "\(csv.path):5", "\(csv.path):6"], "\(r.skipped)")
        let (kind, entries) = try w.entries(list: "stolen")
        #expect(kind == .plates && entries.map(\.plate) == ["BKN123", "LEA4521"] && entries.map(\.maxDistance) == [1, 0])
        #expect { try w.addPlates(list: "nope", csv: csv.path) } throws: { "\($0)".contains("no list 'nope'") }
        try Support.write("id,name\n1,2\n", csv)
        #expect { try w.addPlates(list: "stolen", csv: csv.path) } throws: { "\($0)".contains("header must be") }
        #expect(try w.entries(list: "stolen").entries.count == 2, "nothing half-imported")
    }

    @Test func facesAreEnrolledFromFoldersAndCSVsWithEveryRefusalExplained() throws {
        let dir = try Support.tempDir()
        let w = try Watchlist(path: dir.appendingPathComponent("w.db").path, create: true)
        try w.createList("inmates", kind: .faces)
        let folder = dir.appendingPathComponent("photos")
        for (id, person) in [("P-001", "John_Salley"), ("P-002", "John_Simm")] {
            let sub = folder.appendingPathComponent(id)
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            try Support.portrait(person, to: sub.appendingPathComponent("a.png"))
            try Support.portrait(person, index: 1, to: sub.appendingPathComponent("b.png"))
        }
        // A group photo (3 faces), a gray picture (no face), and a file that is not a picture.
        let odd = folder.appendingPathComponent("P-003")
        try FileManager.default.createDirectory(at: odd, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/usr/share/doc/libdlib19.1/examples/faces/2008_002506.jpg", toPath: odd.appendingPathComponent("group.jpg").path)
        try Support.ffmpeg(["-f", "lavfi", "-i", "color=gray:s=320x240", "-frames:v", "1", odd.appendingPathComponent("empty.png").path])
        try Support.write("not a picture", odd.appendingPathComponent("fake.jpg"))
        let report = try SharedFaces.with { engine in
            try w.addFaces(list: "inmates", people: try Watchlist.people(inFolder: folder.path), engine: engine)
        }
        #expect(report.added == 2 && report.photos == 4, "\(report)")
        let reasons = report.skipped.map(\.reason).joined(separator: " | ")
        #expect(report.skipped.count == 3 && reasons.contains("3 faces") && reasons.contains("no face found"), "\(reasons)")

        // A CSV export of a records system: a known id with the same name gains a photo; another name is refused.
        try Support.portrait("John_Salley", index: 2, to: dir.appendingPathComponent("salley3.png"))
        let csv = dir.appendingPathComponent("records.csv")
        try Support.write("""
            id,name,photo,notes
            P-001,John Salley,salley3.png,transferred
            P-001,Someone Else,salley3.png,
            P-009,Nobody,missing.png,
            bad id!,X,salley3.png,
            """, csv)
        let (rows, skipped) = try Watchlist.people(inCSV: csv.path)
        let r2 = try SharedFaces.with { engine in try w.addFaces(list: "inmates", people: rows, skipped: skipped, engine: engine) }
        #expect(r2.merged == 1 && r2.photos == 1 && r2.added == 0, "\(r2)")
        #expect(r2.skipped.count == 3, "\(r2.skipped)")
        #expect(r2.skipped.contains { $0.reason.contains("is already 'John Salley'") })
        #expect(r2.skipped.contains { $0.reason == "no such file" })
        let gallery = try w.faceGallery(list: "inmates")
        #expect(gallery.count == 5 && gallery.allSatisfy { $0.embedding.count == 128 })
        // The enrolled photos of one person are the same person (the descriptor's threshold).
        let salley = gallery.filter { $0.ref == "P-001" }.map(\.embedding)
        #expect(faceDistance(salley[0], salley[1]) < FaceEngine.samePersonThreshold)
    }

    @Test func anExportImportedIntoAFreshFileGivesIdenticalEntries() throws {
        let dir = try Support.tempDir()
        let a = try Watchlist(path: dir.appendingPathComponent("a.db").path, create: true)
        try a.createList("stolen", kind: .plates, description: "cars")
        let csv = dir.appendingPathComponent("p.csv")
        try Support.write("plate,reason,notes\nBKN-123,stolen,\"blue, dented\"\nLEA4521,robbery,\n", csv)
        _ = try a.addPlates(list: "stolen", csv: csv.path)
        try a.createList("inmates", kind: .faces)
        let folder = dir.appendingPathComponent("photos/P-001")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Support.portrait("John_Simm", to: folder.appendingPathComponent("a.png"))
        _ = try SharedFaces.with { engine in
            try a.addFaces(list: "inmates", people: try Watchlist.people(inFolder: dir.appendingPathComponent("photos").path), engine: engine)
        }
        let b = try Watchlist(path: dir.appendingPathComponent("b.db").path, create: true)
        for list in ["stolen", "inmates"] {
            let file = dir.appendingPathComponent("\(list).json")
            try a.exportJSON(list: list).write(to: file)
            let r = try b.importJSON(file.path)
            #expect(r.skipped.isEmpty)
            #expect(try b.export(list: list) == a.export(list: list), "\(list)")
        }
        // CSV: plates round-trip through add-plates; quoting survives.
        let again = dir.appendingPathComponent("again.csv")
        try a.exportCSV(list: "stolen").write(to: again, atomically: true, encoding: .utf8)
        try b.createList("stolen2", kind: .plates)
        #expect(try b.addPlates(list: "stolen2", csv: again.path).added == 2)
        #expect(try b.entries(list: "stolen2").entries.map(\.notes) == ["blue, dented", ""])
        // A file that is not an export imports nothing, with one clear reason.
        let junk = dir.appendingPathComponent("junk.json")
        try Support.write("{\"format\": \"something\"}", junk)
        #expect { try b.importJSON(junk.path) } throws: { "\($0)".contains("not a watchlist export") }
        #expect(try b.lists().map(\.name) == ["inmates", "stolen", "stolen2"])
    }
}

@Suite struct PlateMatcherTests {
    /// The keyed matcher finds exactly what comparing every text with every wanted plate finds,
    /// for allowances under 2 (keys) and at 2 (compared with everything).
    @Test func keyedNearMatchesEqualComparingEveryPair() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        func plate() -> String { String((0..<Int.random(in: 5...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }) }
        func misread(_ s: String) -> String {
            var c = Array(s)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: c[Int.random(in: 0..<c.count, using: &rng)] = alphabet.randomElement(using: &rng)!
            case 1: c.remove(at: Int.random(in: 0..<c.count, using: &rng))
            case 2: c.insert(alphabet.randomElement(using: &rng)!, at: Int.random(in: 0...c.count, using: &rng))
            case 3: c = c.map { $0 == "B" ? "8" : $0 == "O" ? "0" : $0 == "S" ? "5" : $0 == "T" ? "1" : $0 }
            default: break
            }
            return String(c)
        }
        let wanted = (0..<400).map { _ in (plate(), [0, 0.4, 1, 1.5, 2].randomElement(using: &rng)!) }
        let matcher = PlateMatcher(wanted)
        for _ in 0..<300 {
            let texts = (0..<3).map { _ in misread(Bool.random(using: &rng) ? wanted.randomElement(using: &rng)!.0 : plate()) }
            var expected: [Int: Double] = [:]
            for (i, w) in wanted.enumerated() {
                let d = texts.map { plateDistance($0, w.0) }.min()!
                if d <= w.1 { expected[i] = d }
            }
            let got = Dictionary(uniqueKeysWithValues: matcher.matches(texts).map { ($0.0, $0.1.distance) })
            #expect(got == expected, "\(texts)")
        }
    }
}
