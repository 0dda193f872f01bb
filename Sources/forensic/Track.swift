import ArgumentParser
import Foundation
import IncidentStore
import Nightly
import RecognitionKit

struct Track: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a vehicle or a person across cameras, in time order, with a picture of the route.",
        discussion: "Lists each sighting with the time since the previous one and the distance between cameras; writes an SVG (cameras down, time across).")

    @Argument(help: "The incident file, or an archive index folder (its day files within --from/--to).") var incident: String
    @Option(help: "Plate text (exact; near misses within 0.5, i.e. OCR confusions, are included).") var plate: String?
    @Option(help: "A photo of the person.") var face: String?
    @Option(help: "Face distance threshold.") var threshold: Float = FaceEngine.samePersonThreshold
    @Option(help: "Where to write the route picture (SVG).") var svg: String?
    @OptionGroup var filters: FilterOptions
    @Flag(help: "One JSON object per stop per line.") var json = false
    @Option(help: "Model directory (for --face).") var models: String?

    func validate() throws {
        guard (plate == nil) != (face == nil) else { throw ValidationError("give exactly one of --plate or --face") }
    }

    func run() throws {
        try reportingFailure {
            let filter = try filters.filter(scope: incident)
            let targets = try searchTargets(incident, from: filter.from, to: filter.to)
            guard let zone = targets.first?.incident.config.zone else { throw StoreError(file: incident, reason: "no day files in that time range") }
            var stops: [RouteStop] = []
            var wanted: [String: String] = [:]   // "day/id" → watchlist labels
            let label: String
            let query = try face.map { try FaceEngine(models: ModelStore(directory: models)).singleFace(in: $0, largest: true, upsample: 1) }
            if let plate {
                label = "plate \(try PlatePattern(plate).normalised)"
            } else {
                label = "face \(URL(fileURLWithPath: face!).lastPathComponent)"
            }
            for (day, store) in targets {
                var found: [RouteStop]
                if let plate {
                    found = try store.searchPlates(try PlatePattern(plate), filter: filter, maxDistance: 0.5, limit: 10_000).compactMap { h -> RouteStop? in
                        guard let a = h.firstUTC, let b = h.lastUTC else { return nil }
                        return RouteStop(camera: h.camera, cameraName: h.cameraName, site: h.site, latitude: h.latitude, longitude: h.longitude,
                                         firstUTC: a, lastUTC: b, id: h.sightingID, label: h.display, file: h.file, pts: h.pts)
                    }
                    for (id, l) in try store.watchlistLabels(sightings: found.map(\.id)) { wanted["\(day ?? "")/\(id)"] = l }
                } else {
                    found = try store.searchFaces(query!.embedding, threshold: threshold, top: 10_000, filter: filter).compactMap { h -> RouteStop? in
                        guard let a = h.firstUTC, let b = h.lastUTC else { return nil }
                        return RouteStop(camera: h.camera, cameraName: h.cameraName, site: h.site, latitude: h.latitude, longitude: h.longitude,
                                         firstUTC: a, lastUTC: b, id: h.faceTrackID, label: String(format: "d=%.2f", h.distance), file: h.file, pts: h.pts)
                    }
                    for (id, l) in try store.watchlistLabels(faceTracks: found.map(\.id)) { wanted["\(day ?? "")/\(id)"] = l }
                }
                stops += found.map { var s = $0; s.day = day; return s }
            }
            let route = Route.build(stops)
            let name = ArchiveIndex.isIndex(incident) ? "archive index \(URL(fileURLWithPath: incident).lastPathComponent)" : targets[0].incident.config.name
            let rows: [[String: Any]] = route.map { s in
                var r: [String: Any] = ["camera": s.camera, "site": s.site, "time_local": isoTime(s.firstUTC, zone),
                                        "time_utc": isoTime(s.firstUTC, .gmt), "until_local": isoTime(s.lastUTC, zone),
                                        "label": s.label, "file": s.file, "pts": s.pts, plate != nil ? "sighting_id" : "face_track_id": s.id]
                if let g = s.sincePrevious { r["since_previous_s"] = (g * 10).rounded() / 10 }
                if let k = s.kmFromPrevious { r["km_from_previous"] = k }
                if let lat = s.latitude, let lon = s.longitude { r["latitude"] = lat; r["longitude"] = lon }
                r["watchlist"] = wanted["\(s.day ?? "")/\(s.id)"] ?? ""
                if let day = s.day { r["day"] = day }
                return r
            }
            printRows(rows, columns: (ArchiveIndex.isIndex(incident) ? ["day"] : [])
                        + ["camera", "site", "time_local", "since_previous_s", "km_from_previous", "label", "file", "pts", "watchlist"],
                      format: json ? .json : .table)
            if let svg {
                try Route.svg(route, title: "\(name): \(label)", zone: zone).write(toFile: svg, atomically: true, encoding: .utf8)
                if !json { print("route picture: \(svg)") }
            }
        }
    }
}

struct Convoy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Vehicles travelling together: plates seen near a target plate at several cameras.")

    @Argument(help: "The incident file, or an archive index folder (its day files within --from/--to).") var incident: String
    @Option(help: "The target plate.") var plate: String
    @Option(help: "Seconds either side of each target sighting.") var window: Double = 60
    @Option(name: .customLong("min-cameras"), help: "Shared cameras needed to be listed.") var minCameras: Int = 2
    @Option(help: "Archive index: only day files from (ISO 8601 with offset).") var from: String?
    @Option(help: "Archive index: only day files to (ISO 8601 with offset).") var to: String?

    func parseTime(_ s: String) throws -> Date {
        guard let d = parseISOTime(s) else { throw ValidationError("'\(s)' is not ISO 8601 with an offset") }
        return d
    }
    @Flag(help: "One JSON object per plate per line.") var json = false

    func run() throws {
        try reportingFailure {
            let target = try PlatePattern(plate)
            guard !target.isWildcard else { throw StoreError(file: "query", reason: "convoy needs a full plate, not a pattern") }
            let targets = try searchTargets(incident, from: try from.map(parseTime), to: try to.map(parseTime))
            // Each day's candidates at any number of cameras, combined, then the --min-cameras cut.
            var merged: [String: ConvoyCandidate] = [:]
            for (_, store) in targets {
                for c in try store.convoy(plate: target.normalised, window: window, minCameras: targets.count > 1 ? 1 : minCameras) {
                    guard var m = merged[c.text] else { merged[c.text] = c; continue }
                    m.meanGap = (m.meanGap * Double(m.coSightings) + c.meanGap * Double(c.coSightings)) / Double(m.coSightings + c.coSightings)
                    m.coSightings += c.coSightings
                    m.cameras = Array(Set(m.cameras).union(c.cameras)).sorted()
                    merged[c.text] = m
                }
            }
            let found = merged.values.filter { $0.cameras.count >= minCameras }
                .sorted { ($1.cameras.count, $1.coSightings, $0.meanGap, $0.text) < ($0.cameras.count, $0.coSightings, $1.meanGap, $1.text) }
            let rows: [[String: Any]] = found.map {
                ["text": $0.text, "display": $0.display, "cameras": json ? $0.cameras : $0.cameras.joined(separator: " "),
                 "shared_cameras": $0.cameras.count, "co_sightings": $0.coSightings, "mean_gap_s": $0.meanGap]
            }
            printRows(rows, columns: ["display", "shared_cameras", "co_sightings", "mean_gap_s", "cameras"], format: json ? .json : .table)
        }
    }
}
