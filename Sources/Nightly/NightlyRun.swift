import Foundation
import IncidentStore
import Indexing
import RecognitionKit
import VideoDecode

/// What one nightly run did: the line `--json` prints and `nightly.log.jsonl` keeps.
public struct NightlyReport: Codable, Sendable {
    public var started: String
    public var finished = ""
    public var wallSeconds = 0.0
    public var shard: String?
    /// Days that had new work, and every day file touched.
    public var days: [String] = []
    public var filesSeen = 0
    public var filesIndexed = 0
    public var footageHours = 0.0
    public var sightings = 0
    public var faceTracks = 0
    public var failed = 0
    public var failures: [String] = []
    /// Files younger than the settle time or still growing: left for the next run.
    public var waiting = 0
    public var noTime: [String] = []
    public var integrity: [String] = []
    public var interrupted = false
    /// Day files removed by the retention policy (`--keep`), and days past it kept because an
    /// incident reused them.
    public var pruned: [String] = []
    public var keptForIncidents: [String] = []
    /// done | some_failed | interrupted | failed
    public var status = "done"

    enum CodingKeys: String, CodingKey {
        case started, finished, shard, days, sightings, failed, failures, waiting, integrity, interrupted, status, pruned
        case wallSeconds = "wall_seconds", filesSeen = "files_seen", filesIndexed = "files_indexed", footageHours = "footage_hours"
        case faceTracks = "face_tracks", noTime = "no_time", keptForIncidents = "kept_for_incidents"
    }
}

public struct NightlyOptions: Sendable {
    /// Only footage of this local day and later.
    public var since: String?
    /// Minutes since a file was last modified before it is indexed.
    public var settleMinutes = 10.0
    public var shard: Shard?
    public var workers = 2
    public var models: String?
    /// Retention: keep the day files of the last this many days (today included); older ones are
    /// removed after the run and their footage is not indexed. Nil keeps every day.
    public var keepDays: Int?
    public init() {}
}

/// Catalogues the archive, puts each file in the day file of its local start day, and indexes
/// what is new, day by day. Every file is saved in one transaction (the indexer's), day files are
/// created by rename, so a killed run is completed by the next with nothing lost or doubled.
public final class NightlyRun: Sendable {
    public let index: ArchiveIndex
    public let options: NightlyOptions
    /// Shared with each day's indexer: a stop reaches the files in flight.
    public let stop = StopRequest()

    public init(index: ArchiveIndex, options: NightlyOptions) {
        self.index = index
        self.options = options
    }

    /// Stops after the files in flight (SIGTERM): they are dropped, not half-saved.
    public func requestStop() { stop.request() }

    public func run(progress: (@Sendable (String, IndexProgress) -> Void)? = nil) throws -> NightlyReport {
        let started = Date()
        var report = NightlyReport(started: isoTime(started, TimeZone(identifier: "UTC")!))
        report.shard = options.shard?.description
        // The first day the retention policy keeps: footage before it is neither indexed nor kept.
        let firstKept = options.keepDays.map { index.day(of: started.addingTimeInterval(-Double($0 - 1) * 86_400)) }
        let byDay = try catalogue(&report, since: [options.since, firstKept].compactMap { $0 }.max())
        var settings = index.manifest.settings
        settings.workers = options.workers
        for (day, files) in byDay.sorted(by: { $0.key < $1.key }) {
            if stop.requested { break }
            let incident = try index.dayFile(day, shard: options.shard)
            report.integrity += try vanished(incident)
            let indexer = try Indexer(incident: incident, options: settings, models: ModelStore(directory: options.models), stop: stop)
            indexer.catalogued = files
            let summary = try indexer.run { p in progress?(day, p) }
            if summary.storageFailure == nil { try incident.settle() }
            if summary.indexed > 0 || summary.failed > 0 || !summary.integrity.isEmpty { report.days.append(day) }
            report.filesIndexed += summary.indexed
            report.footageHours += summary.footageSeconds / 3600
            report.sightings += summary.sightings
            report.faceTracks += summary.faceTracks
            report.failed += summary.failed
            report.failures += summary.errors
            report.integrity += summary.integrity
            report.waiting += summary.stillWriting.count
            report.noTime += summary.noTime
            if let storage = summary.storageFailure { throw StoreError(file: incident.path, reason: "cannot write the day file (\(storage))") }
            if summary.interrupted { report.interrupted = true; break }
        }
        // Days with nothing new are still checked for footage that vanished after indexing (not days
        // past the retention policy: their footage going is expected, and they go now too).
        if options.shard == nil, !stop.requested {
            for day in try index.days() where byDay[day] == nil && firstKept.map({ day >= $0 }) ?? true {
                report.integrity += try vanished(try index.dayFile(day))
            }
        }
        if let firstKept, options.shard == nil, !stop.requested {
            let (removed, refused) = try index.prune(before: firstKept, force: false)
            report.pruned = removed
            report.keptForIncidents = refused.keys.sorted()
        }
        report.interrupted = report.interrupted || stop.requested
        report.status = report.interrupted ? "interrupted" : (report.failed > 0 || !report.integrity.isEmpty || !report.noTime.isEmpty) ? "some_failed" : "done"
        report.finished = isoTime(Date(), TimeZone(identifier: "UTC")!)
        report.wallSeconds = (Date().timeIntervalSince(started) * 10).rounded() / 10
        report.footageHours = (report.footageHours * 1000).rounded() / 1000
        try appendLog(report)
        return report
    }

    /// The archive's files by local start day (`Catalogue.classify`: the path's time when the
    /// layout gives one, else the container's creation_time), walked and probed once. Files of
    /// days before `since` (`--since`, or the retention policy's first day) or of other shards are left out; files too young (modified within the
    /// settle time) or still growing are counted as waiting.
    func catalogue(_ report: inout NightlyReport, since: String?) throws -> [String: [CatalogueEntry]] {
        let root = try Catalogue.archiveRoot(index.manifest.archive)
        let rules = Catalogue.Rules(root: root, layout: try ArchiveLayout(index.manifest.layout, timeZone: index.zone),
                                    cameras: Set(index.cameras.map(\.id)), shard: options.shard, settle: options.settleMinutes * 60)
        let now = Date().timeIntervalSince1970
        var byDay: [String: [CatalogueEntry]] = [:]
        for (rel, size) in try Catalogue.walk(root).sorted(by: { $0.0 < $1.0 }) {
            let verdict = Catalogue.classify(rel, size: size, rules, now: now)
            if case .otherCamera = verdict { continue }
            if case .otherShard = verdict { continue }
            report.filesSeen += 1
            switch verdict {
            case .stillWriting: report.waiting += 1
            case .entry(let e):
                guard let start = e.start else {
                    report.noTime.append("\(rel): no start time (path does not fit the layout and no creation_time)")
                    continue
                }
                let day = index.day(of: start)
                if let since, day < since { continue }
                byDay[day, default: []].append(e)
            default: continue
            }
        }
        return byDay
    }

    /// Indexed files of a day file that are gone from the archive: an integrity event, audited
    /// once; their results stay.
    func vanished(_ incident: Incident) throws -> [String] {
        let root = URL(fileURLWithPath: index.manifest.archive)
        var events: [String] = []
        let indexed = try incident.indexedFilePaths()
        for path in indexed where !FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path) {
            let message = "\(path): vanished from the archive after it was indexed; its results are kept"
            events.append(message)
            try incident.recordIntegrityEvent(message)
        }
        return events
    }

    func appendLog(_ report: NightlyReport) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = try encoder.encode(report) + Data("\n".utf8)
        let path = options.shard.map { index.folder.appendingPathComponent("nightly.shard-\($0.index)-of-\($0.count).log.jsonl").path } ?? index.logPath
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw StoreError(file: path, reason: "cannot append to the run log") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }
}
