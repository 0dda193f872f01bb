import Foundation
import IncidentStore
import Indexing

/// The city's searchable memory: a folder of day files, one per local day of footage
/// (`2026-11-20.forensic`, an incident whose window is that day, all cameras), plus
/// `index.json` (archive, layout, time zone, settings), `cameras.csv` (the registry as copied
/// at creation), `nightly.log.jsonl` (one object per run) and `shards/` (per-task day files of a
/// cluster run, until merged). Everything that works on an incident works on a day file.
public final class ArchiveIndex: Sendable {
    public struct Manifest: Codable, Sendable, Equatable {
        public var format = "forensic-archive-index"
        public var version = 1
        public var archive: String
        public var layout: String
        public var timeZone: String
        public var settings: IndexOptions
        public var created: String
        public var createdBy: String
        enum CodingKeys: String, CodingKey {
            case format, version, archive, layout, settings, created
            case timeZone = "time_zone", createdBy = "created_by"
        }
    }

    public let folder: URL
    public let manifest: Manifest
    public let cameras: [Camera]

    public var zone: TimeZone { TimeZone(identifier: manifest.timeZone) ?? TimeZone(identifier: "UTC")! }
    public var logPath: String { folder.appendingPathComponent("nightly.log.jsonl").path }
    /// The run's lock: one nightly run (or merge, or prune) per index; each shard task has its own.
    public func lockPath(shard: Shard? = nil) -> String {
        folder.appendingPathComponent(shard.map { "nightly.shard-\($0.index)-of-\($0.count).lock" } ?? "nightly.lock").path
    }
    public var shardFolder: URL { folder.appendingPathComponent("shards") }

    /// Whether `path` is an archive index folder.
    public static func isIndex(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: URL(fileURLWithPath: path).appendingPathComponent("index.json").path)
    }

    /// Creates the folder (0700: its day files hold biometric data) with its manifest and registry.
    public static func create(at path: String, archive: String, camerasFile: String, layout: String, timeZone: String,
                              settings: IndexOptions) throws -> ArchiveIndex {
        let folder = URL(fileURLWithPath: path)
        guard !isIndex(path) else { throw StoreError(file: path, reason: "is already an archive index") }
        guard TimeZone(identifier: timeZone) != nil else { throw StoreError(file: path, reason: "unknown time zone \(timeZone)") }
        _ = try ArchiveLayout(layout, timeZone: TimeZone(identifier: timeZone)!)
        _ = try CameraRegistry.load(camerasFile)   // a registry that cannot be read stops here, before anything is written
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: archive, isDirectory: &isDir), isDir.boolValue else {
            throw StoreError(file: archive, reason: "archive folder not found")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.copyItem(atPath: camerasFile, toPath: folder.appendingPathComponent("cameras.csv").path)
        let manifest = Manifest(archive: URL(fileURLWithPath: archive).standardizedFileURL.path, layout: layout, timeZone: timeZone,
                                settings: settings, created: isoTime(Date(), TimeZone(identifier: "UTC")!), createdBy: Incident.currentUser)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Written last, by rename: a folder without index.json is not an index yet.
        let tmp = folder.appendingPathComponent(".index.json.tmp")
        try encoder.encode(manifest).write(to: tmp)
        try FileManager.default.moveItem(at: tmp, to: folder.appendingPathComponent("index.json"))
        return try ArchiveIndex(path: path)
    }

    public init(path: String) throws {
        folder = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("index.json").path) else {
            throw StoreError(file: path, reason: "not an archive index (no index.json; the first nightly run creates it with --archive and --cameras-file)")
        }
        do { manifest = try JSONDecoder().decode(Manifest.self, from: data) } catch {
            throw StoreError(file: folder.appendingPathComponent("index.json").path, reason: "unreadable index manifest: \(error)")
        }
        cameras = try CameraRegistry.load(folder.appendingPathComponent("cameras.csv").path)
    }

    /// "YYYY-MM-DD" of `date` in the index's time zone.
    public func day(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// Local midnight starting `day`, and the next one.
    public func window(of day: String) -> (Date, Date)? {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              let end = calendar.date(byAdding: .day, value: 1, to: start) else { return nil }
        return (start, end)
    }

    public func dayPath(_ day: String, shard: Shard? = nil) -> String {
        guard let shard else { return folder.appendingPathComponent("\(day).forensic").path }
        return shardFolder.appendingPathComponent("\(day).shard-\(shard.index)-of-\(shard.count).forensic").path
    }

    /// The days with a day file, oldest first, within `from`–`to` when given (by the day's window).
    public func days(from: Date? = nil, to: Date? = nil) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".forensic") && $0.count == "YYYY-MM-DD.forensic".count }
            .map { String($0.dropLast(".forensic".count)) }
            .filter { day in
                guard let (start, end) = window(of: day) else { return false }
                return (from.map { end > $0 } ?? true) && (to.map { start <= $0 } ?? true)
            }
            .sorted()
    }

    /// The day files within `from`–`to`, opened in parallel (a query over 30 days pays ~3 ms an open).
    public func openDays(from: Date? = nil, to: Date? = nil, mode: Incident.AccessMode = .readOnly) throws -> [(day: String, incident: Incident)] {
        try inParallel(try days(from: from, to: to)) { ($0, try Incident(path: dayPath($0), mode: mode)) }
    }

    /// The day file of `day`, created when missing (under a temporary name, then renamed: a killed
    /// run never leaves half a day file).
    public func dayFile(_ day: String, shard: Shard? = nil) throws -> Incident {
        let path = dayPath(day, shard: shard)
        if FileManager.default.fileExists(atPath: path) { return try Incident(path: path) }
        guard let (start, end) = window(of: day) else { throw StoreError(file: path, reason: "not a day: \(day)") }
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let tmp = path + ".creating"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: tmp + suffix) }
        var config = IncidentConfig(name: "archive \(day)", from: start, to: end.addingTimeInterval(-0.001), timeZone: manifest.timeZone,
                                    archive: manifest.archive, layout: manifest.layout)
        config.shard = shard
        _ = try Incident.create(at: tmp, config: config, cameras: cameras)   // closed again before the rename
        try FileManager.default.moveItem(atPath: tmp, toPath: path)
        return try Incident(path: path)
    }
}

// Retention: day files go when the archive no longer keeps their footage; incidents that took
// results from a day are recorded so that pruning can name them (they copied what they reused,
// so pruning never breaks one, but an investigator may still want the day searchable).
extension ArchiveIndex {
    struct Reference: Codable { var incident: String; var days: [String] }

    var referenceFolder: URL { folder.appendingPathComponent("references") }

    /// Notes that `incident` reused results of `days`.
    public func recordReference(incident: String, days: [String]) throws {
        guard !days.isEmpty else { return }
        try FileManager.default.createDirectory(at: referenceFolder, withIntermediateDirectories: true)
        let absolute = URL(fileURLWithPath: incident).standardizedFileURL.path
        let name = Data(absolute.utf8).map { String(format: "%02x", $0) }.joined().suffix(64) + ".json"
        let url = referenceFolder.appendingPathComponent(String(name))
        var days = Set(days)
        if let old = try? JSONDecoder().decode(Reference.self, from: Data(contentsOf: url)) { days.formUnion(old.days) }
        try JSONEncoder().encode(Reference(incident: absolute, days: days.sorted())).write(to: url)
    }

    /// Incidents (still on disk) that reused each day.
    public func referencingIncidents() -> [String: [String]] {
        let files = (try? FileManager.default.contentsOfDirectory(at: referenceFolder, includingPropertiesForKeys: nil)) ?? []
        var out: [String: [String]] = [:]
        for f in files {
            guard let r = try? JSONDecoder().decode(Reference.self, from: Data(contentsOf: f)),
                  FileManager.default.fileExists(atPath: r.incident) else { continue }
            for d in r.days { out[d, default: []].append(r.incident) }
        }
        return out
    }

    /// Removes the day files of days before `day` (YYYY-MM-DD); days an incident reused are
    /// refused unless `force`. Returns what went and what was refused (with the incidents).
    public func prune(before day: String, force: Bool) throws -> (removed: [String], refused: [String: [String]]) {
        guard window(of: day) != nil else { throw StoreError(file: folder.path, reason: "--prune-before needs a day as YYYY-MM-DD, not \(day)") }
        let references = referencingIncidents()
        var removed: [String] = [], refused: [String: [String]] = [:]
        for d in try days() where d < day {
            if let incidents = references[d], !force { refused[d] = incidents; continue }
            removeIncidentFiles(dayPath(d))
            removed.append(d)
        }
        return (removed, refused)
    }

    /// Writes the plate-key summary of every day file whose summary is missing or stale (a plate
    /// search skips the days a current summary rules out); returns the days written. Run last by
    /// `nightly`, after everything that writes to the day files.
    @discardableResult
    public func refreshKeySummaries() throws -> [String] {
        try days().filter { day in
            guard !PlateKeySummary.isCurrent(dayPath(day)) else { return false }
            return try Incident(path: dayPath(day), mode: .readOnly).writePlateKeySummary()
        }
    }

    /// Folds finished shard day files (`shards/`) into the day files, one transaction per shard
    /// (Incident.merge: idempotent). A shard whose files are all indexed or failed is removed
    /// after its merge; one with pending files is kept for the next merge. Shards whose task
    /// `isRunning` says is still going are left alone.
    public func mergeShards(isRunning: (Shard) -> Bool) throws -> [MergeReport] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: shardFolder.path)) ?? [])
            .filter { $0.hasSuffix(".forensic") && $0.contains(".shard-") }.sorted()
        var reports: [MergeReport] = []
        for name in names {
            let day = String(name.prefix(10))
            let kn = name.dropFirst(day.count + ".shard-".count).dropLast(".forensic".count).components(separatedBy: "-of-")
            if kn.count == 2, let shard = Shard(index: Int(kn[0]) ?? -1, count: Int(kn[1]) ?? 0), isRunning(shard) { continue }
            let shardPath = shardFolder.appendingPathComponent(name).path
            let whole = try dayFile(day)
            let report = try whole.merge(shard: shardPath)
            try whole.settle()
            if report.merged > 0 { try whole.refreshFaceVectors() }
            reports.append(report)
            if report.pending == 0 {
                removeIncidentFiles(shardPath)
            }
        }
        return reports
    }
}

/// An incident file with its WAL, shared-memory, face-vector and lock files.
func removeIncidentFiles(_ path: String) {
    for suffix in ["", "-wal", "-shm", "-faces", "-faces.ivf", "-keys", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

/// `body` over every item at once (day files are independent SQLite files), results in order;
/// the first error is thrown. `body` runs on several threads: it must only read shared state.
public func inParallel<T, R>(_ items: [T], _ body: (T) throws -> R) throws -> [R] {
    guard items.count > 1 else { return try items.map(body) }
    return try withoutActuallyEscaping(body) { body in
        let work = ParallelWork(items, body)
        DispatchQueue.concurrentPerform(iterations: items.count) { work.run($0) }
        return try work.results.map { try $0!.get() }
    }
}

/// The items, the work and a slot per result, shared by `inParallel`'s threads (each writes its
/// own slot under the lock).
// Unchecked: items and body are only read; each result slot is written once, under the lock.
private final class ParallelWork<T, R>: @unchecked Sendable {
    let items: [T]
    let body: (T) throws -> R
    var results: [Result<R, Error>?]
    let lock = NSLock()

    init(_ items: [T], _ body: @escaping (T) throws -> R) {
        self.items = items; self.body = body
        results = Array(repeating: nil, count: items.count)
    }

    func run(_ i: Int) {
        let r = Result { try body(items[i]) }
        lock.lock(); results[i] = r; lock.unlock()
    }
}
