import ArgumentParser
import Foundation
import IncidentStore
import Investigation
import Indexing
import Nightly
import RecognitionKit
import Watchlists

struct NightlyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightly",
        abstract: "Index whatever new footage the archive holds into an archive index: one day file per local day, all cameras.",
        discussion: """
            The first run creates INDEX (needs --archive and --cameras-file); later runs need only INDEX. Idempotent and \
            resumable; one run per index (exit 3 when another holds the lock). Silent on success unless --summary or --json; \
            each run appends one JSON object to INDEX/nightly.log.jsonl. Exit 0 done, 2 some files failed or an integrity \
            event (each on stderr), 3 locked, 4 interrupted by SIGTERM/SIGINT (run again to finish), 1 could not run. \
            On a cluster, --shard K/N (or JOB_COMPLETION_INDEX with JOB_COMPLETIONS, or SLURM_ARRAY_TASK_ID with \
            SLURM_ARRAY_TASK_COUNT) indexes one share into INDEX/shards/; then `nightly INDEX --merge` folds the shards in.
            """)

    @Argument(help: "The archive index folder.") var index: String
    @Option(help: "Archive root (first run).") var archive: String?
    @Option(name: .customLong("cameras-file"), help: "Camera registry CSV (first run; copied into the index).") var camerasFile: String?
    @Option(help: "Archive path layout (first run).") var layout: String = ArchiveLayout.defaultTemplate
    @Option(help: "Time zone whose days the day files follow (first run).") var timezone: String = "Asia/Karachi"
    @Option(help: "Only footage of this local day (YYYY-MM-DD) and later.") var since: String?
    @Option(help: "Files indexed in parallel.") var workers: Int = 2
    @Option(help: "Minutes a file must be left unmodified before it is indexed (a recorder may still be writing it).") var settle: Double = 10
    @Option(help: "Index only share K of N (0-based) into INDEX/shards/.") var shard: String?
    @Flag(help: "Only create INDEX (before a cluster's shard tasks start).") var create = false
    @Flag(help: "Fold finished shard day files into the day files.") var merge = false
    @Option(name: .customLong("prune-before"), help: "Remove day files of days before YYYY-MM-DD (days an incident reused are refused without --force).")
    var pruneBefore: String?
    @Flag(help: "With --prune-before: remove days incidents reused too (they copied what they took).") var force = false
    @Option(help: "Retention: keep the day files of the last DAYS days (today included); older ones are removed after the run, except days an incident reused (logged), and older footage is not indexed.")
    var keep: Int?
    @Option(name: .customLong("watchlist"), help: "Check the day files indexed tonight against this watchlist file (default: $FORENSIC_WATCHLIST when set).")
    var watchlistFile: String?
    @Flag(help: "Print one summary line.") var summary = false
    @OptionGroup var output: JSONOutput
    @Option(help: "Model directory.") var models: String?
    @Option(help: ArgumentHelp(precisionText + " First run: the index keeps it; a later run naming another is refused.")) var precision: InferencePrecision?

    func validate() throws {
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be 1–64") }
        guard settle >= 0 else { throw ValidationError("--settle must be 0 or more minutes") }
        if let since, since.count != 10 || since.split(separator: "-").count != 3 { throw ValidationError("--since must be YYYY-MM-DD") }
        if let shard, Shard(parsing: shard) == nil { throw ValidationError("--shard must be K/N with 0 ≤ K < N") }
        if let keep, keep < 1 { throw ValidationError("--keep must be 1 or more days") }
    }

    /// --shard, else a Kubernetes Indexed Job's or a Slurm array's task variables.
    static func shard(_ flag: String?, environment: [String: String]) throws -> Shard? {
        if let flag { return Shard(parsing: flag) }
        for (k, n) in [("JOB_COMPLETION_INDEX", "JOB_COMPLETIONS"), ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT")] {
            guard let index = environment[k] else { continue }
            guard let count = environment[n], let s = Shard(index: Int(index) ?? -1, count: Int(count) ?? 0) else {
                throw StoreError(file: "environment", reason: "\(k)=\(index) needs \(n) (the number of tasks) set too, with \(k) below it")
            }
            return s
        }
        return nil
    }

    func run() throws {
        let (archiveIndex, share) = try reportingFailure { () -> (ArchiveIndex, Shard?) in
            let share = try Self.shard(shard, environment: ProcessInfo.processInfo.environment)
            if ArchiveIndex.isIndex(index) {
                let existing = try ArchiveIndex(path: index)
                if let archive, URL(fileURLWithPath: archive).standardizedFileURL.path != existing.manifest.archive {
                    throw StoreError(file: index, reason: "indexes \(existing.manifest.archive), not \(archive)")
                }
                if let precision, precision != existing.manifest.settings.precision {
                    throw StoreError(file: index, reason: "runs its models at \(existing.manifest.settings.precision.rawValue), fixed when it was created; not \(precision.rawValue)")
                }
                return (existing, share)
            }
            guard let archive, let camerasFile else {
                throw StoreError(file: index, reason: "not an archive index yet: the first run needs --archive and --cameras-file")
            }
            guard share == nil else {
                throw StoreError(file: index, reason: "not an archive index yet: create it once (nightly INDEX --archive … --cameras-file … --create) before the shard tasks start")
            }
            var settings = IndexOptions()
            settings.precision = precision ?? RecognitionDefaults.precision
            return (try ArchiveIndex.create(at: index, archive: archive, camerasFile: camerasFile, layout: layout, timeZone: timezone,
                                            settings: settings), share)
        }
        let lock: FileLock
        do { lock = try FileLock(path: archiveIndex.lockPath(shard: merge || pruneBefore != nil ? nil : share)) } catch {
            reportError("\(index): another nightly run, merge or prune holds this index's lock; try again when it finishes")
            throw ExitCode(3)
        }
        defer { lock.release() }
        if create { return }
        // A watchlist that cannot be opened stops the run before any work.
        let watchlist = try reportingFailure {
            try Watchlist.chosen(watchlistFile)
        }

        if let pruneBefore {
            let (removed, refused) = try reportingFailure { try archiveIndex.prune(before: pruneBefore, force: force) }
            for (day, incidents) in refused.sorted(by: { $0.key < $1.key }) {
                reportError("\(index): day \(day) kept: reused by \(incidents.joined(separator: ", ")) (--force removes it; those incidents keep their own copies)")
            }
            if output.isJSON { print(jsonText(["removed": removed, "refused": refused.keys.sorted()], pretty: output.json)) }
            else if summary { print("pruned \(removed.count) days before \(pruneBefore); \(refused.count) kept for incidents") }
            if !refused.isEmpty { throw ExitStatus.someInputsFailed }
            return
        }
        if merge {
            let reports = try reportingFailure {
                try archiveIndex.mergeShards { shard in
                    guard let held = try? FileLock(path: archiveIndex.lockPath(shard: shard)) else { return true }
                    held.release()
                    return false
                }
            }
            // Merged files are checked against the watchlist here (shard tasks do not check).
            if let watchlist {
                _ = try reportingFailure { try checkAgainst(watchlist, try archiveIndex.days().map { try archiveIndex.dayFile($0) }) }
            }
            _ = try reportingFailure { try archiveIndex.refreshKeySummaries() }
            if output.isJSON { printRows(reports, columns: [], output: output) }
            else if summary {
                print("merged \(reports.count) shard day files: \(reports.reduce(0) { $0 + $1.merged }) files, \(reports.reduce(0) { $0 + $1.pending }) still pending")
            }
            return
        }

        var options = NightlyOptions()
        options.since = since
        options.settleMinutes = settle
        options.shard = share
        options.workers = workers
        options.models = models
        options.keepDays = keep
        let nightly = NightlyRun(index: archiveIndex, options: options)
        let signals = onStopSignals { _ in nightly.requestStop() }
        defer { signals.forEach { $0.cancel() } }
        let bar = ProgressBar()
        let report = try reportingFailure {
            defer { bar.finish() }
            return try nightly.run { _, p in bar.update(p) }
        }
        var hits = (plates: 0, faces: 0)
        if let watchlist, !report.interrupted, share == nil {
            for checked in try reportingFailure({ try checkAgainst(watchlist, try report.days.map { try archiveIndex.dayFile($0) }) }) {
                hits.plates += checked.plateHits; hits.faces += checked.faceHits
            }
        }
        // Last, after every write to the day files: what plate searches skip by.
        if share == nil { _ = try reportingFailure { try archiveIndex.refreshKeySummaries() } }
        for f in report.failures { reportError(f) }
        for f in report.noTime { reportError(f) }
        for e in report.integrity { reportError("integrity: \(e)") }
        if output.isJSON {
            print(jsonText(report, pretty: output.json))
        } else if summary {
            print(String(format: "nightly %@: %d files indexed (%.2f h of footage) in %.0f s over %d days; %d sightings, %d face tracks; %d failed, %d waiting, %d integrity events",
                         index, report.filesIndexed, report.footageHours, report.wallSeconds, report.days.count, report.sightings,
                         report.faceTracks, report.failed, report.waiting, report.integrity.count)
                  + (watchlist == nil ? "" : "; watchlist hits in those days: \(hits.plates) plates, \(hits.faces) faces")
                  + (keep == nil ? "" : "; \(report.pruned.count) days pruned, \(report.keptForIncidents.count) past --keep kept for incidents"))
        }
        if report.interrupted { throw ExitStatus.interrupted }
        if report.status != "done" { throw ExitStatus.someInputsFailed }
    }
}
