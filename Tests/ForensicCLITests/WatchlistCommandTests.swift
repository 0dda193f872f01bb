import Foundation
import TestSupport
import Testing

/// From the investigator's side: enrol a wanted plate and an inmate's photos, index the sample
/// footage with the watchlist, list the hits (by zone too), then recheck after the list changed.
@Suite(.serialized) struct WatchlistCommandTests {
    @Test func indexingWithAWatchlistListsHitsAnInvestigatorCanActOn() throws {
        let dir = try CLI.tempDir()
        let archive = try CLI.archiveWithFaces(in: dir)
        let wl = dir.appendingPathComponent("watch.db").path
        let env = ["FORENSIC_WATCHLIST": wl]

        #expect(try CLI.run(["watchlist", "create", "stolen", "--kind", "plates"], environment: env).status == 0)
        let plates = dir.appendingPathComponent("stolen.csv")
        try "plate,reason,notes\nBKN-123,stolen,white Corolla\nZZZ-999,stolen,never seen\nnot a plate!,x,\n".write(to: plates, atomically: true, encoding: .utf8)
        let added = try CLI.run(["watchlist", "add-plates", "stolen", plates.path], environment: env)
        #expect(added.status == 2 && added.stderr.contains("stolen.csv:4"), "\(added.stderr)")

        // The inmate's enrolment photo is another photo of the man walking past CAM04.
        let photos = dir.appendingPathComponent("inmates/P-17")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        try ffmpeg(["-i", Repo.dlibExamples + "/johns/John_Salley/000183_02159543.jpg",
                    "-vf", "pad=450:450:150:150:color=gray", photos.appendingPathComponent("front.png").path])
        #expect(try CLI.run(["watchlist", "create", "inmates", "--kind", "faces"], environment: env).status == 0)
        let enrol = try CLI.run(["watchlist", "add-faces", "inmates", dir.appendingPathComponent("inmates").path, "--json"], environment: env)
        #expect(enrol.status == 0, "\(enrol.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: wl)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let inc = dir.appendingPathComponent("case").path
        #expect(try CLI.run(["incident", "create", inc, "--from", "2026-11-20T13:59:00+05:00", "--to", "2026-11-20T14:05:00+05:00",
                             "--archive", archive.path, "--cameras-file", CLI.sample("cameras.csv")]).status == 0)
        let indexed = try CLI.run(["index", inc + ".forensic", "--json"], environment: env)
        #expect(indexed.status == 0, "\(indexed.stderr)")
        let summary = try #require(try CLI.json(indexed.stdout).first)
        let check = try #require(summary["watchlist"] as? [String: Any])
        #expect(check["plate_hits"] as? Int == 3 && check["face_hits"] as? Int == 1, "\(check)")

        let hits = try CLI.json(try CLI.run(["hits", inc + ".forensic", "--json"]).stdout)
        #expect(hits.map { $0["camera"] as? String } == ["CAM01", "CAM02", "CAM03", "CAM04"], "in time order: \(hits)")
        #expect(hits.prefix(3).allSatisfy { $0["entry"] as? String == "BKN123" && $0["match"] as? String == "exact" })
        #expect(hits[3]["entry"] as? String == "P-17" && (hits[3]["distance"] as? Double ?? 1) < 0.6 && hits[3]["quality"] != nil)
        let airport = try CLI.json(try CLI.run(["hits", inc + ".forensic", "--zone", "Airport Corridor", "--json"]).stdout)
        #expect(airport.map { $0["camera"] as? String } == ["CAM03", "CAM04"], "the plate at Star Gate and the man at the terminal")
        let redZone = try CLI.json(try CLI.run(["hits", inc + ".forensic", "--zone", "Red Zone", "--list", "stolen", "--json"]).stdout)
        #expect(redZone.map { $0["camera"] as? String } == ["CAM01", "CAM02"])
        let stills = dir.appendingPathComponent("stills").path
        let withStills = try CLI.json(try CLI.run(["hits", inc + ".forensic", "--list", "inmates", "--stills", stills, "--json"]).stdout)
        #expect(withStills.count == 1 && FileManager.default.fileExists(atPath: withStills[0]["still"] as? String ?? "/none"))

        let searched = try CLI.json(try CLI.run(["search", inc + ".forensic", "--plate", "BKN123", "--exact", "--json"]).stdout)
        #expect(searched.count == 3 && searched.allSatisfy { $0["watchlist"] as? String == "stolen/BKN123" }, "\(searched)")
        let route = try CLI.json(try CLI.run(["track", inc + ".forensic", "--plate", "BKN123", "--json"]).stdout)
        #expect(route.count == 3 && route.allSatisfy { $0["watchlist"] as? String == "stolen/BKN123" }, "\(route)")

        // The list changes; a recheck without re-indexing follows it.
        #expect(try CLI.run(["watchlist", "remove", "stolen", "--entry", "BKN123"], environment: env).status == 0)
        let after = try CLI.json(try CLI.run(["hits", inc + ".forensic", "--watchlist", wl, "--recheck", "--json"]).stdout)
        #expect(after.map { $0["kind"] as? String } == ["face"])
        let bad = try CLI.run(["index", inc + ".forensic", "--watchlist", dir.appendingPathComponent("nope.db").path])
        #expect(bad.status == 1 && bad.stderr.contains("nope.db"), "\(bad.stderr)")
    }
}
