import ArgumentParser
import Foundation
import IncidentStore
import Investigation
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
    @OptionGroup var output: JSONOutput
    @Option(help: "Model directory (for --face).") var models: String?

    func validate() throws {
        guard (plate == nil) != (face == nil) else { throw ValidationError("give exactly one of --plate or --face") }
    }

    func run() throws {
        try reportingFailure {
            let scope = try Scope(path: incident)
            let filter = try filters.filter(in: scope)
            let target: TrackTarget, label: String
            if let plate {
                let pattern = try PlatePattern(plate)
                target = .plate(pattern)
                label = "plate \(pattern.normalised)"
            } else {
                target = .face(try probeFace(face!, models: models).embedding, threshold: threshold)
                label = "face \(URL(fileURLWithPath: face!).lastPathComponent)"
            }
            let route = try scope.route(of: target, filter: filter)
            printRows(route, columns: (scope.isArchiveIndex ? ["day"] : [])
                        + ["camera", "site", "time_local", "since_previous", "km_from_previous", "label", "file", "pts", "watchlist"],
                      output: output)
            if let svg {
                try Route.svg(route, title: "\(scope.title): \(label)", zone: scope.zone).write(toFile: svg, atomically: true, encoding: .utf8)
                if !output.isJSON { print("route picture: \(svg)") }
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
    @OptionGroup var filters: FilterOptions
    @OptionGroup var output: JSONOutput

    func run() throws {
        try reportingFailure {
            let scope = try Scope(path: incident)
            let found = try scope.convoy(plate: try PlatePattern(plate), window: window, minCameras: minCameras, filter: try filters.filter(in: scope))
            printRows(found, columns: ["display", "co_sightings", "mean_gap_seconds", "cameras"], output: output)
        }
    }
}
