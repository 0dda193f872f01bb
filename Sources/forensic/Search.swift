import ArgumentParser
import Foundation
import IncidentStore
import Investigation
import RecognitionKit

/// Filters shared by search, track, convoy and hits.
struct FilterOptions: ParsableArguments {
    @Option(help: "Only these cameras (ID,ID,…; any case).") var camera: String?
    @Option(help: "Only these sites (comma-separated; any case).") var site: String?
    @Option(help: "Only these zones (comma-separated; any case).") var zone: String?
    @Option(help: "From: 2026-11-20T14:01 (the incident's time zone) or with an offset, 2026-11-20T14:01:00+05:00.") var from: String?
    @Option(help: "To: as --from.") var to: String?

    /// The filter in `scope`; times read in its zone are said on stderr. Unknown names and a
    /// reversed window are refused (exit 64), never answered with "no matches".
    func filter(in scope: Scope) throws -> SearchFilter {
        func list(_ s: String?) -> [String]? { s.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } }
        let (filter, readInZone) = try scope.filter(Scope.FilterText(cameras: list(camera), sites: list(site), zones: list(zone), from: from, to: to))
        if readInZone { reportError("times without an offset are read in \(scope.zone.identifier) (\(offsetText(scope.zone)))") }
        return filter
    }
}

/// "+05:00" for a zone now.
func offsetText(_ zone: TimeZone) -> String {
    let s = zone.secondsFromGMT()
    return String(format: "%@%02d:%02d", s < 0 ? "-" : "+", abs(s) / 3600, abs(s) % 3600 / 60)
}

/// The face in a probe photo, found as indexing finds faces (one detector for every command).
func probeFace(_ photo: String, models: String?) throws -> Face {
    try FaceEngine(models: ModelStore(directory: models), loadCenterFace: true).probeFace(in: photo)
}

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search an incident by plate (exact, wildcard, OCR-forgiving) or by face photo.",
        discussion: """
            --plate takes letters and digits with ? (one character) and * (any run); spaces and dashes are ignored; \
            --plate '*' lists every plate seen (in time order; narrow it with --from/--to, page with --limit/--offset). \
            Exact matches come first, then near misses (OCR confusions such as 8/B, 0/O cost 0.4, other edits 1), \
            unless --exact. --face takes a photo and lists face tracks within --threshold, nearest first.
            """)

    @Argument(help: "The incident file, or an archive index folder (its day files within --from/--to).") var incident: String
    @Option(help: "Plate text or pattern, e.g. BKN-12? or *KN1*; '*' for every plate.") var plate: String?
    @Option(help: "A photo of the person.") var face: String?
    @Option(help: "Face distance threshold.") var threshold: Float = FaceEngine.samePersonThreshold
    @Option(help: "Most face matches to list.") var top: Int = 10
    @Option(help: "Most plate sightings to list (the rest are counted).") var limit: Int = 200
    @Option(help: "Plate sightings to skip first (the next page: --offset 200).") var offset: Int = 0
    @Flag(help: "Exact and wildcard matches only (no near misses).") var exact = false
    @OptionGroup var filters: FilterOptions
    @OptionGroup var output: JSONOutput
    @Flag(help: "CSV with a header line.") var csv = false
    @Option(help: "Model directory (for --face).") var models: String?

    func validate() throws {
        guard (plate == nil) != (face == nil) else { throw ValidationError("give exactly one of --plate or --face") }
        guard !(output.isJSON && csv) else { throw ValidationError("choose JSON or --csv, not both") }
        guard top > 0, top <= 10_000 else { throw ValidationError("--top must be 1–10000") }
        guard limit > 0, offset >= 0 else { throw ValidationError("--limit must be positive and --offset not negative") }
    }

    func run() throws {
        try reportingFailure {
            let scope = try Scope(path: incident)
            let filter = try filters.filter(in: scope)
            let day = scope.isArchiveIndex ? ["day"] : []
            if let plate {
                let found = try scope.plates(PlateQuery(pattern: try PlatePattern(plate), filter: filter, nearMisses: !exact, limit: limit, offset: offset))
                printRows(found.hits, columns: day + ["sighting_id", "camera", "time_local", "time_utc", "display", "matched", "match", "distance",
                                                      "confidence", "file", "pts", "watchlist"], output: output, csv: csv)
                let shown = offset + found.hits.count
                if found.total > shown {
                    reportError("\(found.totalIsLowerBound ? "more than " : "")\(found.total) sightings match; listed \(offset + 1)–\(shown), "
                                + "\(found.total - shown)\(found.totalIsLowerBound ? "+" : "") more (--offset \(shown) for the next page)")
                }
            } else if let face {
                let hits = try scope.faces(like: try probeFace(face, models: models).embedding, threshold: threshold, top: top, filter: filter)
                printRows(hits, columns: day + ["face_track_id", "camera", "time_local", "time_utc", "distance", "confidence", "quality", "file", "pts", "watchlist"],
                          output: output, csv: csv)
            }
        }
    }
}
