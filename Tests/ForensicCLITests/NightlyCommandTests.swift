import Foundation
import TestSupport
import Testing

/// From the operator's side: an archive over two days indexed night after night, a file still
/// being recorded, a run killed midway, a locked index, files changed or gone after indexing;
/// then the investigator's side: a plate across days, an incident that reuses the nightly work,
/// retention; and a cluster's three shard tasks against one process.
@Suite(.serialized) struct NightlyCommandTests {
    static let samples = ["CAM01/2026-11-20/140000.mp4", "CAM02/2026-11-20/140100.ts", "CAM03/2026-11-20/140200.mkv"]

    /// Copies a sample file to `rel` in `archive`, dated `age` seconds ago.
    func place(_ sample: String, at rel: String, in archive: URL, age: TimeInterval = 7200) throws {
        let to = archive.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.sample("archive/" + sample), toPath: to.path)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: to.path)
    }

    /// Rows of a query on a day file, as text (Debian's sqlite3 shell: columns joined by |).
    func query(_ file: String, _ sql: String) -> [String] {
        guard let r = try? runProcess("/usr/bin/sqlite3", ["-readonly", file, sql]) else { return ["cannot run sqlite3"] }
        return r.stdout.split(separator: "\n").map(String.init)
    }

    func nightly(_ args: [String], env: [String: String]? = nil) throws -> CLI.Result {
        try CLI.run(["nightly"] + args + ["--workers", "2"], environment: env)
    }

    @Test func nightAfterNightTheArchiveIndexGrowsWithNothingLostOrDoubled() throws {
        let dir = try CLI.tempDir()
        let archive = dir.appendingPathComponent("archive"), index = dir.appendingPathComponent("index").path
        for s in Self.samples { try place(s, at: s, in: archive) }
        try place(Self.samples[0], at: "CAM01/2026-11-21/090000.mp4", in: archive)   // the same car, the next morning

        // First night: creates the index, indexes both days, says nothing.
        let first = try nightly([index, "--archive", archive.path, "--cameras-file", CLI.sample("cameras.csv")])
        #expect(first.status == 0 && first.stdout.isEmpty && first.stderr.isEmpty, "\(first.stdout)\(first.stderr)")
        let day20 = index + "/2026-11-20.forensic", day21 = index + "/2026-11-21.forensic"
        #expect(query(day20, "SELECT path, status FROM source_file ORDER BY path") == Self.samples.map { "\($0)|indexed" })
        #expect(query(day21, "SELECT path, status FROM source_file") == ["CAM01/2026-11-21/090000.mp4|indexed"])
        let perFile = query(day20, "SELECT COUNT(*) FROM plate_sighting s JOIN source_file f ON f.id = s.file_id WHERE f.path LIKE 'CAM01/%'")
        #expect(perFile != ["0"])

        // The index keeps the precision it was created with: naming another later is refused.
        let otherPrecision = try nightly([index, "--precision", "int8"])
        #expect(otherPrecision.status == 1 && otherPrecision.stderr.contains("runs its models at f32"), "\(otherPrecision.stderr)")

        // Second night, nothing new: nothing done.
        let again = try CLI.json(try nightly([index, "--json"]).stdout)
        #expect(again.first?["files_indexed"] as? Int == 0 && again.first?["status"] as? String == "done")

        // New footage, one file still being recorded (modified just now): it waits.
        try place(Self.samples[1], at: "CAM02/2026-11-21/093000.ts", in: archive)
        try place(Self.samples[2], at: "CAM03/2026-11-21/100000.mkv", in: archive, age: 0)
        let third = try CLI.json(try nightly([index, "--json"]).stdout).first ?? [:]
        #expect(third["files_indexed"] as? Int == 1 && third["waiting"] as? Int == 1, "\(third)")
        #expect(FileManager.default.fileExists(atPath: index + "/nightly.log.jsonl"))
        #expect(try String(contentsOfFile: index + "/nightly.log.jsonl", encoding: .utf8).split(separator: "\n").count == 3)

        // A run killed midway (SIGKILL, no chance to clean up), then the next run completes it.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)],
                                              ofItemAtPath: archive.appendingPathComponent("CAM03/2026-11-21/100000.mkv").path)
        for (i, s) in Self.samples.enumerated() { try place(s, at: "CAM0\(i + 1)/2026-11-21/1\(i + 1)0000" + s.suffix(from: s.lastIndex(of: ".")!), in: archive) }
        let killed = Process()
        killed.executableURL = URL(fileURLWithPath: CLI.exe)
        killed.arguments = ["nightly", index, "--workers", "1"]
        killed.standardOutput = FileHandle.nullDevice
        killed.standardError = FileHandle.nullDevice
        try killed.run()
        Thread.sleep(forTimeInterval: 6)
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        let resumed = try nightly([index, "--summary"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.hasPrefix("nightly "), "--summary prints one line: \(resumed.stdout)")
        let files21 = query(day21, "SELECT path || '|' || status FROM source_file ORDER BY path")
        #expect(files21.count == 6 && files21.allSatisfy { $0.hasSuffix("|indexed") }, "\(files21)")
        // No file's results twice: each copy of the CAM01 sample has as many sightings as the original.
        let cam01 = query(day21, "SELECT COUNT(s.id) FROM source_file f LEFT JOIN plate_sighting s ON s.file_id = f.id WHERE f.path LIKE 'CAM01/%' GROUP BY f.id")
        #expect(cam01 == [perFile[0], perFile[0]], "\(cam01) vs \(perFile)")

        // The lock: a second run while one holds it exits 3 at once.
        let lockFD = open(index + "/nightly.lock", O_CREAT | O_RDWR, 0o644)
        #expect(flock(lockFD, LOCK_EX | LOCK_NB) == 0)
        let locked = try nightly([index])
        #expect(locked.status == 3 && locked.stderr.contains("lock"), "\(locked.stderr)")
        flock(lockFD, LOCK_UN); close(lockFD)

        // Changed and vanished after indexing: integrity events, results kept, exit 2.
        let changed = archive.appendingPathComponent("CAM02/2026-11-20/140100.ts")
        let handle = try FileHandle(forWritingTo: changed)
        try handle.seekToEnd(); try handle.write(contentsOf: Data(repeating: 0x47, count: 188)); try handle.close()
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: changed.path)
        try FileManager.default.removeItem(at: archive.appendingPathComponent("CAM03/2026-11-20/140200.mkv"))
        // Same size, one byte different, touched: re-hashed and caught.
        let tampered = archive.appendingPathComponent("CAM01/2026-11-20/140000.mp4")
        var bytes = try Data(contentsOf: tampered)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: tampered)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: tampered.path)
        let integrity = try nightly([index])
        #expect(integrity.status == 2 && integrity.stderr.contains("integrity: CAM02/2026-11-20/140100.ts: changed after it was indexed")
                && integrity.stderr.contains("CAM03/2026-11-20/140200.mkv: vanished")
                && integrity.stderr.contains("CAM01/2026-11-20/140000.mp4: content changed after it was indexed (same size"), "\(integrity.stderr)")
        #expect(query(day20, "SELECT COUNT(*) FROM audit WHERE action = 'integrity'") == ["3"])
        // The next night reports them again but audits nothing new.
        #expect(try nightly([index]).status == 2)
        #expect(query(day20, "SELECT COUNT(*) FROM audit WHERE action = 'integrity'") == ["3"])
        #expect(query(day20, "SELECT COUNT(*) FROM source_file WHERE status = 'indexed'") == ["3"])

        // Search across days: the same plate on two days, one ranking.
        let found = try CLI.json(try CLI.run(["search", index, "--plate", "BKN123", "--exact", "--json"]).stdout)
        #expect(Set(found.compactMap { $0["day"] as? String }) == ["2026-11-20", "2026-11-21"], "\(found)")
        let oneDay = try CLI.json(try CLI.run(["search", index, "--plate", "BKN123", "--exact", "--json", "--from", "2026-11-21T00:00:00+05:00"]).stdout)
        #expect(!oneDay.isEmpty && oneDay.allSatisfy { $0["day"] as? String == "2026-11-21" })
        #expect(try CLI.run(["track", index, "--plate", "BKN123"]).status == 0)
        // Watchlist hits across the days.
        let wl = dir.appendingPathComponent("watch.db").path
        #expect(try CLI.run(["watchlist", "create", "stolen", "--kind", "plates", "--watchlist", wl]).status == 0)
        try "plate,reason,notes\nBKN-123,stolen,\n".write(toFile: dir.appendingPathComponent("stolen.csv").path, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["watchlist", "add-plates", "stolen", dir.appendingPathComponent("stolen.csv").path, "--watchlist", wl]).status == 0)
        let hits = try CLI.json(try CLI.run(["hits", index, "--watchlist", wl, "--json"]).stdout)
        #expect(Set(hits.compactMap { $0["day"] as? String }) == ["2026-11-20", "2026-11-21"] && hits.allSatisfy { $0["entry"] as? String == "BKN123" }, "\(hits)")

        // An incident over footage the index holds takes its results: no decoding.
        let inc = dir.appendingPathComponent("case").path
        #expect(try CLI.run(["incident", "create", inc, "--from", "2026-11-21T08:59:00+05:00", "--to", "2026-11-21T13:00:00+05:00",
                             "--archive", archive.path, "--cameras-file", CLI.sample("cameras.csv"), "--reuse", index]).status == 0)
        let reused = try CLI.run(["index", inc + ".forensic", "--json"])
        let summary = try CLI.json(reused.stdout).first ?? [:]
        #expect(summary["reused"] as? Int == 6 && summary["indexed"] as? Int == 6, "\(summary) \(reused.stderr)")
        #expect(query(inc + ".forensic", "SELECT COUNT(*) FROM plate_sighting") == query(day21, "SELECT COUNT(*) FROM plate_sighting"))

        // Each day file has its plate-key summary (what plate searches skip days by).
        #expect(FileManager.default.fileExists(atPath: day20 + "-keys") && FileManager.default.fileExists(atPath: day21 + "-keys"))

        // Retention by policy: days past --keep go after the run, except the day the incident reused (logged, not a
        // failure); footage gone from days past the policy is expected, not an integrity event.
        let kept = try nightly([index, "--keep", "1", "--json"])
        let keptReport = try CLI.json(kept.stdout).first ?? [:]
        #expect(kept.status == 0 && kept.stderr.isEmpty && keptReport["pruned"] as? [String] == ["2026-11-20"]
                && keptReport["kept_for_incidents"] as? [String] == ["2026-11-21"], "\(kept.stdout) \(kept.stderr)")
        #expect(!FileManager.default.fileExists(atPath: day20) && !FileManager.default.fileExists(atPath: day20 + "-keys")
                && FileManager.default.fileExists(atPath: day21))
        #expect(try String(contentsOfFile: index + "/nightly.log.jsonl", encoding: .utf8).contains("\"pruned\":[\"2026-11-20\"]"))
        // By hand: the day the incident reused is kept unless forced.
        let prune = try nightly([index, "--prune-before", "2026-11-22", "--json"])
        #expect(prune.status == 2 && prune.stderr.contains("2026-11-21 kept"), "\(prune.stderr)")
        #expect(try nightly([index, "--prune-before", "2026-11-22", "--force"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: day21))
        #expect(query(inc + ".forensic", "SELECT COUNT(*) FROM source_file WHERE status = 'indexed'") == ["6"], "the incident kept its copy")
    }

    @Test func threeShardTasksMergeToWhatOneProcessIndexes() throws {
        let dir = try CLI.tempDir()
        let archive = dir.appendingPathComponent("archive")
        for s in Self.samples { try place(s, at: s, in: archive) }
        try place(Self.samples[0], at: "CAM01/2026-11-21/090000.mp4", in: archive)
        try place(Self.samples[1], at: "CAM02/2026-11-21/091000.ts", in: archive)
        let single = dir.appendingPathComponent("single").path, sharded = dir.appendingPathComponent("sharded").path
        #expect(try nightly([single, "--archive", archive.path, "--cameras-file", CLI.sample("cameras.csv")]).status == 0)

        // Shards need the index made first.
        let early = try nightly([sharded, "--archive", archive.path, "--cameras-file", CLI.sample("cameras.csv")],
                                env: ["JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "3"])
        #expect(early.status == 1 && early.stderr.contains("--create"))
        #expect(try nightly([sharded, "--archive", archive.path, "--cameras-file", CLI.sample("cameras.csv"), "--create"]).status == 0)
        let bad = try nightly([sharded], env: ["JOB_COMPLETION_INDEX": "4"])
        #expect(bad.status == 1 && bad.stderr.contains("JOB_COMPLETIONS"))

        // Three tasks at once, as a Kubernetes Indexed Job (0, 1) and a Slurm array (2) would start them.
        let envs = [["JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "3"], ["JOB_COMPLETION_INDEX": "1", "JOB_COMPLETIONS": "3"],
                    ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3"]]
        let tasks = try envs.map { env -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.exe)
            p.arguments = ["nightly", sharded, "--workers", "1"]
            p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        tasks.forEach { $0.waitUntilExit() }
        #expect(tasks.map(\.terminationStatus) == [0, 0, 0])
        #expect(try FileManager.default.contentsOfDirectory(atPath: sharded + "/shards").filter { $0.hasSuffix(".forensic") }.count >= 3)
        let merged = try nightly([sharded, "--merge", "--json"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sharded + "/shards").filter { $0.hasSuffix(".forensic") }.isEmpty)

        for day in ["2026-11-20", "2026-11-21"] {
            for sql in ["SELECT path, status, sha256, fingerprint FROM source_file ORDER BY path",
                        "SELECT f.path, s.text, s.first_pts, s.last_pts, s.reads FROM plate_sighting s JOIN source_file f ON f.id = s.file_id ORDER BY 1, 2, 3",
                        "SELECT f.path, COUNT(t.id), SUM(t.faces) FROM source_file f LEFT JOIN face_track t ON t.file_id = f.id GROUP BY f.path ORDER BY 1"] {
                let a = query("\(single)/\(day).forensic", sql), b = query("\(sharded)/\(day).forensic", sql)
                #expect(!a.isEmpty && a == b, "\(day): \(sql)\n\(a)\n\(b)")
            }
        }
    }

    @Test func deploymentFilesAreValid() throws {
        let deploy = CLI.root.appendingPathComponent("deploy")
        func run(_ tool: String, _ args: [String]) throws -> Int32 { try runProcess(tool, args).status }
        // Both CronJobs parse and name the nightly and merge steps.
        #expect(try run("/usr/bin/python3", ["-c", """
            import yaml, sys
            docs = list(yaml.safe_load_all(open(sys.argv[1])))
            assert [d["kind"] for d in docs] == ["CronJob", "CronJob"]
            index = docs[0]["spec"]["jobTemplate"]["spec"]
            assert index["completionMode"] == "Indexed"
            env = {e["name"]: e["value"] for e in index["template"]["spec"]["containers"][0]["env"]}
            assert env["JOB_COMPLETIONS"] == str(index["completions"])
            assert "--merge" in docs[1]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"]
            """, deploy.appendingPathComponent("kubernetes.yaml").path]) == 0)
        #expect(try run("/bin/bash", ["-n", deploy.appendingPathComponent("slurm-nightly.sh").path]) == 0)
        let crontab = try String(contentsOf: deploy.appendingPathComponent("crontab"), encoding: .utf8)
        #expect(crontab.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("forensic nightly") }.count == 1)
        // The unit files, pointed at the built binary, pass systemd's own check where systemd is installed.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
            let units = try CLI.tempDir()
            let service = try String(contentsOf: deploy.appendingPathComponent("forensic-nightly.service"), encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/forensic", with: CLI.exe)
            try service.write(to: units.appendingPathComponent("forensic-nightly.service"), atomically: true, encoding: .utf8)
            try FileManager.default.copyItem(at: deploy.appendingPathComponent("forensic-nightly.timer"), to: units.appendingPathComponent("forensic-nightly.timer"))
            #expect(try run("/usr/bin/systemd-analyze", ["verify", units.appendingPathComponent("forensic-nightly.service").path,
                                                         units.appendingPathComponent("forensic-nightly.timer").path]) == 0)
        }
    }
}
