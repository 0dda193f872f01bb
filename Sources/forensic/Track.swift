import ArgumentParser
import Foundation
import IncidentStore
import RecognitionKit

struct Track: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a vehicle or a person across cameras, in time order, with a picture of the route.",
        discussion: "Lists each sighting with the time since the previous one and the distance between cameras; writes an SVG (cameras down, time across).")

    @Argument(help: "The incident file.") var incident: String
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
            let store = try Incident(path: incident)
            let zone = store.config.zone
            var stops: [RouteStop] = []
            let label: String
            if let plate {
                let pattern = try PlatePattern(plate)
                label = "plate \(pattern.normalised)"
                stops = try store.searchPlates(pattern, filter: filters.filter(), maxDistance: 0.5, limit: 10_000).compactMap { h -> RouteStop? in
                    guard let a = h.firstUTC, let b = h.lastUTC else { return nil }
                    return RouteStop(camera: h.camera, cameraName: h.cameraName, site: h.site, latitude: h.latitude, longitude: h.longitude,
                                     firstUTC: a, lastUTC: b, id: h.sightingID, label: h.display, file: h.file, pts: h.pts)
                }
            } else {
                let engine = try FaceEngine(models: ModelStore(directory: models))
                let query = try engine.singleFace(in: face!, largest: true, upsample: 1)
                label = "face \(URL(fileURLWithPath: face!).lastPathComponent)"
                stops = try store.searchFaces(query.embedding, threshold: threshold, top: 10_000, filter: filters.filter()).compactMap { h -> RouteStop? in
                    guard let a = h.firstUTC, let b = h.lastUTC else { return nil }
                    return RouteStop(camera: h.camera, cameraName: h.cameraName, site: h.site, latitude: h.latitude, longitude: h.longitude,
                                     firstUTC: a, lastUTC: b, id: h.faceTrackID, label: String(format: "d=%.2f", h.distance), file: h.file, pts: h.pts)
                }
            }
            let route = Route.build(stops)
            let wanted = plate != nil ? try store.watchlistLabels(sightings: route.map(\.id)) : try store.watchlistLabels(faceTracks: route.map(\.id))
            let rows: [[String: Any]] = route.map { s in
                var r: [String: Any] = ["camera": s.camera, "site": s.site, "time_local": isoTime(s.firstUTC, zone),
                                        "time_utc": isoTime(s.firstUTC, .gmt), "until_local": isoTime(s.lastUTC, zone),
                                        "label": s.label, "file": s.file, "pts": s.pts, plate != nil ? "sighting_id" : "face_track_id": s.id]
                if let g = s.sincePrevious { r["since_previous_s"] = (g * 10).rounded() / 10 }
                if let k = s.kmFromPrevious { r["km_from_previous"] = k }
                if let lat = s.latitude, let lon = s.longitude { r["latitude"] = lat; r["longitude"] = lon }
                r["watchlist"] = wanted[s.id] ?? ""
                return r
            }
            printRows(rows, columns: ["camera", "site", "time_local", "since_previous_s", "km_from_previous", "label", "file", "pts", "watchlist"],
                      format: json ? .json : .table)
            if let svg {
                try Route.svg(route, title: "\(store.config.name): \(label)", zone: zone).write(toFile: svg, atomically: true, encoding: .utf8)
                if !json { print("route picture: \(svg)") }
            }
        }
    }
}

struct Convoy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Vehicles travelling together: plates seen near a target plate at several cameras.")

    @Argument(help: "The incident file.") var incident: String
    @Option(help: "The target plate.") var plate: String
    @Option(help: "Seconds either side of each target sighting.") var window: Double = 60
    @Option(name: .customLong("min-cameras"), help: "Shared cameras needed to be listed.") var minCameras: Int = 2
    @Flag(help: "One JSON object per plate per line.") var json = false

    func run() throws {
        try reportingFailure {
            let store = try Incident(path: incident)
            let target = try PlatePattern(plate)
            guard !target.isWildcard else { throw StoreError(file: "query", reason: "convoy needs a full plate, not a pattern") }
            let found = try store.convoy(plate: target.normalised, window: window, minCameras: minCameras)
            let rows: [[String: Any]] = found.map {
                ["text": $0.text, "display": $0.display, "cameras": json ? $0.cameras : $0.cameras.joined(separator: " "),
                 "shared_cameras": $0.cameras.count, "co_sightings": $0.coSightings, "mean_gap_s": $0.meanGap]
            }
            printRows(rows, columns: ["display", "shared_cameras", "co_sightings", "mean_gap_s", "cameras"], format: json ? .json : .table)
        }
    }
}
