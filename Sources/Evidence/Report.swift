import Foundation
import IncidentStore
import Plot

/// `report.html` (one self-contained page: no network, images inline, opens from a USB stick)
/// and `README.txt`, both built from the manifest being written.
enum Report {
    static let css = """
        body{font-family:sans-serif;margin:2em;max-width:72em;color:#111;overflow-wrap:anywhere}
        h1{font-size:1.6em}h2{border-bottom:2px solid #333;margin-top:2em}
        table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}
        th{background:#eee}.hash{font-family:monospace;font-size:.8em;word-break:break-all}
        .finding{border:1px solid #aaa;padding:1em;margin:1em 0;page-break-inside:avoid}
        .stills img{max-width:100%;border:1px solid #333;margin:.25em 0}.stills .frame img{max-width:800px}.stills div{margin:.5em 0}
        .crop img{max-height:12em;width:auto}.note{color:#444;font-size:.9em}pre{background:#f4f4f4;padding:.5em;white-space:pre-wrap}
        .stills .frame img{max-width:100%;height:auto}svg{max-width:100%;height:auto}table{max-width:100%}
        .summary{font-size:1.1em;background:#f4f4f4;border-left:4px solid #333;padding:.5em 1em}
        @page{size:A4;margin:12mm}@media print{body{margin:0;max-width:none;font-size:10pt}h2{page-break-after:avoid}}
        """

    static func html(manifest m: Manifest, files: [Manifest.File], custody: [AuditEntry],
                     stills: [String: [(caption: String, path: String, data: Data)]]) -> String {
        let routeTitle = m.items.count > 1 && Set(m.items.map(\.camera)).count > 1 ? "Route and timeline per camera" : "Timeline per camera"
        let body: [Node<HTML.BodyContext>] = [
            .h1(.text("Evidence bundle: \(m.incident.name)")),
            .p(.class("summary"), .text(plainSummary(m))),
            .p(.class("note"), .text("Exported \(m.created) by \(m.signer.operatorName) on \(m.signer.host) with \(m.tool.version). This page needs no network; every picture is inside it.")),
            .h2("Incident"),
            summary(m),
            .h2("Findings in time order"),
            .group(m.items.map { finding($0, stills[$0.id] ?? [], zone: m.incident.timeZone) }),
            .h2(.text(routeTitle)),
            .raw(timeline(m.items)),
            .h2("Files"),
            .p(.class("note"), "Every file of the bundle with its SHA-256; manifest.json holds the same list and is signed (manifest.sig)."),
            fileTable(files),
            .h2("Chain of custody"),
            .p(.class("note"), "The incident's audit log: each entry's hash covers the previous entry's hash, so an edited, removed or reordered entry breaks the chain."),
            custodyTable(custody),
            .h2("How to verify this bundle"),
            .pre(.text(verifyInstructions)),
        ]
        let page = HTML(.head(.title("Evidence bundle: \(m.incident.name)"), .meta(.charset(.utf8)), .style(css)), .body(.group(body)))
        return page.render(indentedBy: .spaces(1))
    }

    static func row(_ header: String, _ value: String) -> Node<HTML.TableContext> { .tr(.th(.text(header)), .td(.text(value))) }

    /// A UTC time as the incident's local time with its zone, and the UTC beside it.
    static func local(_ utc: String?, _ zone: String) -> String {
        guard let utc, let date = parseISOTime(utc) else { return "unknown" }
        let tz = TimeZone(identifier: zone) ?? .gmt
        return "\(isoTime(date, tz)) (\(zone)) — \(isoTime(date, .gmt)) UTC"
    }

    /// What was asked and what was found, in one sentence for a reader who reads nothing else.
    static func plainSummary(_ m: Manifest) -> String {
        let plates = m.items.filter { $0.kind == "plate" }.count, faces = m.items.count - plates
        let cameras = Array(Set(m.items.map(\.camera))).sorted()
        let times = m.items.compactMap(\.firstUTC).sorted()
        let found = [plates > 0 ? "\(plates) plate sighting\(plates == 1 ? "" : "s")" : nil, faces > 0 ? "\(faces) face track\(faces == 1 ? "" : "s")" : nil]
            .compactMap { $0 }.joined(separator: " and ")
        let span = times.first.map { first in
            " between \(local(first, m.incident.timeZone)) and \(local(times.last, m.incident.timeZone))"
        } ?? ""
        return "Asked for: \(m.request.asked.joined(separator: "; ")). Found: \(found) at \(cameras.count) camera\(cameras.count == 1 ? "" : "s") (\(cameras.joined(separator: ", ")))\(span)."
    }

    static func summary(_ m: Manifest) -> Node<HTML.BodyContext> {
        .table(
            row("Incident", "\(m.incident.name) (\(m.incident.file))"),
            row("Window", "\(local(m.incident.from, m.incident.timeZone)) to \(local(m.incident.to, m.incident.timeZone))"),
            row("Created", "\(m.incident.created) by \(m.incident.createdBy)"),
            row("Asked for", m.request.asked.joined(separator: "; ")),
            row("Originals", m.request.originalsIncluded ? "included, bit-exact, in originals/" : "not included: referenced by path, size and SHA-256 (see Files)"),
            row("Redacted copies", m.request.redacted ? "yes, in redacted/ (re-encoded; the originals and clips are untouched)" : "no"),
            row("Signing key", "fingerprint (SHA-256) \(m.signer.publicKeySHA256)")
        )
    }

    static func finding(_ item: Manifest.Item, _ stills: [(caption: String, path: String, data: Data)], zone: String) -> Node<HTML.BodyContext> {
        let kind = item.kind == "plate" ? "Plate" : "Face"
        let place = item.cameraName.isEmpty ? item.camera : item.cameraName
        let figures: [Node<HTML.BodyContext>] = stills.map { s in
            .div(.class(s.path.hasSuffix("-crop.png") || s.path.hasPrefix("probe/") ? "crop" : "frame"),
                 .img(.src("data:\(s.path.hasSuffix(".png") ? "image/png" : "image/jpeg");base64,\(s.data.base64EncodedString())"), .alt("\(s.caption) (\(s.path))")),
                 .p(.class("note"), .text("\(s.caption): \(s.path)")))
        }
        let links: [Node<HTML.BodyContext>] = item.files.map { .div(.a(.href($0), .text($0))) }
        return .div(.class("finding"),
                    .h3(.text("\(kind) \(item.label): \(place) (\(item.camera))")),
                    .table(
                        row("First seen", local(item.firstUTC, zone)),
                        row("Last seen", local(item.lastUTC, zone)),
                        row("Where", [item.site, item.zone].filter { !$0.isEmpty }.joined(separator: ", ")),
                        row("In the original", "\(fmt(item.firstSeconds))–\(fmt(item.lastSeconds)) s; still at \(fmt(item.bestSeconds)) s"),
                        row("Watchlist", item.watchlist.isEmpty ? "no hit" : item.watchlist.joined(separator: ", ")),
                        .if(item.distance != nil, row("Matched to", String(format: "%@ at descriptor distance %.3f (the same person under 0.6)",
                                                                         item.matchedPhoto ?? "the search photo", item.distance ?? 0))),
                        .tr(.th("Files"), .td(.group(links)))
                    ),
                    .div(.class("stills"), .group(figures)))
    }

    static func fileTable(_ files: [Manifest.File]) -> Node<HTML.BodyContext> {
        let rows: [Node<HTML.TableContext>] = files.map { f in
            .tr(.td(.text(f.path)), .td(.text(f.included ? f.role : "\(f.role) (not included)")), .td(.text("\(f.size)")),
                .td(.class("hash"), .text(f.sha256)), .td(.text(howMade(f))))
        }
        return .table(.tr(.th("File"), .th("Role"), .th("Bytes"), .th("SHA-256"), .th("How it was made")), .group(rows))
    }

    static func custodyTable(_ custody: [AuditEntry]) -> Node<HTML.BodyContext> {
        let rows: [Node<HTML.TableContext>] = custody.map { e in
            .tr(.td(.text("\(e.id)")), .td(.text(e.time)), .td(.text(e.actor)), .td(.text(e.action)), .td(.text(e.detail)),
                .td(.class("hash"), .text(String(e.hash.prefix(16)) + "…")))
        }
        return .table(.tr(.th("#"), .th("Time (UTC)"), .th("Who"), .th("Action"), .th("Detail"), .th("Hash")), .group(rows))
    }

    static func howMade(_ f: Manifest.File) -> String {
        guard let d = f.derivation else {
            return f.role == "original" ? "the original file from the archive (\(f.sourcePath ?? ""))" : f.role
        }
        let params = d.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return "\(d.method) of \(d.source) (SHA-256 \(d.sourceSHA256.prefix(12))…), \(fmt(d.fromSeconds))–\(fmt(d.toSeconds)) s; \(params)"
    }

    /// One row per camera over the exported time span, a bar per item; with several cameras,
    /// a line joins the items in time order (the route).
    static func timeline(_ items: [Manifest.Item]) -> String {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let timed = items.compactMap { i -> (Manifest.Item, Double, Double)? in
            guard let a = i.firstUTC.flatMap(iso.date(from:)), let b = i.lastUTC.flatMap(iso.date(from:)) else { return nil }
            return (i, a.timeIntervalSince1970, b.timeIntervalSince1970)
        }
        guard let start = timed.map(\.1).min(), let end = timed.map(\.2).max() else { return "<p>No times recorded.</p>" }
        let cameras = Array(Set(timed.map { $0.0.camera })).sorted()
        let span = max(end - start, 1), left = 160.0, width = 800.0, row = 34.0
        let height = Double(cameras.count) * row + 40
        func x(_ t: Double) -> Double { left + (t - start) / span * width }
        func y(_ camera: String) -> Double { 20 + Double(cameras.firstIndex(of: camera)!) * row + row / 2 }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(left + width + 40))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"timeline\">"
        for c in cameras {
            svg += "<text x=\"4\" y=\"\(y(c) + 4)\" font-size=\"13\">\(escape(c))</text><line x1=\"\(left)\" y1=\"\(y(c))\" x2=\"\(left + width)\" y2=\"\(y(c))\" stroke=\"#ccc\"/>"
        }
        let ordered = timed.sorted { $0.1 < $1.1 }
        if cameras.count > 1 {
            let points = ordered.map { "\(x(($0.1 + $0.2) / 2)),\(y($0.0.camera))" }.joined(separator: " ")
            svg += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"#c00\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
        }
        for (i, a, b) in ordered {
            svg += "<rect x=\"\(x(a))\" y=\"\(y(i.camera) - 8)\" width=\"\(max(4, x(b) - x(a)))\" height=\"16\" fill=\"\(i.kind == "plate" ? "#1565c0" : "#2e7d32")\"><title>\(escape("\(i.label) \(i.firstUTC ?? "")"))</title></rect>"
        }
        svg += "<text x=\"\(left)\" y=\"\(height - 4)\" font-size=\"12\">\(escape(isoUTC(start) ?? ""))</text>"
        svg += "<text x=\"\(left + width)\" y=\"\(height - 4)\" font-size=\"12\" text-anchor=\"end\">\(escape(isoUTC(end) ?? ""))</text></svg>"
        return svg
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    static let verifyInstructions = """
        With forensic (no incident file and no models needed), from the bundle's folder or its zip:
            forensic verify BUNDLE --key EXPECTED-PUBLIC-KEY.pem
        It re-hashes every file, checks the signature, the custody chain, and that each clip's
        packets are the original's packets; exit status 0 only when everything passes.

        With standard tools, inside the bundle's folder:
            sha256sum -c SHA256SUMS                      # every file against the hashes (SHA256SUMS is itself in manifest.json)
            openssl pkey -pubin -in public-key.pem -outform DER | sha256sum   # the key's fingerprint: compare with the one you were given
            openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig
        The last prints "Signature Verified Successfully" when manifest.json is exactly what was signed (OpenSSL 3).
        custody.jsonl: each line's "hash" is SHA-256 (hex) of prev_hash, at, actor, action, detail joined by the
        byte 0x1F; each line's prev_hash is the previous line's hash (the first: 64 zeros).
        """

    static func readme(manifest m: Manifest) -> String {
        """
        EVIDENCE BUNDLE: \(m.incident.name)
        Exported \(m.created) by \(m.signer.operatorName) on \(m.signer.host) with \(m.tool.version).
        Asked for: \(m.request.asked.joined(separator: "; "))
        Items: \(m.items.count). Open report.html in any browser (works offline).

        Contents
          originals/      the source files exactly as archived (bit-exact)\(m.request.originalsIncluded ? "" : " - NOT INCLUDED in this bundle: see manifest.json for their paths, sizes and SHA-256")
          clips/          the span around each item, packets copied from the original without re-encoding
          stills/         lossless PNG: the full frame, the plate or face crop, and a copy with the box and label drawn
        \(m.request.redacted ? "  redacted/       copies of the clips with other people's faces and other plates covered (re-encoded)\n" : "")  manifest.json   every file with its role, size, SHA-256 and how it was made; signed
          manifest.sig    Ed25519 signature of manifest.json's exact bytes (64 bytes, raw)
          public-key.pem  the signer's public key (fingerprint, SHA-256 of its DER form: \(m.signer.publicKeySHA256))
          custody.jsonl   the incident's audit log (chain of custody), one JSON object a line, hash-chained
          SHA256SUMS      the same hashes in the format sha256sum -c reads
          report.html     the findings, stills, timeline, file list and custody log, for reading

        How to verify
        \(verifyInstructions)

        """
    }
}
