import Crypto
import Foundation
import Testing

/// Searching, tracking, listing hits, info and audit open incident and day files read-only: the
/// evidence file keeps its bytes, also on storage the process cannot write (issue 20).
@Suite(.serialized) struct ReadingNeverWritesTests {
    func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    /// Runs `forensic` unable to write the read-only files (as root, without root's capabilities).
    func runUnprivileged(_ args: [String]) throws -> CLI.Result { try CLI.run(args, unprivileged: true) }

    /// Makes every file under `dir` readable by all and writable by none (folders too).
    func makeReadOnly(_ dir: URL) throws {
        let fm = FileManager.default
        for case let rel as String in fm.enumerator(atPath: dir.path)! {
            let path = dir.appendingPathComponent(rel).path
            var isDir: ObjCBool = false
            fm.fileExists(atPath: path, isDirectory: &isDir)
            try fm.setAttributes([.posixPermissions: isDir.boolValue ? 0o555 : 0o444], ofItemAtPath: path)
        }
        try fm.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.path)
    }

    @Test func readingCommandsLeaveIncidentAndDayFilesByteIdenticalWhereTheyCannotWrite() throws {
        let dir = try CLI.tempDir()
        defer {
            _ = try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            if let e = FileManager.default.enumerator(atPath: dir.path) {
                for case let rel as String in e {
                    try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.appendingPathComponent(rel).path)
                }
            }
            try? FileManager.default.removeItem(at: dir)
        }
        // One camera's sample (the wanted BKN-123 passes), an hour old so the nightly run takes it.
        let file = dir.appendingPathComponent("archive/CAM01/2026-11-20/140000.mp4")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.sample("archive/CAM01/2026-11-20/140000.mp4"), toPath: file.path)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: file.path)
        let archive = dir.appendingPathComponent("archive").path
        let inc = dir.appendingPathComponent("case.forensic").path, index = dir.appendingPathComponent("index").path
        #expect(try CLI.run(["incident", "create", inc, "--from", "2026-11-20T13:59:00+05:00", "--to", "2026-11-20T14:05:00+05:00",
                             "--archive", archive, "--cameras-file", CLI.sample("cameras.csv")]).status == 0)
        let indexed = try CLI.run(["index", inc])
        #expect(indexed.status == 0, "\(indexed.stderr)")
        let nightly = try CLI.run(["nightly", index, "--archive", archive, "--cameras-file", CLI.sample("cameras.csv"), "--workers", "2"])
        #expect(nightly.status == 0, "\(nightly.stderr)")
        let dayFile = index + "/2026-11-20.forensic"
        #expect(FileManager.default.fileExists(atPath: dayFile))

        // The writing commands left nothing pending beside the files; taken to evidence storage
        // alone (no -wal, no -shm), where nothing may be written.
        let evidence = [inc, dayFile]
        for f in evidence {
            let wal = (try? FileManager.default.attributesOfItem(atPath: f + "-wal")[.size] as? Int) ?? 0
            #expect(wal == 0, "\(f)-wal holds \(wal) bytes not in the file")
            for companion in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: f + companion) }
        }
        try makeReadOnly(dir)
        let before = try evidence.map(sha256)
        let modified = try evidence.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }

        let johns = "/usr/share/doc/libdlib19.1/examples/johns/John_Salley/000183_02159543.jpg"
        for target in [inc, index] {
            for args in [["search", target, "--plate", "BKN123"], ["search", target, "--plate", "BKN-12?", "--json"],
                         ["search", target, "--face", johns], ["track", target, "--plate", "BKN123"],
                         ["convoy", target, "--plate", "BKN123"], ["hits", target]] {
                let r = try runUnprivileged(args)
                #expect(r.status == 0, "\(args.joined(separator: " ")): \(r.stderr)")
                if args.count > 2, args[2] == "--plate", args[0] == "search" { #expect(r.stdout.contains("BKN"), "\(args): \(r.stdout)") }
            }
        }
        for args in [["incident", "info", inc], ["audit", inc, "--verify"]] {
            let r = try runUnprivileged(args)
            #expect(r.status == 0, "\(args.joined(separator: " ")): \(r.stderr)")
        }
        #expect(try evidence.map(sha256) == before, "a reading command changed an evidence file")
        #expect(try evidence.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date } == modified)
        for f in evidence {
            for companion in ["-wal", "-shm"] { #expect(!FileManager.default.fileExists(atPath: f + companion), "\(f)\(companion) appeared") }
        }

        // A writing command refuses in one line naming the file.
        let refused = try runUnprivileged(["index", inc])
        #expect(refused.status != 0 && refused.stderr.contains("case.forensic"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
    }

    @Test func filtersRefuseWhatTheScopeDoesNotHaveAndReadLocalTimesInItsZone() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("archive/CAM01/2026-11-20/140000.mp4")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.sample("archive/CAM01/2026-11-20/140000.mp4"), toPath: file.path)
        let inc = dir.appendingPathComponent("case.forensic").path
        #expect(try CLI.run(["incident", "create", inc, "--from", "2026-11-20T13:59:00+05:00", "--to", "2026-11-20T14:05:00+05:00",
                             "--archive", dir.appendingPathComponent("archive").path, "--cameras-file", CLI.sample("cameras.csv")]).status == 0)
        #expect(try CLI.run(["index", inc]).status == 0)
        func search(_ extra: [String]) throws -> CLI.Result { try CLI.run(["search", inc, "--plate", "BKN123"] + extra) }

        // Names in any case find what the stored spelling finds.
        for filter in [["--camera", "cam01"], ["--site", "nursery"], ["--zone", "red zone"]] {
            let r = try search(filter)
            #expect(r.status == 0 && r.stdout.contains("BKN-123"), "\(filter): \(r.stdout)\(r.stderr)")
        }
        // Unknown names are refused with the names that exist, not answered "no matches".
        let unknown = try search(["--camera", "CAM9"])
        #expect(unknown.status == 64 && unknown.stderr.contains("unknown camera 'CAM9' (known: CAM01, CAM02, CAM03, CAM04)"), "\(unknown.stderr)")
        let site = try search(["--site", "Saddar"])
        #expect(site.status == 64 && site.stderr.contains("unknown site 'Saddar'") && site.stderr.contains("Nursery"), "\(site.stderr)")
        // A reversed window cannot match anything: refused.
        let reversed = try search(["--from", "2026-11-20T14:30:00+05:00", "--to", "2026-11-20T14:00:00+05:00"])
        #expect(reversed.status == 64 && reversed.stderr.contains("--from is after --to"), "\(reversed.stderr)")
        // A time without an offset is read in the incident's zone, and the output says so.
        let local = try search(["--from", "2026-11-20T14:00", "--to", "2026-11-20T14:01"])
        #expect(local.status == 0 && local.stdout.contains("BKN-123") && local.stderr.contains("Asia/Karachi (+05:00)"), "\(local.stdout)\(local.stderr)")
        let later = try search(["--from", "2026-11-20T14:01"])
        #expect(later.status == 0 && !later.stdout.contains("BKN-123"), "the 14:00:03 sighting is before 14:01 Karachi time: \(later.stdout)")
        let bad = try search(["--from", "yesterday"])
        #expect(bad.status == 64 && bad.stderr.contains("2026-11-20T14:01"), "the error shows an example: \(bad.stderr)")
    }

    @Test func jsonIsOneDocumentForEveryCommandAndEveryPlateCanBeListedInPages() throws {
        let dir = try CLI.tempDir()
        let archive = try CLI.archiveWithFaces(in: dir)
        let inc = dir.appendingPathComponent("case.forensic").path
        #expect(try CLI.run(["incident", "create", inc, "--from", "2026-11-20T13:59:00+05:00", "--to", "2026-11-20T14:05:00+05:00",
                             "--archive", archive.path, "--cameras-file", CLI.sample("cameras.csv")]).status == 0)
        #expect(try CLI.run(["index", inc, "--plates"]).status == 0)
        let wl = dir.appendingPathComponent("wl.db").path
        #expect(try CLI.run(["watchlist", "create", "stolen", "--kind", "plates", "--watchlist", wl]).status == 0)

        // `--json`: exactly one document whatever the command, `[]` when nothing is found.
        let commands: [(args: [String], empty: Bool)] = [
            (["search", inc, "--plate", "BKN123"], false), (["search", inc, "--plate", "ZZZ999"], true),
            (["search", inc, "--plate", "BKN123", "--camera", "CAM04"], true), (["track", inc, "--plate", "BKN123"], false),
            (["convoy", inc, "--plate", "BKN123"], false), (["hits", inc], true), (["audit", inc], false), (["incident", "info", inc], false),
            (["probe", CLI.sample("archive/CAM01/2026-11-20/140000.mp4"), CLI.sample("archive/CAM02/2026-11-20/140100.ts")], false),
            (["watchlist", "list", "--watchlist", wl], false), (["watchlist", "show", "stolen", "--watchlist", wl], true),
        ]
        for c in commands {
            let r = try CLI.run(c.args + ["--json"])
            #expect(r.status == 0, "\(c.args): \(r.stderr)")
            let doc = try CLI.json(r.stdout)
            #expect(doc.isEmpty == c.empty, "\(c.args): \(r.stdout)")
            if c.empty { #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]") }
        }
        // `--json-lines`: one object per line, for streaming.
        let lines = try CLI.run(["search", inc, "--plate", "*", "--json-lines"])
        let objects = try CLI.jsonLines(lines.stdout)
        #expect(objects.count >= 5 && objects.allSatisfy { $0["sighting_id"] != nil })
        #expect(try CLI.run(["search", inc, "--plate", "BKN123", "--json", "--json-lines"]).status == 64)

        // `--plate '*'` lists every plate seen, in time order, a page at a time; a capped list says how many more.
        let all = try CLI.json(try CLI.run(["search", inc, "--plate", "*", "--json"]).stdout)
        let page = try CLI.run(["search", inc, "--plate", "*", "--limit", "2", "--json"])
        #expect(try CLI.json(page.stdout).map { $0["sighting_id"] as? Int } == all.prefix(2).map { $0["sighting_id"] as? Int })
        #expect(page.stderr.contains("\(all.count) sightings match; listed 1–2, \(all.count - 2) more (--offset 2"), "\(page.stderr)")
        let next = try CLI.json(try CLI.run(["search", inc, "--plate", "*", "--limit", "2", "--offset", "2", "--json"]).stdout)
        #expect(next.map { $0["sighting_id"] as? Int } == all.dropFirst(2).prefix(2).map { $0["sighting_id"] as? Int })
        let times = all.compactMap { $0["time_utc"] as? String }
        #expect(times.count == all.count && times == times.sorted())
    }
}
