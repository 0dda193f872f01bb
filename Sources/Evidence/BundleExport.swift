import Crypto
import Foundation
import IncidentStore
import VideoDecode
import ZIPFoundation

/// What to put in an evidence bundle.
public struct ExportRequest: Sendable {
    public var sightings: [Int64] = []
    public var faceTracks: [Int64] = []
    public var hits: [Int64] = []
    /// Every sighting whose text (vote, a read or a candidate) is this plate, exactly (the query
    /// layer finds them: `plateSightings`).
    public var plate: String?
    public var plateSightings: [Int64] = []
    /// The photo a face search started from (its matching tracks are in `faceTracks`), and each
    /// matching track's distance to it: the bundle carries the photo, the report both.
    public var facePhoto: String?
    public var faceDistances: [Int64: Double] = [:]
    /// Seconds of footage kept before and after each item in its clip.
    public var padding = 10.0
    public var includeOriginals = true
    public var redact = false
    public var commandLine: [String] = CommandLine.arguments
    public init() {}
}

/// What an export wrote.
public struct ExportSummary: Codable, Sendable {
    public var bundle: String
    public var items: Int
    public var files: Int
    public var bytes: Int64
    public var originalsIncluded: Bool
    public var manifestSHA256: String
    public var publicKeySHA256: String
    enum CodingKeys: String, CodingKey {
        case bundle, items, files, bytes
        case originalsIncluded = "originals_included", manifestSHA256 = "manifest_sha256", publicKeySHA256 = "public_key_sha256"
    }
}

/// Writes evidence bundles (see the README's "Evidence bundles"): originals bit-exact, clips
/// stream-copied, lossless stills, a signed manifest, the custody log, a report. Built under a
/// hidden temporary name beside the output and renamed at the end: a failure leaves nothing that
/// looks like a bundle.
public enum BundleExporter {
    /// One exported sighting or track with where its pixels are.
    struct Resolved {
        var item: Manifest.Item
        /// The plate sighting's or face track's id in the incident.
        var rowID: Int64
        var fileID: Int64
        var sourcePath: String       // archive-relative
        var sourceSHA256: String
        var box: PixelRect?
        var runID: Int64?
    }

    public static func export(_ incident: Incident, _ request: ExportRequest, to output: String,
                              key: Curve25519.Signing.PrivateKey) throws -> ExportSummary {
        let fm = FileManager.default
        let out = URL(fileURLWithPath: output).standardizedFileURL
        guard !fm.fileExists(atPath: out.path) else { throw EvidenceError(output, "already exists; bundles are never overwritten") }
        let zip = out.pathExtension.lowercased() == "zip"
        let name = zip ? out.deletingPathExtension().lastPathComponent : out.lastPathComponent
        let items = try resolve(incident, request)
        guard !items.isEmpty else { throw EvidenceError(incident.path, "nothing to export: the request matched no sighting or face track") }

        // Every original must be there and unchanged since it was indexed.
        let archive = URL(fileURLWithPath: incident.config.archive)
        var originals: [String: (absolute: String, sha256: String, size: Int64)] = [:]
        for r in items where originals[r.sourcePath] == nil {
            guard !r.sourcePath.split(separator: "/").contains(".."), !r.sourcePath.hasPrefix("/") else {
                throw EvidenceError(r.sourcePath, "source path leaves the archive")
            }
            let absolute = archive.appendingPathComponent(r.sourcePath).path
            guard fm.fileExists(atPath: absolute) else { throw EvidenceError(absolute, "original missing (indexed with SHA-256 \(r.sourceSHA256))") }
            let now = try sha256(of: absolute)
            guard now == r.sourceSHA256 else {
                throw EvidenceError(absolute, "changed since indexing: SHA-256 is now \(now), indexed as \(r.sourceSHA256)")
            }
            let size = (try fm.attributesOfItem(atPath: absolute)[.size] as? NSNumber)?.int64Value ?? 0
            originals[r.sourcePath] = (absolute, now, size)
        }

        let staging = out.deletingLastPathComponent().appendingPathComponent(".\(name).partial-\(UUID().uuidString.prefix(8))")
        let root = staging.appendingPathComponent(name)
        try fm.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? fm.removeItem(at: staging) }
        func write(_ data: Data, _ relative: String) throws {
            let url = root.appendingPathComponent(relative)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }

        var records: [String: Manifest.File] = [:]   // bundle path → how it was made
        func derived(_ path: String, method: String, from r: Resolved, range: (Double, Double), _ parameters: [String: String]) {
            records[path] = Manifest.File(path: path, role: "derived", size: 0, sha256: "", included: true, sourcePath: nil,
                                          derivation: Manifest.Derivation(method: method, source: "originals/\(r.sourcePath)", sourceSHA256: r.sourceSHA256,
                                                                          fromSeconds: range.0, toSeconds: range.1, parameters: parameters))
        }
        for (path, o) in originals {
            let bundled = "originals/\(path)"
            if request.includeOriginals {
                try fm.createDirectory(at: root.appendingPathComponent(bundled).deletingLastPathComponent(), withIntermediateDirectories: true)
                try fm.copyItem(atPath: o.absolute, toPath: root.appendingPathComponent(bundled).path)
                records[bundled] = Manifest.File(path: bundled, role: "original", size: o.size, sha256: o.sha256, included: true, sourcePath: path, derivation: nil)
            } else {
                records[bundled] = Manifest.File(path: bundled, role: "original", size: o.size, sha256: o.sha256, included: false, sourcePath: path, derivation: nil)
            }
        }

        var stills: [String: [(caption: String, path: String, data: Data)]] = [:]
        var resolved = items
        // The photo face tracks were found by: in the bundle, beside each match's distance.
        var probe: (path: String, data: Data)?
        if let photo = request.facePhoto, !request.faceDistances.isEmpty {
            let bundled = "probe/" + URL(fileURLWithPath: photo).lastPathComponent
            let data = try Data(contentsOf: URL(fileURLWithPath: photo))
            try write(data, bundled)
            records[bundled] = Manifest.File(path: bundled, role: "probe", size: 0, sha256: "", included: true, sourcePath: nil, derivation: nil)
            probe = (bundled, data)
            for i in resolved.indices where resolved[i].item.kind == "face" {
                guard let d = request.faceDistances[resolved[i].rowID] else { continue }
                resolved[i].item.distance = (d * 1000).rounded() / 1000
                resolved[i].item.matchedPhoto = bundled
            }
        }
        for i in resolved.indices {
            let r = resolved[i]
            let source = originals[r.sourcePath]!.absolute
            let ext = ["mp4", "mkv", "ts", "mov"].contains(URL(fileURLWithPath: source).pathExtension.lowercased())
                ? URL(fileURLWithPath: source).pathExtension.lowercased() : "mkv"
            let clipPath = "clips/\(r.item.id).\(ext)"
            try fm.createDirectory(at: root.appendingPathComponent("clips"), withIntermediateDirectories: true)
            let from = max(0, r.item.firstSeconds - request.padding), to = r.item.lastSeconds + request.padding
            let clip = try ClipExporter.export(source, from: from, to: to, output: root.appendingPathComponent(clipPath).path)
            derived(clipPath, method: "stream-copy", from: r, range: (clip.startTime, clip.endTime),
                    ["requested_from": fmt(from), "requested_to": fmt(to), "video_packets": "\(clip.videoPackets)", "packets": "\(clip.packets)",
                     "note": "packets copied unchanged from the original; starts at the keyframe at or before the requested start"])
            var files = [clipPath]

            let frame = try frame(of: root.appendingPathComponent(clipPath).path, at: r.item.bestSeconds - clip.startTime)
            let at = (r.item.bestSeconds, r.item.bestSeconds)
            let framePath = "stills/\(r.item.id)-frame.png"
            var captions: [(caption: String, path: String, data: Data)] = []
            /// Writes a lossless still, records how it was made, and keeps its bytes for the report.
            func addStill(_ image: Image, _ path: String, method: String, caption: String, _ parameters: [String: String]) throws {
                let data = try image.pngData()
                try write(data, path)
                derived(path, method: method, from: r, range: at, parameters)
                files.append(path)
                captions.append((caption, path, data))
            }
            if let box = r.box {
                // What, who on a watchlist (the entry's id), where, when.
                let wanted = r.item.watchlist.first.map { " " + ($0.split(separator: "/").last.map(String.init) ?? $0) } ?? ""
                let label = "\(r.item.label)\(wanted) \(r.item.camera) \(r.item.firstUTC.map { String($0.prefix(19)) + "Z" } ?? "")"
                try addStill(Annotation.annotated(frame, box: box, label: label), "stills/\(r.item.id)-annotated.png", method: "annotated-frame",
                             caption: "Annotated frame", ["via": framePath, "box": "\(box.x),\(box.y),\(box.w),\(box.h)", "label": label,
                                                          "drawn": "box outline and label burnt into a copy"])
            }
            try addStill(frame, framePath, method: "frame", caption: "Frame at \(fmt(r.item.bestSeconds)) s",
                         ["via": clipPath, "format": "PNG, RGB 8-bit, lossless, full resolution"])
            if let box = r.box {
                let margin = r.item.kind == "plate" ? 0.25 : 0.35
                let crop = PixelRect(x: box.x - Int(Double(box.w) * margin), y: box.y - Int(Double(box.h) * margin),
                                     w: box.w + 2 * Int(Double(box.w) * margin), h: box.h + 2 * Int(Double(box.h) * margin))
                    .clamped(width: frame.width, height: frame.height)
                if !crop.isEmpty {
                    try addStill(frame.cropped(crop), "stills/\(r.item.id)-crop.png", method: "crop", caption: r.item.kind == "plate" ? "Plate" : "Face",
                                 ["via": framePath, "box": "\(crop.x),\(crop.y),\(crop.w),\(crop.h)"])
                }
            }
            if request.redact {
                let redactedPath = "redacted/\(r.item.id).mkv"
                try fm.createDirectory(at: root.appendingPathComponent("redacted"), withIntermediateDirectories: true)
                let others = try incident.otherDetections(fileID: r.fileID, exceptSighting: r.item.kind == "plate" ? r.rowID : nil,
                                                          exceptTrack: r.item.kind == "face" ? r.rowID : nil,
                                                          from: clip.startTime - Redaction.hold, to: clip.endTime + Redaction.hold)
                let result = try Redaction.redact(clip: root.appendingPathComponent(clipPath).path, clipStart: clip.startTime, regions: others,
                                                  output: root.appendingPathComponent(redactedPath).path)
                derived(redactedPath, method: "redacted", from: r, range: (clip.startTime, clip.endTime),
                        ["via": clipPath, "redacted": "yes", "method": Redaction.method, "regions": "\(others.count) detections of other faces and plates",
                         "frames": "\(result.frames)", "encoder": result.encoder])
                files.append(redactedPath)
            }
            if let probe, let d = resolved[i].item.distance {
                captions.append((String(format: "The photo it was matched to (distance %.3f; the same person under 0.6)", d), probe.path, probe.data))
            }
            resolved[i].item.files = files
            stills[r.item.id] = captions
        }

        // Custody: the incident's audit chain with this export appended (in the incident too).
        let host = ProcessInfo.processInfo.hostName
        let asked = describe(request)
        try incident.audit("export", "bundle \(out.lastPathComponent): \(resolved.map(\.item.id).joined(separator: ", ")); asked \(asked.joined(separator: "; ")); originals \(request.includeOriginals ? "included" : "referenced"); redacted \(request.redact ? "yes" : "no"); host \(host); command \(request.commandLine.joined(separator: " "))")
        try incident.settle()
        let custody = try incident.auditEntries()
        let lineEncoder = JSONEncoder()
        lineEncoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try write(Data(try custody.map { String(decoding: try lineEncoder.encode($0), as: UTF8.self) + "\n" }.joined().utf8), "custody.jsonl")
        records["custody.jsonl"] = Manifest.File(path: "custody.jsonl", role: "custody", size: 0, sha256: "", included: true, sourcePath: nil, derivation: nil)

        let created = try incident.creation()
        let identity = Manifest.IncidentIdentity(name: incident.config.name, file: URL(fileURLWithPath: incident.path).lastPathComponent,
                                                 created: isoUTC(created.at.timeIntervalSince1970) ?? "", createdBy: created.by,
                                                 from: isoUTC(incident.config.from.timeIntervalSince1970) ?? "",
                                                 to: isoUTC(incident.config.to.timeIntervalSince1970) ?? "", timeZone: incident.config.timeZone)
        let runs = try incident.runs(Set(resolved.compactMap(\.runID))).map {
            Manifest.Run(id: $0.id, toolVersion: $0.toolVersion, models: $0.models, parameters: $0.parameters,
                         finished: isoUTC($0.finished?.timeIntervalSince1970))
        }
        var manifest = Manifest(created: isoUTC(Date().timeIntervalSince1970)!,
                                tool: Manifest.Tool(name: "forensic", version: Incident.toolVersion, runs: runs),
                                incident: identity,
                                request: Manifest.Request(commandLine: request.commandLine, asked: asked, paddingSeconds: request.padding,
                                                          originalsIncluded: request.includeOriginals, redacted: request.redact),
                                signer: Manifest.Signer(operatorName: Incident.currentUser, host: host, publicKeySHA256: SigningKeys.fingerprint(key.publicKey)),
                                custody: Manifest.CustodyHead(entries: custody.count, lastHash: custody.last?.hash ?? Audit.genesis),
                                items: resolved.map(\.item), files: [])

        func hashRecords() throws {
            for (path, var record) in records where record.included && record.sha256.isEmpty {   // originals were hashed when checked
                let url = root.appendingPathComponent(path)
                record.sha256 = try sha256(of: url.path)
                record.size = (try fm.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
                records[path] = record
            }
        }
        try hashRecords()
        try write(Data(Report.html(manifest: manifest, files: records.values.sorted { $0.path < $1.path }, custody: custody, stills: stills).utf8), "report.html")
        try write(Data(Report.readme(manifest: manifest).utf8), "README.txt")
        records["report.html"] = Manifest.File(path: "report.html", role: "report", size: 0, sha256: "", included: true, sourcePath: nil, derivation: nil)
        records["README.txt"] = Manifest.File(path: "README.txt", role: "report", size: 0, sha256: "", included: true, sourcePath: nil, derivation: nil)
        try hashRecords()
        // The same hashes for `sha256sum -c` (itself covered by the manifest).
        try write(Data(records.values.filter(\.included).sorted { $0.path < $1.path }.map { "\($0.sha256)  \($0.path)\n" }.joined().utf8), "SHA256SUMS")
        records["SHA256SUMS"] = Manifest.File(path: "SHA256SUMS", role: "report", size: 0, sha256: "", included: true, sourcePath: nil, derivation: nil)
        try hashRecords()
        manifest.files = records.values.sorted { $0.path < $1.path }

        let manifestData = try manifest.encoded()
        try write(manifestData, "manifest.json")
        try write(try key.signature(for: manifestData), "manifest.sig")
        try write(Data(SigningKeys.publicPEM(key.publicKey).utf8), "public-key.pem")

        if zip {
            let temporary = staging.appendingPathComponent(out.lastPathComponent)
            try fm.zipItem(at: root, to: temporary, shouldKeepParent: true)
            try fm.moveItem(at: temporary, to: out)
        } else {
            try fm.moveItem(at: root, to: out)
        }
        let bytes = manifest.files.filter(\.included).reduce(Int64(0)) { $0 + $1.size }
        return ExportSummary(bundle: out.path, items: resolved.count, files: manifest.files.filter(\.included).count + 3, bytes: bytes,
                             originalsIncluded: request.includeOriginals, manifestSHA256: sha256Hex(manifestData),
                             publicKeySHA256: SigningKeys.fingerprint(key.publicKey))
    }

    static func describe(_ r: ExportRequest) -> [String] {
        r.sightings.map { "sighting \($0)" } + r.faceTracks.map { "face track \($0)" } + r.hits.map { "watchlist hit \($0)" }
            + (r.plate.map { ["plate \($0)"] } ?? []) + (r.facePhoto.map { ["face like \(URL(fileURLWithPath: $0).lastPathComponent)"] } ?? [])
    }

    /// The items asked for, each once, in time order; an id that does not exist is an error.
    /// (A plate or a face photo was resolved to sightings and tracks by the query layer.)
    static func resolve(_ incident: Incident, _ request: ExportRequest) throws -> [Resolved] {
        var sightings = request.sightings + request.plateSightings, tracks = request.faceTracks + request.faceDistances.keys
        for id in request.hits {
            guard let subject = try incident.hitSubject(id) else { throw EvidenceError(incident.path, "watchlist hit \(id) does not exist") }
            sightings += subject.sighting.map { [$0] } ?? []
            tracks += subject.faceTrack.map { [$0] } ?? []
        }
        let items: [EvidenceItem]
        do { items = try incident.evidenceItems(sightings: sightings, faceTracks: tracks) } catch let e as StoreError {
            throw EvidenceError(incident.path, e.reason)
        }
        return try items.map { e in
            guard let sha = e.sourceSHA256 else {
                throw EvidenceError(e.at.file, "has no SHA-256 recorded (not indexed); cannot prove it is the original")
            }
            let item = Manifest.Item(id: e.id, kind: e.kind.rawValue, label: e.label, camera: e.at.camera, cameraName: e.at.cameraName,
                                     site: e.at.site, zone: e.at.zone, firstUTC: isoUTC(e.at.timeUTC?.timeIntervalSince1970),
                                     lastUTC: isoUTC(e.at.untilUTC?.timeIntervalSince1970), firstSeconds: e.firstPTS, lastSeconds: e.lastPTS,
                                     bestSeconds: e.bestPTS, original: sha, watchlist: e.watchlist, files: [])
            return Resolved(item: item, rowID: e.rowID, fileID: e.fileID, sourcePath: e.at.file, sourceSHA256: sha, box: e.box, runID: e.runID)
        }
    }

    /// The decoded frame of `clip` nearest `time` (seconds from the clip's first frame), RGB, full size.
    static func frame(of clip: String, at time: Double) throws -> Image {
        let decoder = try VideoDecoder(path: clip)
        var best: (distance: Double, image: Image)?
        try decoder.decode { f in
            let d = abs(f.time - time)
            if d < (best?.distance ?? .infinity) { best = (d, try f.image(.rgb)) }
            return f.time < time + 0.5
        }
        guard let best else { throw EvidenceError(clip, "no frame could be decoded near \(fmt(time)) s") }
        return best.image
    }
}

func fmt(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
