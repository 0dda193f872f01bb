import Crypto
import Foundation
import GRDB
import Testing
import ZIPFoundation
@testable import Evidence
@testable import IncidentStore
import Investigation
import TestSupport
import VideoDecode

/// An incident over the sample footage with the plate sightings indexing finds there (boxes and
/// times as `index` recorded them), written directly so these tests need no models.
struct Fixture {
    static let root = Repo.root
    let dir: URL
    let archive: URL
    let incident: Incident
    let key = Curve25519.Signing.PrivateKey()

    init() throws {
        dir = try TempFolder.make()
        archive = dir.appendingPathComponent("archive")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixture.root.appendingPathComponent("samples/archive"), to: archive)
        let cams = [Camera(id: "CAM01", name: "Shahrah-e-Faisal at Nursery", site: "Nursery", zone: "Red Zone"),
                    Camera(id: "CAM02", name: "Shahrah-e-Faisal at FTC", site: "FTC", zone: "Red Zone")]
        incident = try Incident.create(at: dir.appendingPathComponent("case.forensic").path,
                                       config: IncidentConfig(name: "evidence test", from: Date(timeIntervalSince1970: 1_795_165_000),
                                                              to: Date(timeIntervalSince1970: 1_795_167_000), archive: archive.path),
                                       cameras: cams)
        let files = [("CAM01/2026-11-20/140000.mp4", "CAM01", 1_795_165_200.0), ("CAM02/2026-11-20/140100.ts", "CAM02", 1_795_165_260.0)]
        let hashes = try files.map { try sha256(of: archive.appendingPathComponent($0.0).path) }
        try incident.db.write { db in
            for (i, f) in files.enumerated() {
                let size = try FileManager.default.attributesOfItem(atPath: archive.appendingPathComponent(f.0).path)[.size] as! Int
                try db.execute(sql: "INSERT INTO source_file (id, path, size, sha256, camera_id, start_utc, duration, status) VALUES (?, ?, ?, ?, ?, ?, 12, 'indexed')",
                               arguments: [i + 1, f.0, size, hashes[i], f.1, f.2])
            }
            // id, file, text, first, last, best, box x, reads (pts, x, width)
            let sightings: [(Int, Int, String, Double, Double, Double, Int, [(Double, Int, Int)])] = [
                (1, 2, "BKN123", 4, 8, 5, 239, [(4, 0, 191), (5, 239, 234), (6, 523, 234), (8, 1089, 191)]),
                (2, 2, "LEA4521", 6, 9, 6, 97, [(6, 97, 234), (7, 381, 234)]),
                (3, 1, "BKN123", 3, 7, 4, 239, [(3, 0, 191), (4, 239, 234), (5, 523, 234), (7, 1089, 191)]),
            ]
            for s in sightings {
                let start = files[s.1 - 1].2
                try db.execute(sql: """
                    INSERT INTO plate_sighting (id, file_id, camera_id, text, display, confidence, first_pts, last_pts, first_utc, last_utc, reads, best_pts,
                        box_x, box_y, box_w, box_h) VALUES (?, ?, ?, ?, ?, 0.99, ?, ?, ?, ?, ?, ?, ?, 517, 234, 58)
                    """, arguments: [s.0, s.1, files[s.1 - 1].1, s.2, s.2, s.3, s.4, start + s.3, start + s.4, s.7.count, s.5, s.6])
                try db.execute(sql: "INSERT INTO plate_text (sighting_id, text, canon, confidence) VALUES (?, ?, ?, 0.99)", arguments: [s.0, s.2, PlateCanon.fold(s.2)])
                for r in s.7 {
                    try db.execute(sql: """
                        INSERT INTO plate_read (sighting_id, file_id, pts, utc, box_x, box_y, box_w, box_h, text, display, confidence, candidates, model)
                        VALUES (?, ?, ?, ?, ?, 517, ?, 58, ?, ?, 0.99, '[]', 'test')
                        """, arguments: [s.0, s.1, r.0, start + r.0, r.1, r.2, s.2, s.2])
                }
            }
        }
        try incident.audit("index", "run 1: 2 files indexed (fixture)")
        try incident.audit("search", "plate BKN123")
    }

    func export(_ configure: (inout ExportRequest) -> Void = { $0.sightings = [1, 3] }, to name: String = "bundle") throws -> URL {
        var request = ExportRequest()
        request.commandLine = ["forensic", "export", "test"]
        configure(&request)
        let out = dir.appendingPathComponent(name)
        // Through the query layer, as `forensic export` does (it finds a plate's sightings).
        _ = try Scope(path: incident.path, mode: .readWrite).export(request, to: out.path, key: key)
        return out
    }

    /// A fresh copy of a bundle to tamper with.
    func copy(_ bundle: URL) throws -> URL {
        let to = dir.appendingPathComponent("copy-\(UUID().uuidString.prefix(6))")
        try FileManager.default.copyItem(at: bundle, to: to)
        return to
    }
}

func failures(_ checks: [VerifyCheck]) -> [VerifyCheck] { checks.filter { !$0.ok } }

/// `body` must throw an error whose one-line message contains `text`.
func expectError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Any) {
    do {
        _ = try body()
        Issue.record("expected an error containing '\(text)'", sourceLocation: sourceLocation)
    } catch {
        #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
    }
}

@Suite(.serialized) struct EvidenceBundleTests {
    @Test func exportedBundleVerifiesFromAnotherFolderAndFromItsZip() throws {
        let f = try Fixture()
        let bundle = try f.export()
        let checks = try BundleVerifier.verify(bundle.path, expectedKey: f.key.publicKey)
        #expect(failures(checks).isEmpty, "\(failures(checks))")
        // Originals bit-exact, clips' packets the originals', stills and custody present.
        for path in ["originals/CAM01/2026-11-20/140000.mp4", "originals/CAM02/2026-11-20/140100.ts", "clips/sighting-1.ts", "clips/sighting-3.mp4",
                     "stills/sighting-1-frame.png", "stills/sighting-1-crop.png", "stills/sighting-1-annotated.png", "custody.jsonl", "report.html",
                     "README.txt", "SHA256SUMS", "manifest.json", "manifest.sig", "public-key.pem"] {
            #expect(FileManager.default.fileExists(atPath: bundle.appendingPathComponent(path).path), "\(path)")
        }
        #expect(try Data(contentsOf: bundle.appendingPathComponent("originals/CAM02/2026-11-20/140100.ts"))
                == Data(contentsOf: f.archive.appendingPathComponent("CAM02/2026-11-20/140100.ts")))
        #expect(checks.contains { $0.item == "clips/sighting-1.ts" && $0.detail.contains("video packets identical") })
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: bundle.appendingPathComponent("manifest.json")))
        #expect(manifest.items.map(\.id) == ["sighting-3", "sighting-1"])   // time order
        let clip = try #require(manifest.files.first { $0.path == "clips/sighting-1.ts" })
        #expect(clip.role == "derived" && clip.derivation?.method == "stream-copy" && clip.derivation?.sourceSHA256 == manifest.files.first { $0.path == "originals/CAM02/2026-11-20/140100.ts" }?.sha256)
        #expect(!String(decoding: try Data(contentsOf: bundle.appendingPathComponent("manifest.json")), as: UTF8.self).contains(f.dir.path))

        // Moved elsewhere: still verifies (nothing absolute inside).
        let moved = try TempFolder.make().appendingPathComponent("moved")
        try FileManager.default.moveItem(at: try f.copy(bundle), to: moved)
        defer { try? FileManager.default.removeItem(at: moved) }
        #expect(failures(try BundleVerifier.verify(moved.path, expectedKey: f.key.publicKey)).isEmpty)

        // The zip: entries relative, under the bundle's name; verifies as it is.
        let zip = try f.export(to: "bundle.zip")
        let entries = try Archive(url: zip, accessMode: .read).map(\.path)
        #expect(entries.allSatisfy { $0.hasPrefix("bundle/") })
        #expect(failures(try BundleVerifier.verify(zip.path, expectedKey: f.key.publicKey)).isEmpty)

        // The export is in the incident's own audit log, and the last entry of the bundle's custody log.
        let audit = try f.incident.db.read { try Audit.entries($0) }
        #expect(audit.last?.action == "export")
        #expect(manifest.custody.lastHash != audit.last?.hash)   // the zip's export came after
        #expect(Audit.problems(in: audit).isEmpty)
    }

    @Test func everyTamperingIsDetectedAndNamed() throws {
        let f = try Fixture()
        let bundle = try f.export()
        func tampered(_ change: (URL) throws -> Void, key: Curve25519.Signing.PublicKey? = nil) throws -> [VerifyCheck] {
            let copy = try f.copy(bundle)
            try change(copy)
            return failures(try BundleVerifier.verify(copy.path, expectedKey: key))
        }
        func flipByte(_ relative: String, at offset: Int = 2000) -> (URL) throws -> Void {
            { root in
                let url = root.appendingPathComponent(relative)
                var data = try Data(contentsOf: url)
                data[min(offset, data.count - 1)] ^= 0x01
                try data.write(to: url)
            }
        }
        for path in ["originals/CAM02/2026-11-20/140100.ts", "clips/sighting-1.ts", "stills/sighting-1-crop.png", "report.html"] {
            let failed = try tampered(flipByte(path))
            #expect(failed.contains { $0.item == path && $0.detail.contains("differs") }, "\(path): \(failed)")
        }
        // The manifest: its signature no longer matches.
        #expect(try tampered(flipByte("manifest.json", at: 300)).contains { $0.item == "manifest.sig" })
        // Deleted and added files.
        #expect(try tampered { try FileManager.default.removeItem(at: $0.appendingPathComponent("stills/sighting-3-frame.png")) }
            .contains { $0.item == "stills/sighting-3-frame.png" && $0.detail.contains("missing") })
        #expect(try tampered { try Data("x".utf8).write(to: $0.appendingPathComponent("clips/extra.mp4")) }
            .contains { $0.item == "clips/extra.mp4" && $0.detail.contains("not in the manifest") })

        // Custody entries edited, removed, reordered — even with the file's hash in the manifest set aside,
        // the chain itself names the entry.
        func custody(_ edit: @escaping ([String]) -> [String]) -> (URL) throws -> Void {
            { root in
                let url = root.appendingPathComponent("custody.jsonl")
                let lines = String(decoding: try Data(contentsOf: url), as: UTF8.self).split(separator: "\n").map(String.init)
                try Data((edit(lines).joined(separator: "\n") + "\n").utf8).write(to: url)
            }
        }
        let edited = try tampered(custody { l in var l = l; l[0] = l[0].replacingOccurrences(of: "\"action\":\"create\"", with: "\"action\":\"created\""); return l })
        #expect(edited.contains { $0.item == "custody.jsonl" && $0.detail.contains("entry 1") && $0.detail.contains("edited") }, "\(edited)")
        let removed = try tampered(custody { l in var l = l; l.remove(at: 1); return l })
        #expect(removed.contains { $0.item == "custody.jsonl" && $0.detail.contains("entry 3") && $0.detail.contains("removed") }, "\(removed)")
        let reordered = try tampered(custody { l in var l = l; l.swapAt(1, 2); return l })
        #expect(reordered.contains { $0.item == "custody.jsonl" && $0.detail.contains("does not follow") }, "\(reordered)")

        // Signed by another key, the bundled key left: the signature fails.
        let other = Curve25519.Signing.PrivateKey()
        #expect(try tampered { root in
            try other.signature(for: Data(contentsOf: root.appendingPathComponent("manifest.json"))).write(to: root.appendingPathComponent("manifest.sig"))
        }.contains { $0.item == "manifest.sig" })
        // Everything re-signed by another key (manifest rewritten to name it, key replaced): only --key tells.
        let forged: (URL) throws -> Void = { root in
            let url = root.appendingPathComponent("manifest.json")
            let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
                .replacingOccurrences(of: SigningKeys.fingerprint(f.key.publicKey), with: SigningKeys.fingerprint(other.publicKey))
            try Data(text.utf8).write(to: url)
            try other.signature(for: Data(text.utf8)).write(to: root.appendingPathComponent("manifest.sig"))
            try Data(SigningKeys.publicPEM(other.publicKey).utf8).write(to: root.appendingPathComponent("public-key.pem"))
        }
        #expect(try tampered(forged).isEmpty)
        #expect(try tampered(forged, key: f.key.publicKey).contains { $0.item == "public-key.pem" && $0.detail.contains("not the expected key") })
    }

    @Test func aBadRequestOrAChangedOriginalLeavesNoBundle() throws {
        let f = try Fixture()
        func leftovers() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: f.dir.path).filter { $0 != "archive" && !$0.hasPrefix("case.forensic") } }
        expectError("sighting 999 does not exist") { try f.export { $0.sightings = [999] } }
        #expect(try leftovers().isEmpty)
        let original = f.archive.appendingPathComponent("CAM02/2026-11-20/140100.ts")
        var data = try Data(contentsOf: original)
        data[5000] ^= 0xff
        try data.write(to: original)
        expectError("140100.ts: changed since indexing") { try f.export() }
        #expect(try leftovers().isEmpty)
        try FileManager.default.removeItem(at: original)
        expectError("original missing") { try f.export() }
        #expect(try leftovers().isEmpty)
        // The plate's other original is fine: exporting its sighting alone works.
        #expect(failures(try BundleVerifier.verify(try f.export({ $0.sightings = [3] }).path)).isEmpty)
    }

    @Test func aWatchlistHitExportsItsSightingNamedByTheList() throws {
        let f = try Fixture()
        try f.incident.db.write { db in
            try db.execute(sql: """
                INSERT INTO watchlist_hit (id, watchlist, list, entry_ref, entry_name, kind, sighting_id, file_id, match, matched, distance, checked_utc)
                VALUES (7, 'fp', 'stolen', 'BKN123', 'BKN-123', 'plate', 1, 2, 'exact', 'BKN123', 0, 0)
                """)
        }
        let bundle = try f.export { $0.hits = [7] }
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: bundle.appendingPathComponent("manifest.json")))
        #expect(manifest.items.map(\.id) == ["sighting-1"] && manifest.items[0].watchlist == ["stolen/BKN123"])
        #expect(manifest.request.asked == ["watchlist hit 7"])
        expectError("watchlist hit 8 does not exist") { try f.export({ $0.hits = [8] }, to: "other") }
    }

    @Test func withoutOriginalsTheyAreReferencedByHash() throws {
        let f = try Fixture()
        let bundle = try f.export { $0.plate = "BKN-123"; $0.includeOriginals = false }
        #expect(!FileManager.default.fileExists(atPath: bundle.appendingPathComponent("originals").path))
        let checks = try BundleVerifier.verify(bundle.path)
        #expect(failures(checks).isEmpty)
        #expect(checks.contains { $0.item == "originals/CAM02/2026-11-20/140100.ts" && $0.detail.contains("not included") })
        #expect(checks.contains { $0.item == "clips/sighting-1.ts" && $0.detail.contains("not compared") })
    }

    @Test func redactedClipsCoverOtherPlatesAndKeepTheSubject() throws {
        let f = try Fixture()
        let bundle = try f.export { $0.sightings = [1]; $0.redact = true }
        #expect(failures(try BundleVerifier.verify(bundle.path)).isEmpty)
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: bundle.appendingPathComponent("manifest.json")))
        let redacted = try #require(manifest.files.first { $0.path == "redacted/sighting-1.mkv" })
        #expect(redacted.role == "derived" && redacted.derivation?.method == "redacted" && redacted.derivation?.parameters["method"]?.contains("mosaic") == true)
        // At 6.0 s the other car's plate (LEA4521) is at x 97; the subject's (BKN123) at x 523.
        func edges(_ clip: String, at time: Double, x: Int) throws -> Int {
            let start = manifest.files.first { $0.path == "clips/sighting-1.ts" }!.derivation!.fromSeconds
            let image = try BundleExporter.frame(of: bundle.appendingPathComponent(clip).path, at: time - start)
            var n = 0
            for y in 522..<570 { for px in x..<(x + 220) {
                let i = (y * image.width + px) * 3
                if abs(Int(image.pixels[i]) - Int(image.pixels[i + 3])) > 60 { n += 1 }
            } }
            return n
        }
        let otherBefore = try edges("clips/sighting-1.ts", at: 6, x: 100), otherAfter = try edges("redacted/sighting-1.mkv", at: 6, x: 100)
        let subjectBefore = try edges("clips/sighting-1.ts", at: 6, x: 526), subjectAfter = try edges("redacted/sighting-1.mkv", at: 6, x: 526)
        #expect(otherBefore > 300 && otherAfter * 4 < otherBefore, "other plate: \(otherBefore) → \(otherAfter) edges")
        #expect(subjectAfter * 10 > subjectBefore * 7, "subject plate: \(subjectBefore) → \(subjectAfter) edges")
        // The clips and originals stay bit-exact.
        #expect(try Data(contentsOf: bundle.appendingPathComponent("originals/CAM02/2026-11-20/140100.ts"))
                == Data(contentsOf: f.archive.appendingPathComponent("CAM02/2026-11-20/140100.ts")))
    }

    @Test func theReportRendersInChromiumWithItsStills() throws {
        let f = try Fixture()
        let bundle = try f.export { $0.plate = "BKN-123" }
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("chromium is not installed (make test installs it: scripts/setup.sh --test)")
            return
        }
        let shot = f.dir.appendingPathComponent("report.png")
        let run = try runProcess(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
                                            "--window-size=1280,2400", "--screenshot=\(shot.path)", bundle.appendingPathComponent("report.html").absoluteString])
        let log = run.stderr
        #expect(run.status == 0)
        // No resource failed to load (everything is inline), no console error from the page.
        #expect(!log.contains("net::ERR") && !log.contains("Failed to load") && !log.contains("CONSOLE"), "\(log.suffix(2000))")
        // The stills are drawn: the sample plate's yellow fills part of the screenshot.
        let image = try StillImage.load(shot.path)
        var yellow = 0
        for i in stride(from: 0, to: image.pixels.count, by: 3) where image.pixels[i] > 200 && image.pixels[i + 1] > 170 && image.pixels[i + 2] < 80 { yellow += 1 }
        #expect(yellow > 5_000, "yellow plate pixels in the screenshot: \(yellow)")
    }
}

struct SigningKeyTests {
    @Test func keysArePrivateRefuseOverwriteAndRoundTrip() throws {
        let dir = try TempFolder.make()
        let path = dir.appendingPathComponent("court").path
        let fingerprint = try SigningKeys.create(at: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! Int
        #expect(mode == 0o600)
        expectError("already exists") { try SigningKeys.create(at: path) }
        let key = try SigningKeys.loadPrivate(path), pub = try SigningKeys.loadPublic(path + ".pub")
        #expect(key.publicKey.rawRepresentation == pub.rawRepresentation && SigningKeys.fingerprint(pub) == fingerprint)
        expectError("not a PEM private key") { try SigningKeys.loadPrivate(path + ".pub") }
    }

    @Test func anEditedAuditEntryIsFound() throws {
        let f = try Fixture()
        try f.incident.audit("search", "plate ZZ1234")
        try f.incident.db.write { db in
            try db.execute(sql: "DROP TRIGGER audit_no_update")
            try db.execute(sql: "UPDATE audit SET detail = 'plate LEA4521' WHERE detail = 'plate ZZ1234'")
        }
        let problems = Audit.problems(in: try f.incident.db.read { try Audit.entries($0) })
        #expect(problems.count == 1 && problems[0].reason.contains("edited"))
    }
}
