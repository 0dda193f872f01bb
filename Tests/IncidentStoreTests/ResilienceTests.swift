import Foundation
import GRDB
import TestSupport
import Testing
@testable import IncidentStore
import Indexing
import RecognitionKit

/// Runs the `forensic` executable; returns (status, stdout, stderr).
func forensic(_ args: [String]) throws -> (Int32, String, String) {
    let r = try runProcess(Support.forensic, args, environment: ["FORENSIC_MODELS": Support.models])
    return (r.status, r.stdout, r.stderr)
}

@Suite(.serialized) struct ResilienceTests {
    func create(_ archive: URL, _ name: String) throws -> String {
        let path = archive.deletingLastPathComponent().appendingPathComponent(name).path
        let r = try forensic(["incident", "create", path, "--from", "2026-11-20T14:00:00+05:00", "--to", "2026-11-20T15:00:00+05:00",
                              "--archive", archive.path, "--cameras-file", Support.cameras])
        #expect(r.0 == 0, "\(r.2)")
        return path + ".forensic"
    }

    func counts(_ path: String) throws -> [String: Int] {
        try Incident(path: path).db.read { db in
            var c: [String: Int] = [:]
            for t in ["plate_sighting", "plate_read", "plate_text", "face_track", "face"] {
                c[t] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(t)")
            }
            c["indexed"] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM source_file WHERE status = 'indexed'")
            c["files"] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM source_file")
            return c
        }
    }

    @Test func aFileStillBeingWrittenWaitsAndAFileChangedAfterIndexingIsAnIntegrityEvent() throws {
        let archive = try Support.archive()
        let incident = try Incident.create(at: archive.deletingLastPathComponent().appendingPathComponent("growing.forensic").path,
                                           config: Support.config(archive: archive), cameras: CameraRegistry.load(Support.cameras))
        var o = IndexOptions()
        o.faces = false
        o.workers = 1
        let indexer = try Indexer(incident: incident, options: o, models: ModelStore(directory: Support.models))
        // An NVR still recording CAM02's file: 4 KB appended every 20 ms while the run goes on.
        let recording = "CAM02/2026-11-20/140100.ts"
        let writer = Thread {
            guard let h = FileHandle(forWritingAtPath: archive.appendingPathComponent(recording).path) else { return }
            h.seekToEndOfFile()
            while !Thread.current.isCancelled {
                h.write(Data(repeating: 0xFF, count: 4096))
                usleep(20_000)
            }
            try? h.close()
        }
        writer.start()
        let first = try indexer.run()
        writer.cancel()
        usleep(100_000)
        #expect(first.stillWriting == [recording], "\(first.stillWriting)")
        #expect(first.indexed == 3 && first.failed == 0, "\(first)")
        func status(_ path: String) throws -> String? {
            try incident.db.read { try String.fetchOne($0, sql: "SELECT status FROM source_file WHERE path = ?", arguments: [path]) }
        }
        #expect(try status(recording) != "indexed" && status(recording) != "failed")

        // Recording finished: the next run indexes it.
        let second = try indexer.run()
        #expect(second.indexed == 1 && second.stillWriting.isEmpty, "\(second)")
        #expect(try status(recording) == "indexed")

        // An indexed file changes afterwards: reported and audited, its results kept.
        let changed = "CAM01/2026-11-20/140000.mp4"
        let sightingsBefore = try incident.searchPlates(PlatePattern("BKN123"), fuzzy: false).filter { $0.at.camera == "CAM01" }.count
        let h = try #require(FileHandle(forWritingAtPath: archive.appendingPathComponent(changed).path))
        h.seekToEndOfFile(); h.write(Data("appended".utf8)); try h.close()
        let third = try indexer.run()
        #expect(third.integrity.count == 1 && third.integrity[0].contains(changed), "\(third)")
        #expect(try status(changed) == "indexed")
        #expect(try incident.searchPlates(PlatePattern("BKN123"), fuzzy: false).filter { $0.at.camera == "CAM01" }.count == sightingsBefore)
        let audited = try incident.db.read { try String.fetchAll($0, sql: "SELECT detail FROM audit WHERE action = 'integrity'") }
        #expect(audited.count == 1 && audited[0].contains(changed))
        // Reported again by the next run while it lasts, audited once.
        #expect(try indexer.run().integrity.count == 1)
        #expect(try incident.db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM audit WHERE action = 'integrity'") } == 1)
        #expect(try Audit.firstBrokenEntry(incident) == nil)
    }

    /// Starts `forensic index` on `incident` with one worker and returns once a file is saved.
    func indexUntilTheFirstFileIsSaved(_ incident: String, stderr: Pipe? = nil) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Support.forensic)
        p.arguments = ["index", incident, "--workers", "1"]
        p.environment = ProcessInfo.processInfo.environment.merging(["FORENSIC_MODELS": Support.models]) { $1 }
        if let stderr { p.standardError = stderr }
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let c = try? counts(incident), (c["indexed"] ?? 0) >= 1 { break }
            usleep(50_000)
        }
        return p
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func aFullDiskStopsTheRunWithNothingLostAndTheNextRunCompletes() throws {
        let archive = try Support.archive()
        let reference = try create(archive, "reference")
        #expect(try forensic(["index", reference, "--workers", "1"]).0 == 0)
        let expected = try counts(reference)

        // The incident lives on a 4 MiB file system that a filler file then nearly fills.
        let disk = try Support.tempDir().appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        guard (try? Support.shell("/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", disk.path])) != nil else {
            return   // no tmpfs here (a container without mount rights): nothing to test
        }
        defer { try? Support.shell("/bin/umount", [disk.path]) }
        let r = try forensic(["incident", "create", disk.appendingPathComponent("full").path, "--from", "2026-11-20T14:00:00+05:00",
                              "--to", "2026-11-20T15:00:00+05:00", "--archive", archive.path, "--cameras-file", Support.cameras])
        #expect(r.0 == 0, "\(r.2)")
        let victim = disk.appendingPathComponent("full.forensic").path
        var fs = statvfs()
        statvfs(disk.path, &fs)
        let free = Int(fs.f_bavail) * Int(fs.f_frsize)
        let filler = disk.appendingPathComponent("filler").path
        #expect(FileManager.default.createFile(atPath: filler, contents: Data(count: max(0, free - 160 * 1024))))

        let full = try forensic(["index", victim, "--workers", "1"])
        #expect(full.0 == 1, "\(full)")
        #expect(full.2.contains("cannot write the incident") && full.2.split(separator: "\n").count == 1, "\(full.2)")
        let partial = try counts(victim)
        #expect((partial["indexed"] ?? 0) < 4, "\(partial)")
        let statuses = try Incident(path: victim).db.read { try String.fetchAll($0, sql: "SELECT DISTINCT status FROM source_file") }
        #expect(Set(statuses).isSubset(of: ["indexed", "pending"]), "no file is marked failed for a full disk: \(statuses)")

        // Space is back: the next run completes the rest.
        try FileManager.default.removeItem(atPath: filler)
        let again = try forensic(["index", victim, "--workers", "1"])
        #expect(again.0 == 0, "\(again.2)")
        #expect(try counts(victim) == expected)
        #expect(try Incident(path: victim).info().auditIntact)
    }

    @Test func sigtermStopsCleanlyAndTheNextRunCompletes() throws {
        let archive = try Support.archive()
        let reference = try create(archive, "reference")
        #expect(try forensic(["index", reference, "--workers", "1"]).0 == 0)
        let expected = try counts(reference)

        let victim = try create(archive, "victim")
        let err = Pipe()
        // SIGTERM (what systemd and cron timeouts send) once the first file is saved.
        let p = try indexUntilTheFirstFileIsSaved(victim, stderr: err)
        kill(p.processIdentifier, SIGTERM)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let partial = try counts(victim)
        #expect((partial["indexed"] ?? 0) < 4, "the signal came too late to test anything: \(partial)")
        #expect(p.terminationReason == .exit && p.terminationStatus == 4, "\(p.terminationReason) \(p.terminationStatus)")
        #expect(message.contains("interrupted") && message.split(separator: "\n").count == 1, "\(message)")
        #expect(try Incident(path: victim).info().lastRun?.contains("interrupted") == true)
        // Nothing half-saved: every file is indexed whole or still pending.
        let statuses = try Incident(path: victim).db.read { try String.fetchAll($0, sql: "SELECT DISTINCT status FROM source_file") }
        #expect(Set(statuses).isSubset(of: ["indexed", "pending"]), "\(statuses)")

        // The lock was released, and the next run completes the rest.
        let again = try forensic(["index", victim, "--workers", "2"])
        #expect(again.0 == 0, "\(again.2)")
        #expect(try counts(victim) == expected)
    }

    @Test func killedRunResumesWithoutDuplicatesOrLosses() throws {
        let archive = try Support.archive()
        let reference = try create(archive, "reference")
        #expect(try forensic(["index", reference, "--workers", "1"]).0 == 0)
        let expected = try counts(reference)
        #expect(expected["indexed"] == 4)

        let victim = try create(archive, "victim")
        // Kill -9 once the first file is saved and before the last one is.
        let p = try indexUntilTheFirstFileIsSaved(victim)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let partial = try counts(victim)
        #expect((partial["indexed"] ?? 0) < 4, "the kill came too late to test anything: \(partial)")

        let again = try forensic(["index", victim, "--workers", "2", "--json"])
        #expect(again.0 == 0, "\(again.2)")
        #expect(try counts(victim) == expected)
        // A second run over the same files does nothing.
        let third = try forensic(["index", victim, "--json"])
        #expect(try jsonDocument(third.1).first?["indexed"] as? Int == 0, "\(third.1)")
        #expect(try counts(victim) == expected)
        let info = try Incident(path: victim).info()
        #expect(info.auditIntact)
        #expect(info.lastRun?.contains("finished") == true)
    }

    @Test func badFilesAreReportedAndTheRestIndexed() throws {
        let archive = try Support.archive()
        // A corrupt file in scope, and one whose name fits no layout and has no creation_time.
        let day = archive.appendingPathComponent("CAM01/2026-11-20")
        try Data("this is not a video".utf8).write(to: day.appendingPathComponent("141500.mp4"))
        try FileManager.default.copyItem(at: day.appendingPathComponent("140000.mp4"), to: day.appendingPathComponent("copy-of-something.mp4"))
        let path = try create(archive, "bad")
        let r = try forensic(["index", path, "--plates"])
        #expect(r.0 == 2)
        let lines = r.2.split(separator: "\n")
        #expect(lines.contains { $0.contains("141500.mp4") && $0.contains("Invalid data") }, "\(r.2)")
        #expect(lines.contains { $0.contains("copy-of-something.mp4") && $0.contains("no start time") }, "\(r.2)")
        let c = try counts(path)
        #expect(c["indexed"] == 4 && c["files"] == 6)
        #expect(try Incident(path: path).searchPlates(PlatePattern("BKN123")).count == 3, "the good files are all searchable")
    }

    @Test func oneIndexRunAtATime() throws {
        let archive = try Support.archive()
        let path = try create(archive, "locked")
        let fd = open(path + ".lock", O_CREAT | O_RDWR, 0o644)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let r = try forensic(["index", path])
        #expect(r.0 == 3 && r.2.contains("another index or merge run"))
        #expect(try forensic(["incident", "merge", path, path]).0 == 3, "merge waits for the lock too")
        flock(fd, LOCK_UN); close(fd)
    }

    @Test func hostileQueriesAndBadArgumentsGiveOneLineErrors() throws {
        let archive = try Support.archive()
        let path = try create(archive, "q")
        let hostile = try forensic(["search", path, "--plate", "'; DROP TABLE plate_sighting; --"])
        #expect(hostile.0 == 1 && hostile.2.contains("may hold only letters"))
        let noIncident = try forensic(["search", "/nonexistent.forensic", "--plate", "ABC"])
        #expect(noIncident.0 == 1 && noIncident.2.contains("/nonexistent.forensic"))
        let badTime = try forensic(["incident", "create", archive.path + "/x", "--from", "yesterday", "--to", "2026-11-20T15:00:00+05:00",
                                    "--archive", archive.path, "--cameras-file", Support.cameras])
        #expect(badTime.0 != 0 && badTime.2.contains("ISO 8601"))
        let csv = archive.deletingLastPathComponent().appendingPathComponent("bad.csv")
        try Data("id,name\nA,b\n".utf8).write(to: csv)
        let badCSV = try forensic(["incident", "create", archive.path + "/y", "--from", "2026-11-20T14:00:00+05:00", "--to", "2026-11-20T15:00:00+05:00",
                                   "--archive", archive.path, "--cameras-file", csv.path])
        #expect(badCSV.0 == 1 && badCSV.2.contains("bad.csv") && badCSV.2.contains("header"))
        let exists = try forensic(["incident", "create", path, "--from", "2026-11-20T14:00:00+05:00", "--to", "2026-11-20T15:00:00+05:00",
                                   "--archive", archive.path, "--cameras-file", Support.cameras])
        #expect(exists.0 == 1 && exists.2.contains("already exists"))
    }

    @Test func shardsIndexedApartMergeIntoWhatOneRunFinds() throws {
        let archive = try Support.archive()
        let reference = try create(archive, "one-run")
        #expect(try forensic(["index", reference, "--workers", "1"]).0 == 0)
        let whole = try create(archive, "sharded")
        let split = try forensic(["incident", "split", whole, "--shards", "2"])
        let shards = split.1.split(separator: "\n").map(String.init)
        #expect(split.0 == 0 && shards.count == 2 && shards[0].hasSuffix("sharded.shard-0-of-2.forensic"), "\(split)")
        for shard in shards { #expect(try forensic(["index", shard, "--workers", "1"]).0 == 0) }
        // Every file indexed exactly once over the shards.
        #expect(try counts(shards[0])["indexed"]! + counts(shards[1])["indexed"]! == 4)

        let merged = try forensic(["incident", "merge", whole] + shards)
        #expect(merged.0 == 0, "\(merged.2)")
        #expect(try counts(whole) == counts(reference))
        let hits = try forensic(["search", whole, "--plate", "BKN-123", "--json"])
        #expect(try jsonDocument(hits.1).count == 3, "BKN-123 at CAM01, CAM02 and CAM03: \(hits.1)")
        // Face search over the merged tracks (the vector file follows the merge) finds what one run
        // finds: camera, times and distance (track ids may differ).
        let photo = "/usr/share/doc/libdlib19.1/examples/johns/John_Salley/000183_02159543.jpg"
        func faceHits(_ path: String) throws -> [String] {
            try forensic(["search", path, "--face", photo, "--csv"]).1.split(separator: "\n").map { $0.split(separator: ",").dropFirst().prefix(4).joined(separator: ",") }
        }
        let mergedFaces = try faceHits(whole), oneRunFaces = try faceHits(reference)
        #expect(mergedFaces.count >= 2 && mergedFaces == oneRunFaces, "\(mergedFaces)")

        // Merging again changes nothing; a shard of another incident and a shard as target are refused.
        let again = try forensic(["incident", "merge", whole, "--json"] + shards)
        let reports = try jsonDocument(again.1)
        #expect(again.0 == 0 && reports.contains { $0["unchanged"] as? Int == 2 }, "\(again)")
        #expect(try counts(whole) == counts(reference))
        let stranger = try forensic(["incident", "merge", reference, shards[0]])
        #expect(stranger.0 == 2 && stranger.2.contains("shard of another incident"), "\(stranger.2)")
        let backwards = try forensic(["incident", "merge", shards[0], shards[1]])
        #expect(backwards.0 == 2 && backwards.2.contains("is a shard"), "\(backwards.2)")
        #expect(try Incident(path: whole).info().auditIntact)
    }
}
