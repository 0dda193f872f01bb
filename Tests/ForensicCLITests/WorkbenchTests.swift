import Foundation
import TestSupport
import Testing

/// The workbench in a real Chromium, as an investigator and a supervisor use it, and what it refuses.
@Suite(.serialized) struct WorkbenchTests {
    /// A served incident over the sample footage (plates and faces, checked against a watchlist),
    /// with a supervisor, an investigator and an auditor, on a free loopback port.
    final class Served {
        let dir: URL
        let incident: String
        let key: String
        let auditLog: String
        let base: String
        let server: Process

        init(extra: [String] = []) throws {
            dir = try CLI.tempDir()
            let archive = try CLI.archiveWithFaces(in: dir)
            let wl = dir.appendingPathComponent("watch.db").path
            let env = ["FORENSIC_WATCHLIST": wl]
            #expect(try CLI.run(["watchlist", "create", "stolen", "--kind", "plates"], environment: env).status == 0)
            try "plate,reason,notes\nBKN-123,stolen,white Corolla\n".write(to: dir.appendingPathComponent("stolen.csv"), atomically: true, encoding: .utf8)
            #expect(try CLI.run(["watchlist", "add-plates", "stolen", dir.appendingPathComponent("stolen.csv").path], environment: env).status == 0)
            let inc = dir.appendingPathComponent("case").path
            #expect(try CLI.run(["incident", "create", inc, "--from", "2026-11-20T13:59:00+05:00", "--to", "2026-11-20T14:05:00+05:00",
                                 "--archive", archive.path, "--cameras-file", CLI.sample("cameras.csv")]).status == 0)
            incident = inc + ".forensic"
            let indexed = try CLI.run(["index", incident], environment: env)
            #expect(indexed.status == 0, "\(indexed.stderr)")
            key = dir.appendingPathComponent("court").path
            #expect(try CLI.run(["keys", "create", "--out", key]).status == 0)
            let users = dir.appendingPathComponent("users.json").path
            for (name, role) in [("chief", "supervisor"), ("ali", "investigator"), ("sara", "auditor")] {
                let added = try CLI.run(["users", "add", name, "--role", role, "--users", users], environment: ["FORENSIC_PASSWORD": "\(name)-password-1"])
                #expect(added.status == 0, "\(added.stderr)")
            }
            auditLog = dir.appendingPathComponent("workbench-audit.jsonl").path
            let port = Int.random(in: 20_000..<30_000)
            base = "http://127.0.0.1:\(port)"
            server = Process()
            server.executableURL = URL(fileURLWithPath: CLI.exe)
            server.arguments = ["serve", incident, "--listen", "127.0.0.1:\(port)", "--users", users, "--audit-log", auditLog,
                                "--work", dir.appendingPathComponent("work").path, "--key", key] + extra
            // The clock the time limit counts from: the footage is from 2026-11-20, whatever year the tests run in.
            server.environment = ProcessInfo.processInfo.environment.merging(["FORENSIC_NOW": "2026-12-01T12:00:00+05:00"]) { $1 }
            server.standardError = FileHandle.nullDevice
            try server.run()
            for _ in 0..<100 where (try? HTTP.request(base + "/login"))?.1 != 200 { usleep(100_000) }
        }

        deinit { server.terminate(); server.waitUntilExit() }

        /// A session cookie and CSRF token for `name`, logged in without a browser.
        func logIn(_ name: String) throws -> (cookie: String, csrf: String) {
            let (page, _) = try HTTP.request(base + "/login")
            let token = String(String(decoding: page, as: UTF8.self).firstMatch(of: /name="csrf" value="([^"]+)"/)?.1 ?? "")
            let (_, status, headers) = try HTTP.response(base + "/login", method: "POST",
                                                         headers: ["Cookie": "forensic_login=\(token)", "Content-Type": "application/x-www-form-urlencoded"],
                                                         body: Data("name=\(name)&password=\(name)-password-1&csrf=\(token)".utf8))
            #expect(status == 303)
            let cookie = (headers["set-cookie"] ?? "").components(separatedBy: ";").first ?? ""
            let (face, _) = try HTTP.request(base + "/face", headers: ["Cookie": cookie])
            let csrf = String(String(decoding: face, as: UTF8.self).firstMatch(of: /data-csrf="([^"]+)"/)?.1 ?? "")
            return (cookie, csrf)
        }
    }

    @Test func anInvestigatorAndASupervisorWorkTheCaseInChromium() throws {
        let served = try Served()
        let downloads = try CLI.tempDir()
        guard let browser = try Browser(downloads: downloads) else {
            Issue.record("chromium and chromium-driver are not installed (make test installs them: scripts/setup.sh --test)")
            return
        }
        let shots = ProcessInfo.processInfo.environment["FORENSIC_SCREENSHOTS"]
        func shot(_ name: String) throws {
            guard let shots else { return }
            try browser.screenshot().write(to: URL(fileURLWithPath: shots).appendingPathComponent("workbench-\(name).png"))
        }
        let b = served.base

        // Nobody gets in without an account.
        try browser.open(b + "/search?case=0&plate=BKN123")
        #expect(try browser.url.hasSuffix("/login"))
        try browser.type("#name", "chief")
        try browser.type("#password", "wrong password")
        try browser.click("#login")
        #expect(try browser.text("p.error").contains("Wrong name or password"))

        try browser.type("#name", "chief")
        try browser.type("#password", "chief-password-1")
        try browser.click("#login")
        try shot("login")
        // The witness remembers most of the plate.
        try browser.type("#plate", "BKN-12?")
        try browser.click("#search")
        try browser.wait(until: "document.querySelectorAll('.result img').length == 3")
        try browser.wait(until: "[...document.querySelectorAll('.result img')].every(i => i.complete && i.naturalWidth > 40)")
        #expect(try browser.text("#summary") == "Sightings 1–3 of 3.")
        #expect(try browser.count(".hit") == 3, "each sighting shows its watchlist hit")
        try shot("search")

        // A sighting: the crop, every read, the clip playing in the page.
        try browser.click(".result a")
        try browser.wait(until: "document.querySelector('.chip img').naturalWidth > 40")
        #expect(try browser.count("table tr") >= 3, "every read of the sighting")
        _ = try browser.script("const v = document.getElementById('clip'); v.muted = true; v.play();")
        try browser.wait(until: "document.getElementById('clip').currentTime > 0.5", seconds: 30)
        try shot("sighting")

        // The route on the map, each stop linking to its sighting.
        try browser.open(b + "/route?case=0&plate=BKN123")
        try browser.wait(until: "document.querySelectorAll('#route-map circle.stop').length == 3")
        try shot("route")

        // Face search by uploading another photo of the man on CAM04.
        try browser.open(b + "/face")
        try browser.type("#photo", Repo.dlibExamples + "/johns/John_Salley/000183_02159543.jpg")
        try browser.click("#face-search")
        try browser.wait(until: "document.getElementById('summary') && document.getElementById('summary').textContent.includes('face tracks')", seconds: 60)
        #expect(try browser.text(".result strong").hasPrefix("distance 0."))
        try shot("face")

        // Hits, newest first.
        try browser.open(b + "/hits?case=0")
        #expect(try browser.count("table tr") == 4, "three plate hits and the header")
        try shot("hits")

        // Export what was found; the bundle verifies offline.
        try browser.open(b + "/search?case=0&plate=BKN123")
        try browser.wait(until: "document.querySelectorAll('input[name=item]').length == 3")
        _ = try browser.script("document.querySelectorAll('input[name=item]').forEach(c => c.checked = true);")
        try browser.click("#export")
        let link = try browser.script("return document.getElementById('download').getAttribute('href');") as? String ?? ""
        #expect(link.hasPrefix("/exports/bundle-"))
        try shot("export")
        let (zip, status) = try HTTP.request(b + link, headers: ["Cookie": try browser.cookieHeader()])
        #expect(status == 200)
        let bundle = downloads.appendingPathComponent("bundle.zip")
        try zip.write(to: bundle)
        let verified = try CLI.run(["verify", bundle.path, "--key", served.key + ".pub"])
        #expect(verified.status == 0 && verified.stdout.contains("bundle verified"), "\(verified.stdout)")

        // Log out: the pages are closed again.
        try browser.click("#logout")
        try browser.open(b + "/hits?case=0")
        #expect(try browser.url.hasSuffix("/login"))

        // Every look is in the server's log, and its chain holds; an edited line breaks it.
        let audit = try CLI.run(["audit", "--server", served.auditLog, "--verify", "--json"])
        #expect(audit.status == 0, "\(audit.stderr)")
        let actions = Set(try CLI.json(audit.stdout).compactMap { $0["action"] as? String })
        #expect(actions.isSuperset(of: ["login", "search", "view", "play", "route", "face-search", "hits", "export", "logout", "refused"]), "\(actions)")
        let text = try String(contentsOfFile: served.auditLog, encoding: .utf8)
        try text.replacingOccurrences(of: "BKN123", with: "BKN124").write(toFile: served.auditLog, atomically: true, encoding: .utf8)
        let tampered = try CLI.run(["audit", "--server", served.auditLog, "--verify"])
        #expect(tampered.status == 1 && tampered.stderr.contains("edited"), "\(tampered.stderr)")
    }

    @Test func refusalsWithoutASessionTheRightRoleOrTheFormsToken() throws {
        let served = try Served()
        let b = served.base
        // No session: no page, no API.
        #expect(try HTTP.request(b + "/api/plates?plate=BKN123").1 == 401)
        #expect(try HTTP.request(b + "/search?plate=BKN123").1 == 303)
        #expect(try HTTP.request(b + "/openapi.json").1 == 401)

        let ali = try served.logIn("ali")
        let (doc, docStatus) = try HTTP.request(b + "/openapi.json", headers: ["Cookie": ali.cookie])
        let openapi = (try JSONSerialization.jsonObject(with: doc) as? [String: Any])?["openapi"] as? String
        #expect(docStatus == 200 && openapi == "3.0.3")
        // The API answers in the CLI's field names.
        let (found, ok) = try HTTP.request(b + "/api/plates?plate=BKN123", headers: ["Cookie": ali.cookie])
        let page = try JSONSerialization.jsonObject(with: found) as? [String: Any]
        let first = (page?["hits"] as? [[String: Any]])?.first
        #expect(ok == 200 && page?["total"] as? Int == 3 && (first?["at"] as? [String: Any])?["time_local"] != nil && first?["sighting_id"] != nil)
        // An investigator searches 90 days back, counted from the workbench's clock.
        let (_, early) = try HTTP.request(b + "/api/plates?plate=BKN123&from=2026-08-01T00:00", headers: ["Cookie": ali.cookie])
        #expect(early == 403)
        // Only supervisors export; a form without the session's token is refused.
        let form = ["Cookie": ali.cookie, "Content-Type": "application/x-www-form-urlencoded"]
        #expect(try HTTP.request(b + "/export?case=0", method: "POST", headers: form, body: Data("csrf=\(ali.csrf)&item=plate::1".utf8)).1 == 403)
        let chief = try served.logIn("chief")
        let chiefForm = ["Cookie": chief.cookie, "Content-Type": "application/x-www-form-urlencoded"]
        #expect(try HTTP.request(b + "/export?case=0", method: "POST", headers: chiefForm, body: Data("item=plate::1".utf8)).1 == 403)
        #expect(try HTTP.request(b + "/export?case=0", method: "POST", headers: chiefForm, body: Data("csrf=forged&item=plate::1".utf8)).1 == 403)
        #expect(try HTTP.request(b + "/logout", method: "POST", headers: ["Cookie": chief.cookie]).1 == 403, "logging out is a form too")
        // An auditor reads the audit log and does not search.
        let sara = try served.logIn("sara")
        #expect(try HTTP.request(b + "/api/plates?plate=BKN123", headers: ["Cookie": sara.cookie]).1 == 403)
        #expect(try HTTP.request(b + "/audit", headers: ["Cookie": sara.cookie]).1 == 200)
        #expect(try HTTP.request(b + "/audit", headers: ["Cookie": ali.cookie]).1 == 403)

        // The court report: a plain summary, local times beside UTC, the face's distance to the
        // photo it was found by (bundled), and nothing wider than a 1280 px window.
        let photo = Repo.dlibExamples + "/johns/John_Salley/000183_02159543.jpg"
        let bundle = served.dir.appendingPathComponent("face-bundle").path
        let exported = try CLI.run(["export", served.incident, "--face", photo, "--plate", "BKN123", "--out", bundle, "--key", served.key])
        #expect(exported.status == 0, "\(exported.stderr)")
        let report = try String(contentsOfFile: bundle + "/report.html", encoding: .utf8)
        #expect(report.contains("class=\"summary\">Asked for: plate BKN123; face like 000183_02159543.jpg. Found: 3 plate sightings and 1 face track"))
        #expect(report.contains("2026-11-20T14:03:02+05:00 (Asia/Karachi) — 2026-11-20T09:03:02Z UTC"))
        #expect(report.contains("probe/000183_02159543.jpg at descriptor distance 0.2"), "the face finding names its photo and distance")
        #expect(FileManager.default.fileExists(atPath: bundle + "/probe/000183_02159543.jpg"))
        #expect(try CLI.run(["verify", bundle, "--key", served.key + ".pub"]).status == 0)
        if let browser = try Browser(downloads: served.dir) {
            try browser.open("file://" + bundle + "/report.html")
            try browser.wait(until: "document.readyState == 'complete'")
            let widths = try browser.script("return [document.documentElement.scrollWidth, window.innerWidth];") as? [Int] ?? []
            #expect(widths.count == 2 && widths[0] <= widths[1], "no horizontal scroll at 1280 px: \(widths)")
        }

        // Under TLS the session cookie is Secure too (a self-signed certificate made for the test).
        let cert = served.dir.appendingPathComponent("cert.pem").path, tlsKey = served.dir.appendingPathComponent("key.pem").path
        #expect(try runProcess("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", tlsKey, "-out", cert,
                                                   "-days", "2", "-subj", "/CN=127.0.0.1"]).status == 0)
        let tlsPort = Int.random(in: 30_000..<40_000)
        let tls = Process()
        tls.executableURL = URL(fileURLWithPath: CLI.exe)
        tls.arguments = ["serve", served.incident, "--listen", "0.0.0.0:\(tlsPort)", "--tls-cert", cert, "--tls-key", tlsKey,
                         "--users", served.dir.appendingPathComponent("users.json").path, "--audit-log", served.auditLog,
                         "--work", served.dir.appendingPathComponent("work-tls").path]
        tls.standardError = FileHandle.nullDevice
        try tls.run()
        defer { tls.terminate(); tls.waitUntilExit() }
        var tlsPage = try runProcess("/usr/bin/curl", ["-sk", "-D", "-", "https://127.0.0.1:\(tlsPort)/login"])
        for _ in 0..<50 where tlsPage.status != 0 {
            usleep(200_000)
            tlsPage = try runProcess("/usr/bin/curl", ["-sk", "-D", "-", "https://127.0.0.1:\(tlsPort)/login"])
        }
        #expect(tlsPage.status == 0 && tlsPage.stdout.contains("forensic_login=") && tlsPage.stdout.contains("Secure"), "\(tlsPage.stdout.prefix(600))")
        tls.interrupt()
        tls.waitUntilExit()
        #expect(tls.terminationStatus == 0, "SIGINT drains and stops with exit 0")

        // Listening beyond loopback without TLS is refused before anything starts.
        let open = try CLI.run(["serve", served.incident, "--listen", "0.0.0.0:18099", "--users", served.dir.appendingPathComponent("users.json").path])
        #expect(open.status == 1 && open.stderr.contains("not loopback"), "\(open.stderr)")
    }
}
