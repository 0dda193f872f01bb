import ArgumentParser
import Foundation
import IncidentStore
import Investigation
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
    @OptionGroup var output: JSONOutput
    @Flag(help: "CSV with a header line.") var csv = false

    func validate() throws {
        guard !(output.isJSON && csv) else { throw ValidationError("choose JSON or --csv, not both") }
        guard (0.1...1.2).contains(threshold) else { throw ValidationError("--threshold must be 0.1–1.2") }
    }

    func run() throws {
        try reportingFailure {
            let chosen = watchlistFile ?? (recheck ? Watchlist.defaultPath() : nil)
            // Listing hits only reads; checking against a watchlist writes the hits it finds.
            let scope = try Scope(path: incident, mode: chosen == nil ? .readOnly : .readWrite)
            let filter = try filters.filter(in: scope)
            if let chosen {
                for summary in try scope.checkWatchlist(try Watchlist(path: chosen), recheck: recheck, faceThreshold: threshold, filter: filter)
                where !output.isJSON && !csv && isatty(STDERR_FILENO) != 0 {
                    reportError("checked \(summary.files) files against \(chosen): \(summary.plateHits) plate hits, \(summary.faceHits) face hits")
                }
            }
            var hits = try scope.hits(filter: filter, list: list, stills: stills != nil)
            if let stills {
                try FileManager.default.createDirectory(atPath: stills, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                for i in hits.indices {
                    guard let data = hits[i].stillData else { continue }
                    let path = (stills as NSString).appendingPathComponent((hits[i].at.day.map { "\($0)-" } ?? "") + "hit-\(hits[i].id).jpg")
                    guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                        throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
                    }
                    hits[i].still = path
                }
            }
            printRows(hits, columns: (scope.isArchiveIndex ? ["day"] : []) + ["id", "list", "entry", "name", "kind", "match", "distance", "seen", "camera", "site", "time_local", "file", "pts"]
                      + (stills == nil ? [] : ["still"]), output: output, csv: csv)
        }
    }
}
