import Foundation
import IncidentStore
import Investigation
import Plot

/// The workbench's pages: server-rendered HTML (Plot escapes every text), one stylesheet and one
/// small script served by the workbench itself — nothing from a CDN, everything works offline.
enum Pages {
    static let css = """
        *{box-sizing:border-box}body{font-family:sans-serif;margin:0;color:#111;background:#fafafa}
        header{background:#1f3a5f;color:#fff;padding:.5em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
        header a{color:#fff}header form{margin-left:auto}main{padding:1em;max-width:80em}
        table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}
        th{background:#eee}.results{display:flex;flex-direction:column;gap:.5em}
        .result{display:flex;gap:1em;align-items:center;background:#fff;border:1px solid #ccc;padding:.5em}
        .result img{height:4em;width:auto;border:1px solid #333}.chip img{height:8em}.hit{color:#b00;font-weight:bold}
        .note{color:#444;font-size:.9em}.error{color:#b00;font-weight:bold}form.search{display:flex;gap:.5em;flex-wrap:wrap;align-items:end}
        label{display:flex;flex-direction:column;font-size:.85em}video,.frame img{max-width:100%;height:auto}svg{max-width:100%;height:auto;background:#fff;border:1px solid #ccc}
        """

    static let script = """
        // Face search: the photo is sent as it is (no multipart), and the answer replaces the page.
        document.addEventListener('DOMContentLoaded', () => {
          const form = document.getElementById('face-form');
          if (!form) return;
          form.addEventListener('submit', async (e) => {
            e.preventDefault();
            const file = document.getElementById('photo').files[0];
            if (!file) return;
            const r = await fetch('/face?case=' + document.getElementById('face-case').value, {method: 'POST', body: file, credentials: 'same-origin',
                                                headers: {'X-CSRF-Token': form.dataset.csrf, 'Content-Type': 'application/octet-stream'}});
            document.open(); document.write(await r.text()); document.close();
          });
        });
        """

    /// A page with the navigation for `session` (nil on the log-in page).
    static func page(_ title: String, _ session: WorkbenchSession?, _ body: Node<HTML.BodyContext>...) -> String {
        var nav: [Node<HTML.BodyContext>] = [.strong("forensic workbench")]
        if let s = session {
            if s.role.searches { nav += [.a(.href("/"), "Search"), .a(.href("/face"), "Face"), .a(.href("/hits"), "Hits")] }
            if s.role.readsAudit { nav.append(.a(.href("/audit"), "Audit log")) }
            nav.append(.form(.method(.post), .action("/logout"),
                             .input(.type(.hidden), .name("csrf"), .value(s.csrf)),
                             .span(.text("\(s.user) (\(s.role.rawValue)) ")), .button(.type(.submit), .id("logout"), "Log out")))
        }
        return HTML(.head(.title("\(title) · forensic"), .meta(.charset(.utf8)), .meta(.name("viewport"), .content("width=device-width")),
                          .link(.rel(.stylesheet), .href("/app.css")), .script(.src("/app.js"))),
                    .body(.header(.group(nav)), .main(.h1(.text(title)), .group(body)))).render()
    }

    static func query(_ items: [(String, String?)]) -> String {
        var c = URLComponents()
        c.queryItems = items.compactMap { k, v in v.map { URLQueryItem(name: k, value: $0) } }
        return c.percentEncodedQuery ?? ""
    }

    static func login(error: String?, token: String) -> String {
        page("Log in", nil,
             .if(error != nil, .p(.class("error"), .text(error ?? ""))),
             .form(.method(.post), .action("/login"),
                   .input(.type(.hidden), .name("csrf"), .value(token)),
                   .label("Name", .input(.type(.text), .name("name"), .id("name"), .attribute(named: "autocomplete", value: "username"))),
                   .label("Password", .input(.type(.password), .name("password"), .id("password"))),
                   .button(.type(.submit), .id("login"), "Log in")))
    }

    /// The plate search form of one case, filled with what was asked.
    static func searchForm(_ cases: [Scope], _ asked: [String: String]) -> Node<HTML.BodyContext> {
        func field(_ name: String, _ label: String, _ hint: String) -> Node<HTML.FormContext> {
            .label(.text(label), .input(.type(.text), .name(name), .id(name), .value(asked[name] ?? ""), .placeholder(hint)))
        }
        let options: [Node<HTML.SelectContext>] = cases.enumerated().map { i, s in
            .option(.value("\(i)"), .label("\(s.title) (\(s.zone.identifier))"), .isSelected(asked["case"] == "\(i)"))
        }
        return .form(.class("search"), .method(.get), .action("/search"),
                     .label("Case", .select(.attribute(named: "name", value: "case"), .id("case"), .group(options))),
                     field("plate", "Plate", "BKN-12? or *KN1* or *"), field("camera", "Camera", "CAM01,CAM02"),
                     field("site", "Site", ""), field("zone", "Zone", ""),
                     field("from", "From", "2026-11-20T14:00"), field("to", "To", ""),
                     .button(.type(.submit), .id("search"), "Search"))
    }

    static func place(_ at: CameraTime) -> String {
        let name = at.cameraName.isEmpty ? at.camera : "\(at.camera) \(at.cameraName)"
        return [name, at.site, at.zone].filter { !$0.isEmpty }.joined(separator: " · ")
    }

    /// `case`, `day` and id query of a result's own page.
    static func subjectQuery(_ caseIndex: Int, _ kind: String, _ id: Int64, _ day: String?) -> String {
        query([("case", "\(caseIndex)"), ("kind", kind), ("id", "\(id)"), ("day", day)])
    }

    static func plateResults(_ caseIndex: Int, _ found: PlateMatches, _ asked: [String: String], limit: Int, offset: Int,
                             canExport: Bool, csrf: String) -> Node<HTML.BodyContext> {
        let rows: [Node<HTML.BodyContext>] = found.hits.map { h in
            let q = subjectQuery(caseIndex, "plate", h.sightingID, h.at.day)
            return .div(.class("result"),
                        .if(canExport, .input(.type(.checkbox), .name("item"), .value("plate:\(h.at.day ?? ""):\(h.sightingID)"))),
                        .a(.href("/subject?\(q)"), .img(.src("/picture?\(q)"), .alt("plate \(h.display)"))),
                        .div(.a(.href("/subject?\(q)"), .strong(.text(h.display))),
                             .text(" read \(h.matched) · \(h.match)\(h.distance > 0 ? " \(h.distance)" : "") · confidence \(String(format: "%.2f", h.confidence))"),
                             .br(), .text("\(place(h.at)) · \(h.at.timeLocal ?? "time unknown")\(h.at.day.map { " · day \($0)" } ?? "")"),
                             .if(!(h.watchlist ?? "").isEmpty, .span(.class("hit"), .text(" watchlist: \(h.watchlist ?? "")")))))
        }
        var pager: [Node<HTML.BodyContext>] = []
        func link(_ label: String, _ newOffset: Int) -> Node<HTML.BodyContext> {
            var q = asked; q["offset"] = "\(newOffset)"
            return .a(.href("/search?" + query(q.sorted { $0.key < $1.key }.map { ($0.key, Optional($0.value)) })), .text(label))
        }
        if offset > 0 { pager.append(link("← previous", max(0, offset - limit))) }
        if found.total > offset + found.hits.count { pager.append(link("next →", offset + limit)) }
        let summary = found.hits.isEmpty ? "No sighting matches." :
            "Sightings \(offset + 1)–\(offset + found.hits.count) of \(found.totalIsLowerBound ? "more than " : "")\(found.total)."
        let list: Node<HTML.BodyContext> = .div(.class("results"), .group(rows))
        return .div(.p(.id("summary"), .text(summary)),
                    canExport && !found.hits.isEmpty
                        ? .form(.method(.post), .action("/export?case=\(caseIndex)"), .input(.type(.hidden), .name("csrf"), .value(csrf)),
                                .raw(list.render()), .button(.type(.submit), .id("export"), "Export the ticked items (signed bundle)"))
                        : list,
                    .p(.group(pager)))
    }
}
