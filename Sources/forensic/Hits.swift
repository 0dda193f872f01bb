import ArgumentParser
import Foundation
import IncidentStore
import Nightly
import RecognitionKit
import Watchlists

struct Hits: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watchlist hits in an incident: who or which plate, where, when, how close; in time order.",
        discussion: """
            Hits are found by `index` when it is given a watchlist (--watchlist or $FORENSIC_WATCHLIST). With --watchlist \
            here, files not yet checked against the lists as they stand are checked first; --recheck checks every file \
            again (after the lists changed, without re-indexing). --zone hospital answers "wanted people seen at hospitals".
            """)

    @Argument(help: "The incident file, or an archive index folder (its day files within --from/--to).") var incident: String
    @Option(help: "Only hits of this list.") var list: String?
    @OptionGroup var filters: FilterOptions
    @Option(name: .customLong("watchlist"), help: "Check against this watchlist file first.") var watchlistFile: String?
    @Flag(help: "Check every indexed file again (needs a watchlist).") var recheck = false
    @Option(help: "Face distance at or under which a track is the enrolled person.") var threshold: Float = FaceEngine.samePersonThreshold
    @Option(help: "Write each hit's plate crop or face (JPEG) into this folder; the still column names it.") var stills: String?
    @Flag(help: "One JSON object per hit per line.") var json = false
    @Flag(help: "CSV with a header line.") var csv = false

    func validate() throws {
        guard !(json && csv) else { throw ValidationError("choose --json or --csv, not both") }
        guard (0.1...1.2).contains(threshold) else { throw ValidationError("--threshold must be 0.1–1.2") }
    }

    func run() throws {
        try reportingFailure {
            let filter = try filters.filter(scope: incident)
            let chosen = watchlistFile ?? (recheck ? Watchlist.defaultPath() : nil)
            // Listing hits only reads; checking against a watchlist writes the hits it finds.
            let targets = try searchTargets(incident, from: filter.from, to: filter.to, mode: chosen == nil ? .readOnly : .readWrite)
            if let chosen {
                let watchlist = try Watchlist(path: chosen)
                for (_, store) in targets {
                    let summary = try watchlist.check(store, recheck: recheck, faceThreshold: threshold)
                    try store.settle()
                    if !json && !csv && isatty(STDERR_FILENO) != 0 {
                        reportError("checked \(summary.files) files of \(store.path) against \(chosen): \(summary.plateHits) plate hits, \(summary.faceHits) face hits")
                    }
                }
            }
            if let stills { try FileManager.default.createDirectory(atPath: stills, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
            var rows: [[String: Any]] = []
            for (day, store) in targets {
                let zone = store.config.zone
                rows += try store.hits(filter: filter, list: list, stills: stills != nil).map { h in
                    var still = ""
                    if let stills, let data = h.still {
                        still = (stills as NSString).appendingPathComponent((day.map { "\($0)-" } ?? "") + "hit-\(h.id).jpg")
                        guard FileManager.default.createFile(atPath: still, contents: data, attributes: [.posixPermissions: 0o600]) else {
                            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: still])
                        }
                    }
                    var row: [String: Any] = [
                        "hit_id": h.id, "list": h.list, "entry": h.entry, "name": h.name, "kind": h.kind, "match": h.match,
                        "matched": h.matched, "distance": h.distance, "seen": h.seen ?? "", "camera": h.camera, "site": h.site, "zone": h.zone,
                        "time_local": h.firstUTC.map { isoTime($0, zone) } ?? "", "time_utc": h.firstUTC.map { isoTime($0, .gmt) } ?? "",
                        "file": h.file, "pts": h.pts, "still": still, "watchlist": h.watchlist]
                    if let q = h.quality { row["quality"] = q }
                    if let id = h.sightingID { row["sighting_id"] = id }
                    if let id = h.faceTrackID { row["face_track_id"] = id }
                    if let day { row["day"] = day }
                    return row
                }
            }
            printRows(rows, columns: (ArchiveIndex.isIndex(incident) ? ["day"] : []) + ["hit_id", "list", "entry", "name", "kind", "match", "distance", "seen", "camera", "site", "time_local", "file", "pts"]
                      + (stills == nil ? [] : ["still"]), format: json ? .json : csv ? .csv : .table)
        }
    }
}
