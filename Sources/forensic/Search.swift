import ArgumentParser
import Foundation
import IncidentStore
import Nightly
import RecognitionKit

/// Filters shared by search, track and hits.
struct FilterOptions: ParsableArguments {
    @Option(help: "Only these cameras (ID,ID,…; any case).") var camera: String?
    @Option(help: "Only these sites (comma-separated; any case).") var site: String?
    @Option(help: "Only these zones (comma-separated; any case).") var zone: String?
    @Option(help: "From: 2026-11-20T14:01 (the incident's time zone) or with an offset, 2026-11-20T14:01:00+05:00.") var from: String?
    @Option(help: "To: as --from.") var to: String?

    /// The filter for the incident or archive index at `path`: names matched to its cameras, times
    /// without an offset read in its zone (said on stderr). Unknown names and a reversed window
    /// are refused (exit 64), never answered with "no matches".
    func filter(scope path: String) throws -> SearchFilter {
        func list(_ s: String?) -> [String]? { s.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } }
        let (timeZone, cameras) = try ArchiveIndex.isIndex(path)
            ? { let i = try ArchiveIndex(path: path); return (i.zone, i.cameras) }()
            : { let i = try Incident(path: path, mode: .readOnly); return (i.config.zone, try i.cameras()) }()
        var local = false
        func time(_ s: String?, _ name: String) throws -> Date? {
            guard let s else { return nil }
            guard let t = parseSearchTime(s, zone: timeZone) else {
                throw ValidationError("--\(name) '\(s)' is not a time: write 2026-11-20T14:01 (read in \(timeZone.identifier)) or 2026-11-20T14:01:00+05:00")
            }
            local = local || !t.hadOffset
            return t.date
        }
        let raw = SearchFilter(cameras: list(camera), sites: list(site), zones: list(zone), from: try time(from, "from"), to: try time(to, "to"))
        if local { reportError("times without an offset are read in \(timeZone.identifier) (\(offsetText(timeZone)))") }
        do { return try raw.resolved(against: cameras) } catch let e as FilterError { throw ValidationError(e.description) }
    }
}

/// "+05:00" for a zone now.
func offsetText(_ zone: TimeZone) -> String {
    let s = zone.secondsFromGMT()
    return String(format: "%@%02d:%02d", s < 0 ? "-" : "+", abs(s) / 3600, abs(s) % 3600 / 60)
}

enum OutputFormat: String, ExpressibleByArgument { case table, json, csv }

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search an incident by plate (exact, wildcard, OCR-forgiving) or by face photo.",
        discussion: """
            --plate takes letters and digits with ? (one character) and * (any run); spaces and dashes are ignored. \
            Exact matches come first, then near misses (OCR confusions such as 8/B, 0/O cost 0.4, other edits 1), \
            unless --exact. --face takes a photo and lists face tracks within --threshold, nearest first.
            """)

    @Argument(help: "The incident file, or an archive index folder (its day files within --from/--to).") var incident: String
    @Option(help: "Plate text or pattern, e.g. BKN-12? or *KN1*.") var plate: String?
    @Option(help: "A photo of the person.") var face: String?
    @Option(help: "Face distance threshold.") var threshold: Float = FaceEngine.samePersonThreshold
    @Option(help: "Most face matches to list.") var top: Int = 10
    @Flag(help: "Exact and wildcard matches only (no near misses).") var exact = false
    @OptionGroup var filters: FilterOptions
    @Flag(help: "One JSON object per hit per line.") var json = false
    @Flag(help: "CSV with a header line.") var csv = false
    @Option(help: "Model directory (for --face).") var models: String?

    func validate() throws {
        guard (plate == nil) != (face == nil) else { throw ValidationError("give exactly one of --plate or --face") }
        guard !(json && csv) else { throw ValidationError("choose --json or --csv, not both") }
        guard top > 0, top <= 10_000 else { throw ValidationError("--top must be 1–10000") }
    }

    func run() throws {
        try reportingFailure {
            let filter = try filters.filter(scope: incident)
            let targets = try searchTargets(incident, from: filter.from, to: filter.to)
            let query = try face.map { try FaceEngine(models: ModelStore(directory: models)).singleFace(in: $0, largest: true, upsample: 1) }
            // Day files are searched in parallel; rows come back in day order.
            var rows = try inParallel(targets) { (day, store) -> [[String: Any]] in
                let zone = store.config.zone
                var found: [[String: Any]] = []
                if let plate {
                    let hits = try store.searchPlates(try PlatePattern(plate), filter: filter, fuzzy: !exact)
                    let wanted = try store.watchlistLabels(sightings: hits.map(\.sightingID))
                    found = hits.map { h in
                        ["watchlist": wanted[h.sightingID] ?? "", "sighting_id": h.sightingID, "camera": h.camera, "site": h.site, "zone": h.zone,
                         "time_local": h.firstUTC.map { isoTime($0, zone) } ?? "", "time_utc": h.firstUTC.map { isoTime($0, .gmt) } ?? "",
                         "text": h.text, "display": h.display, "matched": h.matched, "match": h.match, "distance": h.distance,
                         "confidence": h.confidence, "file": h.file, "pts": h.pts, "reads": h.reads]
                    }
                } else if let query {
                    let hits = try store.searchFaces(query.embedding, threshold: threshold, top: top, filter: filter)
                    let wanted = try store.watchlistLabels(faceTracks: hits.map(\.faceTrackID))
                    found = hits.map { h in
                        ["watchlist": wanted[h.faceTrackID] ?? "", "face_track_id": h.faceTrackID, "camera": h.camera, "site": h.site, "zone": h.zone,
                         "time_local": h.firstUTC.map { isoTime($0, zone) } ?? "", "time_utc": h.firstUTC.map { isoTime($0, .gmt) } ?? "",
                         "distance": h.distance, "confidence": h.confidence, "quality": h.quality, "junk": h.junk, "file": h.file, "pts": h.pts]
                    }
                }
                return found.map { r in var r = r; if let day { r["day"] = day }; return r }
            }.flatMap { $0 }
            if targets.count > 1 {
                // One ranking over every day: exact and wildcard matches first, then by distance, then in time order.
                func rank(_ r: [String: Any]) -> Int { (r["match"] as? String).map { $0 == "fuzzy" ? 1 : 0 } ?? 0 }
                rows.sort { (rank($0), $0["distance"] as? Double ?? 0, $0["time_utc"] as? String ?? "") < (rank($1), $1["distance"] as? Double ?? 0, $1["time_utc"] as? String ?? "") }
                if face != nil { rows = Array(rows.prefix(top)) }
            }
            let columns = plate != nil
                ? ["sighting_id", "camera", "time_local", "time_utc", "display", "matched", "match", "distance", "confidence", "file", "pts", "watchlist"]
                : ["face_track_id", "camera", "time_local", "time_utc", "distance", "confidence", "quality", "file", "pts", "watchlist"]
            let shown = ArchiveIndex.isIndex(incident) ? ["day"] + columns : columns
            printRows(rows, columns: shown, format: json ? .json : csv ? .csv : .table)
        }
    }
}

/// Prints dictionaries as an aligned table, JSON lines or CSV.
func printRows(_ rows: [[String: Any]], columns: [String], format: OutputFormat) {
    func text(_ v: Any?) -> String {
        switch v {
        case let d as Double:
            // Up to 3 decimals, trailing zeros trimmed: 57, 56.5, 0.777.
            var t = String(format: "%.3f", d)
            while t.hasSuffix("0") { t.removeLast() }
            if t.hasSuffix(".") { t.removeLast() }
            return t
        case let b as Bool: return b ? "true" : "false"
        case nil: return ""
        default: return "\(v!)"
        }
    }
    switch format {
    case .json:
        for r in rows {
            if let data = try? JSONSerialization.data(withJSONObject: r, options: [.sortedKeys, .withoutEscapingSlashes]) {
                print(String(decoding: data, as: UTF8.self))
            }
        }
    case .csv:
        func quote(_ s: String) -> String { s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        print(columns.joined(separator: ","))
        for r in rows { print(columns.map { quote(text(r[$0])) }.joined(separator: ",")) }
    case .table:
        if rows.isEmpty { print("no matches"); return }
        let cells = rows.map { r in columns.map { text(r[$0]) } }
        let widths = columns.indices.map { i in max(columns[i].count, cells.map { $0[i].count }.max() ?? 0) }
        func line(_ v: [String]) -> String { zip(v, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ") }
        print(line(columns))
        cells.forEach { print(line($0)) }
    }
}
