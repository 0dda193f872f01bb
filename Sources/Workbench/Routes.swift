import Crypto
import Evidence
import Foundation
import Hummingbird
import HummingbirdAuth
import IncidentStore
import Logging
import Investigation
import Plot
import RecognitionKit
import VideoDecode

extension Workbench {
    /// Every route. Pages and API share the query layer; nothing answers without a session except
    /// the log-in page, its stylesheet and script.
    func router() -> Router<WorkbenchContext> {
        let router = Router(context: WorkbenchContext.self)
        router.add(middleware: RequestLog(json: settings.logJSON))
        router.add(middleware: SessionMiddleware(storage: MemoryPersistDriver(), configuration: .init(
            sessionCookieParameters: .init(name: "forensic_session", secure: settings.usesTLS, sameSite: .strict),
            defaultSessionExpiration: .seconds(8 * 3600))))
        router.add(middleware: Gate(workbench: self))
        var quiet = Logger(label: "forensic-serve-files")
        quiet.logLevel = .warning
        router.add(middleware: FileMiddleware(media.clipFolder, urlBasePath: "/media", searchForIndexHtml: false, logger: quiet))
        router.add(middleware: ExportsOnlyForSupervisors())
        router.add(middleware: FileMiddleware(exportFolder, urlBasePath: "/exports", searchForIndexHtml: false, logger: quiet))

        router.get("app.css") { _, _ in Response.text(Pages.css, type: "text/css") }
        router.get("app.js") { _, _ in Response.text(Pages.script, type: "text/javascript") }
        router.get("favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("login") { request, _ in
            // The token of a form already open in this browser stays (another tab, a stray request).
            let token = request.cookies["forensic_login"]?.value.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } ?? ""
            let kept = token.count == 43 ? token : Self.token()
            var r = Response.html(Pages.login(error: nil, token: kept))
            r.setCookie(Cookie(name: "forensic_login", value: kept, path: "/login", secure: self.settings.usesTLS, httpOnly: true, sameSite: .strict))
            return r
        }
        router.post("login") { request, context in try await self.logIn(request, context) }
        router.post("logout") { _, context in
            try self.record(context, "logout", "")
            context.sessions.clearSession()
            return Response.redirect(to: "/login", type: .normal)
        }
        router.get("/") { _, context in try self.home(context) }
        router.get("search") { request, context in try self.searchPage(request, context) }
        router.get("api/plates") { request, context in try self.apiPlates(request, context) }
        router.get("api/cases") { _, context in try Response.json(self.cases(context)) }
        router.get("picture") { request, context in try self.picture(request, context) }
        router.get("frame") { request, context in try self.frame(request, context) }
        router.get("subject") { request, context in try self.subjectPage(request, context) }
        router.get("api/subject") { request, context in try self.apiSubject(request, context) }
        router.get("clip") { request, context in try self.clip(request, context) }
        router.get("face") { _, context in try self.facePage(context) }
        router.post("face") { request, context in try await self.faceSearch(request, context, api: false) }
        router.post("api/faces") { request, context in try await self.faceSearch(request, context, api: true) }
        router.get("route") { request, context in try self.routePage(request, context, api: false) }
        router.get("api/route") { request, context in try self.routePage(request, context, api: true) }
        router.get("hits") { request, context in try self.hitsPage(request, context, api: false) }
        router.get("api/hits") { request, context in try self.hitsPage(request, context, api: true) }
        router.post("export") { request, context in try await self.export(request, context) }
        router.get("audit") { _, context in try self.auditPage(context) }
        router.get("openapi.json") { _, _ in Response.text(OpenAPIDocument.json, type: "application/json") }
        return router
    }

    var exportFolder: String { (settings.workFolder as NSString).appendingPathComponent("exports") }

    static func token() -> String { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "") }

    // MARK: people

    struct LoginForm: Decodable { var name: String; var password: String; var csrf: String }

    func logIn(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
        let form = try await URLEncodedFormDecoder().decode(LoginForm.self, from: request, context: context)
        // The log-in form's own token (its cookie is set with the form): a page elsewhere cannot post it.
        guard let cookie = request.cookies["forensic_login"]?.value, !cookie.isEmpty, cookie == form.csrf else {
            try audit.append(actor: "\(form.name)@\(context.from)", action: "refused", detail: "log-in without the form's token")
            throw HTTPError(.forbidden, message: "the log-in form has expired: open /login again")
        }
        guard let user = try users.verify(name: form.name, password: form.password) else {
            try audit.append(actor: "\(form.name)@\(context.from)", action: "refused", detail: "log-in: wrong name or password")
            return Response.html(Pages.login(error: "Wrong name or password.", token: form.csrf), status: .unauthorized)
        }
        context.sessions.createSession(WorkbenchSession(user: user.name, role: user.role, csrf: Self.token()))
        try audit.append(actor: "\(user.name)@\(context.from)", action: "login", detail: "role \(user.role.rawValue)")
        return Response.redirect(to: user.role.searches ? "/" : "/audit", type: .normal)
    }

    func session(_ context: WorkbenchContext, searching: Bool = true) throws -> WorkbenchSession {
        guard let s = context.sessions.session else { throw HTTPError(.unauthorized, message: "log in first") }
        if searching && !s.role.searches {
            try record(context, "refused", "a \(s.role.rawValue) does not search")
            throw HTTPError(.forbidden, message: "a \(s.role.rawValue) reads the audit logs; searching needs an investigator or supervisor account")
        }
        return s
    }

    // MARK: search

    func scope(_ request: Request) throws -> (index: Int, scope: Scope) {
        let raw = request.uri.queryParameters.get("case") ?? "0"
        guard let i = Int(raw), scopes.indices.contains(i) else {
            throw HTTPError(.notFound, message: "unknown case '\(raw)' (cases 0–\(scopes.count - 1))")
        }
        return (i, scopes[i])
    }

    /// The filter asked for, held to the role's window: an investigator searches `investigatorDays`
    /// back from the workbench's clock; an earlier `from` is refused, a missing one set to the limit.
    func filter(_ request: Request, _ scope: Scope, _ session: WorkbenchSession, _ context: WorkbenchContext) throws -> SearchFilter {
        let q = request.uri.queryParameters
        func list(_ name: String) -> [String]? {
            q.get(name).flatMap { $0.isEmpty ? nil : $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        }
        func text(_ name: String) -> String? { q.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        var filter: SearchFilter
        do {
            filter = try scope.filter(Scope.FilterText(cameras: list("camera"), sites: list("site"), zones: list("zone"), from: text("from"), to: text("to"))).filter
        } catch let e as FilterError { throw HTTPError(.badRequest, message: e.description) }
        if session.role == .investigator {
            let earliest = WorkbenchClock.now().addingTimeInterval(-Double(settings.investigatorDays) * 86_400)
            if let from = filter.from, from < earliest {
                try record(context, "refused", "search from \(isoTime(from, scope.zone)): before the \(settings.investigatorDays)-day limit")
                throw HTTPError(.forbidden, message: "investigators search \(settings.investigatorDays) days back: from \(isoTime(earliest, scope.zone)) at the earliest (ask a supervisor)")
            }
            filter.from = filter.from ?? earliest
        }
        return filter
    }

    func plates(_ request: Request, _ context: WorkbenchContext) throws -> (Int, Scope, PlateMatches, limit: Int, offset: Int) {
        let s = try session(context)
        let (i, scope) = try scope(request)
        let q = request.uri.queryParameters
        guard let plate = q.get("plate"), !plate.isEmpty else { throw HTTPError(.badRequest, message: "give a plate (letters, digits, ? and *)") }
        func number(_ name: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            guard let text = q.get(name) else { return fallback }
            guard let n = Int(text), range.contains(n) else { throw HTTPError(.badRequest, message: "\(name) must be a whole number in \(range)") }
            return n
        }
        let limit = try number("limit", 50, 1...500), offset = try number("offset", 0, 0...Int(Int32.max))
        guard ["0", "1", nil].contains(q.get("exact")) else { throw HTTPError(.badRequest, message: "exact is 0 or 1") }
        let pattern: PlatePattern
        do { pattern = try PlatePattern(plate) } catch { throw HTTPError(.badRequest, message: "\(error)") }
        let found = try scope.plates(PlateQuery(pattern: pattern, filter: try filter(request, scope, s, context),
                                                nearMisses: q.get("exact") != "1", limit: limit, offset: offset))
        try record(context, "search", "\(scope.path): plate \(pattern.normalised) \(request.uri.query ?? ""): \(found.total) sightings")
        return (i, scope, found, limit, offset)
    }

    func searchPage(_ request: Request, _ context: WorkbenchContext) throws -> Response {
        let s = try session(context)
        var asked: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { asked[String(k)] = String(v) }
        do {
            let (i, _, found, limit, offset) = try plates(request, context)
            return .html(Pages.page("Plate search", s, Pages.searchForm(scopes, asked),
                                    Pages.plateResults(i, found, asked, limit: limit, offset: offset, canExport: s.role.exports, csrf: s.csrf)))
        } catch let e as HTTPError where e.status == .badRequest || e.status == .forbidden {
            return .html(Pages.page("Plate search", s, Pages.searchForm(scopes, asked), .p(.class("error"), .text(e.body ?? "refused"))), status: e.status)
        }
    }

    func apiPlates(_ request: Request, _ context: WorkbenchContext) throws -> Response {
        let (_, _, found, _, _) = try plates(request, context)
        return try .json(found)
    }

    struct CaseInfo: Codable { var index: Int; var title: String; var path: String; var zone: String; var archiveIndex: Bool; var cameras: [Camera] }

    func cases(_ context: WorkbenchContext) throws -> [CaseInfo] {
        _ = try session(context)
        return scopes.enumerated().map { CaseInfo(index: $0, title: $1.title, path: $1.path, zone: $1.zone.identifier, archiveIndex: $1.isArchiveIndex, cameras: $1.cameras) }
    }

    func home(_ context: WorkbenchContext) throws -> Response {
        let s = try session(context)
        let list: [Node<HTML.ListContext>] = scopes.enumerated().map { i, sc in
            .li(.text("\(i): \(sc.title) — \(sc.cameras.count) cameras, \(sc.zone.identifier)"),
                .text(" · "), .a(.href("/hits?case=\(i)"), "watchlist hits"))
        }
        return .html(Pages.page("Plate search", s, Pages.searchForm(scopes, [:]), .h2("Cases"), .ul(.group(list)),
                                .p(.class("note"), .text(s.role == .investigator ? "Searches reach \(settings.investigatorDays) days back." : ""))))
    }

    // MARK: a sighting or face track

    func subjectKey(_ request: Request) throws -> (Int, Scope, EvidenceItem.Kind, Int64, String?) {
        let (i, scope) = try scope(request)
        let q = request.uri.queryParameters
        guard let kind = EvidenceItem.Kind(rawValue: q.get("kind") ?? "plate"), let id = Int64(q.get("id") ?? "") else {
            throw HTTPError(.badRequest, message: "give kind=plate|face and id")
        }
        let day = q.get("day").flatMap { $0.isEmpty ? nil : $0 }
        return (i, scope, kind, id, day)
    }

    func detail(_ request: Request, _ context: WorkbenchContext) throws -> (Int, SubjectDetail) {
        _ = try session(context)
        let (i, scope, kind, id, day) = try subjectKey(request)
        do {
            let d = try scope.subject(kind: kind, id: id, day: day)
            try record(context, "view", "\(scope.path): \(kind.rawValue) \(id)\(day.map { " day \($0)" } ?? "")")
            return (i, d)
        } catch let e as StoreError { throw HTTPError(.notFound, message: e.reason) } catch let e as FilterError { throw HTTPError(.notFound, message: e.description) }
    }

    func apiSubject(_ request: Request, _ context: WorkbenchContext) throws -> Response { try .json(try detail(request, context).1) }

    func subjectPage(_ request: Request, _ context: WorkbenchContext) throws -> Response {
        let s = try session(context)
        let (i, d) = try detail(request, context)
        let q = Pages.subjectQuery(i, d.kind, d.id, d.at.day)
        let reads: [Node<HTML.TableContext>] = d.reads.map { r in
            .tr(.td(.text(String(format: "%.2f s", r.pts))), .td(.text(r.display)), .td(.text(r.correctedFrom.map { "\($0) → \(r.text)" } ?? r.text)),
                .td(.text(String(format: "%.2f", r.confidence))), .td(.text(r.candidates.map { "\($0.text) \(String(format: "%.2f", $0.confidence))" }.joined(separator: ", "))))
        }
        let route = d.kind == "plate" ? Node<HTML.BodyContext>.a(.href("/route?" + Pages.query([("case", "\(i)"), ("plate", d.label)])), "Route of this plate") : .empty
        return .html(Pages.page(d.kind == "plate" ? "Plate \(d.label)" : "Face track \(d.id)", s,
            .p(.text("\(Pages.place(d.at)) · \(d.at.timeLocal ?? "time unknown") (UTC \(d.at.timeUTC.map { isoTime($0, .gmt) } ?? "?"))\(d.at.day.map { " · day \($0)" } ?? "")")),
            .if(!d.watchlist.isEmpty, .p(.class("hit"), .text("Watchlist: \(d.watchlist.joined(separator: ", "))"))),
            .div(.class("chip"), .img(.src("/picture?\(q)"), .alt(d.kind == "plate" ? "plate crop" : "face chip"))),
            .h2("Clip"),
            .video(.id("clip"), .controls(true), .attribute(named: "preload", value: "metadata"), .source(.src("/clip?\(q)"), .type(.mp4))),
            .p(.class("note"), .text("\(d.at.file), \(String(format: "%.1f–%.1f", d.firstPTS, d.lastPTS)) s, with 5 s either side. "),
               .a(.href("/clip?\(q)&download=1"), "Download the clip")),
            .h2("Frame"), .div(.class("frame"), .img(.src("/frame?\(q)"), .alt("frame at the best view"))),
            .if(!d.reads.isEmpty, .group(.h2("Every read"), .table(.tr(.th("Time"), .th("Read"), .th("Raw"), .th("Confidence"), .th("Candidates")), .group(reads)))),
            route))
    }

    func picture(_ request: Request, _ context: WorkbenchContext) throws -> Response {
        _ = try session(context)
        let (_, scope, kind, id, day) = try subjectKey(request)
        guard let jpeg = try? scope.picture(kind: kind, id: id, day: day) else { throw HTTPError(.notFound, message: "no picture stored") }
        return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "private, max-age=3600"], body: .init(byteBuffer: ByteBuffer(bytes: jpeg)))
    }

    func frame(_ request: Request, _ context: WorkbenchContext) throws -> Response {
        let (_, d) = try detail(request, context)
        let jpeg = try media.frame(source: d.source, at: d.reads.max { $0.confidence < $1.confidence }?.pts ?? d.at.pts)
        return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "private, max-age=3600"], body: .init(byteBuffer: ByteBuffer(bytes: jpeg)))
    }

    /// Makes the clip (stream copy, or H.264 for a source a browser cannot play) and sends the
    /// browser to it; the media files are served with range requests.
    func clip(_ request: Request, _ context: WorkbenchContext) throws -> Response {
        let (_, d) = try detail(request, context)
        guard FileManager.default.fileExists(atPath: d.source) else {
            throw HTTPError(.gone, message: "the original \(d.at.file) is not in the archive any more")
        }
        let clip = try media.clip(source: d.source, from: max(0, d.firstPTS - 5), to: d.lastPTS + 5)
        try record(context, "play", "\(d.at.file) \(d.kind) \(d.id)\(clip.transcoded ? " (transcoded to H.264 for the page)" : " (stream copy)")")
        return .redirect(to: "/media/\(clip.name)", type: .normal)
    }

    // MARK: faces

    func facePage(_ context: WorkbenchContext) throws -> Response {
        let s = try session(context)
        let options: [Node<HTML.SelectContext>] = scopes.enumerated().map { .option(.value("\($0)"), .label($1.title)) }
        return .html(Pages.page("Face search", s,
            .p(.text("A photo of the person: the largest face in it is compared with every face track (distance under 0.6: the same person).")),
            .form(.id("face-form"), .method(.post), .action("/face"), .attribute(named: "data-csrf", value: s.csrf),
                  .label("Case", .select(.attribute(named: "name", value: "case"), .id("face-case"), .group(options))),
                  .input(.type(.file), .id("photo"), .attribute(named: "accept", value: "image/*")),
                  .button(.type(.submit), .id("face-search"), "Search"))))
    }

    struct FaceAnswer: Codable { var probe: PixelRect; var hits: [FaceHit] }

    func faceSearch(_ request: Request, _ context: WorkbenchContext, api: Bool) async throws -> Response {
        let s = try session(context)
        let (i, scope) = try scope(request)
        var request = request
        let body = try await request.collectBody(upTo: settings.maxUpload)
        guard body.readableBytes > 0 else { throw HTTPError(.badRequest, message: "send the photo as the request body") }
        let photo = (settings.workFolder as NSString).appendingPathComponent("probe-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: photo, contents: Data(buffer: body), attributes: [.posixPermissions: 0o600]) else {
            throw HTTPError(.internalServerError, message: "cannot keep the photo")
        }
        defer { try? FileManager.default.removeItem(atPath: photo) }
        let sha = SHA256.hash(data: Data(buffer: body)).map { String(format: "%02x", $0) }.joined()
        let probe: Face
        do { probe = try faceEngine().probeFace(in: photo) } catch {
            let reason = "\(error)".replacingOccurrences(of: photo, with: "the photo")
            try record(context, "face-search", "\(scope.path): photo sha256 \(sha): refused (\(reason))")
            if api { throw HTTPError(.unprocessableContent, message: reason) }
            return .html(Pages.page("Face search", s, .p(.class("error"), .text(reason)), .a(.href("/face"), "Try another photo")), status: .unprocessableContent)
        }
        let threshold = Float(request.uri.queryParameters.get("threshold") ?? "") ?? FaceEngine.samePersonThreshold
        let hits = try scope.faces(like: probe.embedding, threshold: threshold, top: 20, filter: try filter(request, scope, s, context))
        try record(context, "face-search", "\(scope.path): photo sha256 \(sha): \(hits.count) face tracks")
        if api { return try .json(FaceAnswer(probe: probe.box, hits: hits)) }
        let chip = (try? probe.chip.jpegData()).map { "data:image/jpeg;base64,\($0.base64EncodedString())" } ?? ""
        let rows: [Node<HTML.BodyContext>] = hits.map { h in
            let q = Pages.subjectQuery(i, "face", h.faceTrackID, h.at.day)
            return .div(.class("result chip"), .img(.src(chip), .alt("the probe's face")),
                        .a(.href("/subject?\(q)"), .img(.src("/picture?\(q)"), .alt("face track \(h.faceTrackID)"))),
                        .div(.strong(.text(String(format: "distance %.3f", h.distance))), .br(),
                             .text("\(Pages.place(h.at)) · \(h.at.timeLocal ?? "")"),
                             .if(!(h.watchlist ?? "").isEmpty, .span(.class("hit"), .text(" watchlist: \(h.watchlist ?? "")")))))
        }
        return .html(Pages.page("Face search", s, .p(.id("summary"), .text(hits.isEmpty ? "No face track within \(threshold)." : "\(hits.count) face tracks, nearest first.")),
                                .div(.class("results"), .group(rows))))
    }

    func faceEngine() throws -> FaceEngine {
        try FaceEngine(models: ModelStore(directory: settings.models))
    }

    // MARK: route, hits

    func routePage(_ request: Request, _ context: WorkbenchContext, api: Bool) throws -> Response {
        let s = try session(context)
        let (i, scope) = try scope(request)
        guard let plate = request.uri.queryParameters.get("plate"), let pattern = try? PlatePattern(plate), !pattern.isWildcard else {
            throw HTTPError(.badRequest, message: "give a whole plate: route?case=0&plate=BKN123")
        }
        let stops = try scope.route(of: .plate(pattern), filter: try filter(request, scope, s, context))
        try record(context, "route", "\(scope.path): plate \(pattern.normalised): \(stops.count) stops")
        if api { return try .json(stops) }
        let rows: [Node<HTML.TableContext>] = stops.map { st in
            .tr(.td(.a(.href("/subject?" + Pages.subjectQuery(i, "plate", st.id, st.at.day)), .text(st.at.timeLocal ?? ""))),
                .td(.text(Pages.place(st.at))), .td(.text(st.sincePrevious.map { String(format: "%.0f s", $0) } ?? "")),
                .td(.text(st.kmFromPrevious.map { String(format: "%.2f km", $0) } ?? "")))
        }
        let unplaced = Set(stops.filter { $0.at.latitude == nil || $0.at.longitude == nil }.map(\.at.camera)).sorted()
        return .html(Pages.page("Route of \(pattern.normalised)", s,
            .h2("Map"), .raw(RouteMap.svg(stops, caseIndex: i)),
            .if(!unplaced.isEmpty, .p(.class("note"), .text("Cameras without coordinates (not on the map): \(unplaced.joined(separator: ", "))"))),
            .h2("Timeline"), .raw(Route.svg(stops, title: "\(scope.title): plate \(pattern.normalised)", zone: scope.zone)),
            .table(.tr(.th("When"), .th("Where"), .th("Since the previous stop"), .th("From the previous camera")), .group(rows))))
    }

    func hitsPage(_ request: Request, _ context: WorkbenchContext, api: Bool) throws -> Response {
        let s = try session(context)
        let (i, scope) = try scope(request)
        let list = request.uri.queryParameters.get("list").flatMap { $0.isEmpty ? nil : $0 }
        let hits = Array(try scope.hits(filter: try filter(request, scope, s, context), list: list).reversed())   // newest first
        try record(context, "hits", "\(scope.path) \(request.uri.query ?? ""): \(hits.count) hits")
        if api { return try .json(hits) }
        let rows: [Node<HTML.TableContext>] = hits.map { h in
            let q = Pages.subjectQuery(i, h.kind, h.sightingID ?? h.faceTrackID ?? 0, h.at.day)
            return .tr(.td(.a(.href("/subject?\(q)"), .img(.src("/picture?\(q)"), .alt("\(h.kind) \(h.id)"), .attribute(named: "height", value: "48")))),
                       .td(.text("\(h.list)/\(h.entry) \(h.name)")), .td(.text("\(h.match) \(h.matched.prefix(16))")), .td(.text(String(format: "%.2f", h.distance))),
                       .td(.text(Pages.place(h.at))), .td(.text(h.at.timeLocal ?? "")))
        }
        return .html(Pages.page("Watchlist hits", s,
            .form(.class("search"), .method(.get), .action("/hits"), .input(.type(.hidden), .name("case"), .value("\(i)")),
                  .label("List", .input(.type(.text), .name("list"), .value(list ?? ""))),
                  .label("Zone", .input(.type(.text), .name("zone"), .value(request.uri.queryParameters.get("zone") ?? ""))),
                  .label("From", .input(.type(.text), .name("from"), .value(request.uri.queryParameters.get("from") ?? ""))),
                  .label("To", .input(.type(.text), .name("to"), .value(request.uri.queryParameters.get("to") ?? ""))),
                  .button(.type(.submit), "Filter")),
            .p(.text("\(hits.count) hits, newest first.")),
            .table(.tr(.th(""), .th("Who or what"), .th("Match"), .th("Distance"), .th("Where"), .th("When")), .group(rows))))
    }

    // MARK: export, audit

    func export(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
        let s = try session(context)
        guard s.role.exports else {
            try record(context, "refused", "export by a \(s.role.rawValue)")
            throw HTTPError(.forbidden, message: "only a supervisor exports evidence bundles")
        }
        guard let keyPath = settings.signingKey else { throw HTTPError(.serviceUnavailable, message: "this workbench holds no signing key (serve --key KEY)") }
        let (_, scope) = try scope(request)
        guard !scope.isArchiveIndex else { throw HTTPError(.badRequest, message: "export from an incident (open one over the days: incident create --reuse)") }
        var request = request
        let body = String(buffer: try await request.collectBody(upTo: context.maxUploadSize))
        // Repeated `item` fields, one per ticked result.
        let items = (URLComponents(string: "?" + body)?.queryItems ?? []).filter { $0.name == "item" }.compactMap(\.value)
        var export = ExportRequest()
        for item in items {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, let id = Int64(parts[2]) else { throw HTTPError(.badRequest, message: "bad item '\(item)'") }
            if parts[0] == "plate" { export.sightings.append(id) } else { export.faceTracks.append(id) }
        }
        guard !export.sightings.isEmpty || !export.faceTracks.isEmpty else { throw HTTPError(.badRequest, message: "tick the items to export") }
        export.commandLine = ["forensic serve", "export by \(s.user)"]
        try FileManager.default.createDirectory(atPath: exportFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let name = "bundle-\(isoTime(WorkbenchClock.now(), .gmt).replacingOccurrences(of: ":", with: ""))-\(UUID().uuidString.prefix(6)).zip"
        let summary = try Scope(path: scope.path, mode: .readWrite)
            .export(export, to: (exportFolder as NSString).appendingPathComponent(name), key: try SigningKeys.loadPrivate(keyPath))
        try record(context, "export", "\(scope.path): \(name): \(summary.items) items, manifest \(summary.manifestSHA256)")
        return .html(Pages.page("Evidence bundle", s,
            .p(.text("\(summary.items) items, \(summary.files) files, \(summary.bytes) bytes; signed by \(summary.publicKeySHA256).")),
            .p(.a(.id("download"), .href("/exports/\(name)"), .text("Download \(name)"))),
            .p(.class("note"), .text("Check it anywhere, offline: forensic verify \(name) --key PUBLIC-KEY.pem"))))
    }

    func auditPage(_ context: WorkbenchContext) throws -> Response {
        let s = try session(context, searching: false)
        guard s.role.readsAudit else { throw HTTPError(.forbidden, message: "the audit log is for auditors and supervisors") }
        let entries = try ServerAuditLog.entries(audit.path)
        let problems = Audit.problems(in: entries)
        try record(context, "audit", "server log: \(entries.count) entries")
        let rows: [Node<HTML.TableContext>] = entries.suffix(500).reversed().map { e in
            .tr(.td(.text("\(e.id)")), .td(.text(e.time)), .td(.text(e.actor)), .td(.text(e.action)), .td(.text(e.detail)))
        }
        return .html(Pages.page("Audit log", s,
            .p(.class(problems.isEmpty ? "note" : "error"), .text(problems.isEmpty ? "Hash chain intact: \(entries.count) entries." : "CHAIN BROKEN: \(problems.map(\.reason).joined(separator: "; "))")),
            .table(.tr(.th("#"), .th("UTC"), .th("Who"), .th("Action"), .th("Detail")), .group(rows))))
    }
}

/// Nothing answers without a session but the log-in page and its stylesheet and script; every
/// form (POST) carries the session's token, in a `csrf` field or an `X-CSRF-Token` header.
struct Gate: RouterMiddleware {
    typealias Context = WorkbenchContext
    let workbench: Workbench

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let open = ["/login", "/app.css", "/app.js", "/favicon.ico"]
        if open.contains(request.uri.path) { return try await next(request, context) }
        guard let session = context.sessions.session else {
            if request.method == .get && !request.uri.path.hasPrefix("/api/") && request.uri.path != "/openapi.json" {
                return .redirect(to: "/login", type: .normal)
            }
            throw HTTPError(.unauthorized, message: "log in first")
        }
        guard request.method == .post else { return try await next(request, context) }
        var request = request
        var token = request.headers.first { $0.name.canonicalName == "x-csrf-token" }?.value
        if token == nil, request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            token = URLComponents(string: "?" + String(buffer: body))?.queryItems?.first { $0.name == "csrf" }?.value
        }
        guard let token, !token.isEmpty, token == session.csrf else {
            try workbench.record(context, "refused", "\(request.method) \(request.uri.path) without the session's CSRF token")
            throw HTTPError(.forbidden, message: "this form is not from this session (CSRF token missing or wrong): reload the page")
        }
        return try await next(request, context)
    }
}

/// Bundles are downloaded by whoever may make them.
struct ExportsOnlyForSupervisors: RouterMiddleware {
    typealias Context = WorkbenchContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasPrefix("/exports/"), context.sessions.session?.role.exports != true {
            throw HTTPError(.forbidden, message: "only a supervisor downloads evidence bundles")
        }
        return try await next(request, context)
    }
}

/// Quiet by default; with `--log-json`, one JSON line per request on stderr.
struct RequestLog: RouterMiddleware {
    typealias Context = WorkbenchContext
    let json: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = Date()
        var status = 500
        defer { if json {
            let line: [String: String] = ["time": isoTime(start, .gmt), "method": "\(request.method)", "path": request.uri.path,
                                          "status": "\(status)", "ms": String(format: "%.1f", Date().timeIntervalSince(start) * 1000),
                                          "user": context.sessions.session?.user ?? "", "from": context.from]
            if let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) {
                FileHandle.standardError.write(data + Data("\n".utf8))
            }
        } }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let e as HTTPError {
            status = e.status.code
            throw e
        } catch {
            // Anything else is the workbench's fault: said on stderr, answered 500 with the reason.
            FileHandle.standardError.write(Data("forensic serve: \(request.method) \(request.uri.path): \(error)\n".utf8))
            throw HTTPError(.internalServerError, message: "\(error)")
        }
    }
}

extension Response {
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; media-src 'self'"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: "\(type); charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A result in the CLI's JSON form (`resultEncoder`): the same field names as `--json`.
    static func json<T: Encodable>(_ value: T) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: try resultEncoder().encode(value))))
    }
}
