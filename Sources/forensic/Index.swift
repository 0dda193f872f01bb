import ArgumentParser
import Foundation
import Synchronization
import IncidentStore
import Investigation
import Indexing
import Nightly
import RecognitionKit
import Watchlists

struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Catalogue and index an incident's footage: plates and faces into the incident file.",
        discussion: """
            Idempotent and resumable: files already indexed with the same models and settings are skipped; \
            a killed run leaves finished files saved and the rest pending. One run per incident at a time \
            (exit 3 if another holds the lock). Shows progress on a terminal; silent otherwise unless --json. \
            Exit 0 when every file indexed, 2 when some failed (each named on stderr), 4 when SIGTERM or \
            SIGINT stopped it (files in progress are dropped, not half-saved; run again to finish).
            """)

    @Argument(help: "The incident file.") var incident: String
    @Flag(help: "Read plates (default: plates and faces).") var plates = false
    @Flag(help: "Find faces (default: plates and faces).") var faces = false
    @Option(help: "Files processed in parallel.") var workers: Int = 2
    @Option(help: "Seconds between sampled frames.") var every: Double = 1
    @Option(name: .customLong("face-detector"), help: "centerface (faces from ~20 px at 1080p), hog (from ~80 px; cheaper with no faces about) or mmod.")
    var faceDetector = RecognitionDefaults.faceDetector
    @Option(name: .customLong("face-detector-size"), help: "CenterFace: longer side the searched picture is scaled down to (320–4096).")
    var faceDetectorSize = RecognitionDefaults.faceDetectorSize
    @Option(name: .customLong("face-upsample"), help: "HOG/MMOD: image doublings for face detection (0 finds faces from ~80 px; 1 from ~40 px, 4x slower).")
    var faceUpsample: Int = 0
    @Flag(name: .customLong("all-frames"), help: "Decode every frame (default: reference frames only, about half the decoding).")
    var allFrames = false
    @Flag(name: .customLong("decode-quiet-gops"), help: "Decode every GOP whole (default: a GOP whose packet sizes show a still scene is looked at through its keyframe only).")
    var decodeQuietGOPs = false
    @Option(help: "Plate detector: text or platedet.") var detector = RecognitionDefaults.plateDetector
    @Option(name: .customLong("detector-size"), help: detectorSizeHelp) var detectorSize = RecognitionDefaults.plateDetectorSize
    @Option(help: ocrHelp) var ocr = RecognitionDefaults.plateOCR
    @Option(help: regionHelp) var region = RecognitionDefaults.plateRegion
    @Option(help: precisionHelp)
    var precision = RecognitionDefaults.precision
    @Option(name: .customLong("model-threads"), help: "CPU threads per model inference (default: the cores shared out among the files analysed at once).")
    var modelThreads: Int?
    @Flag(name: .customLong("read-every-look"), help: "Read a plate at every sampled frame (default: a tracked plate's read is reused once two sure reads agree).")
    var readEveryLook = false
    @Flag(name: .customLong("describe-every-look"), help: "Describe a face at every sampled frame (default: a tracked face's descriptor is reused once two descriptors agree).")
    var describeEveryLook = false
    @Flag(name: .customLong("cascade"), help: "Between full looks, seek plates only around what a quarter-pixel glance of the text detector glimpsed (and where plates were a look ago), faces only inside the people a person detector found; the people are stored (default: every look a full look).")
    var cascade = false
    @Option(name: .customLong("full-look-every"), help: "With the cascade: seconds between full looks, which find the plates too small to glimpse and the faces of people the detector missed.")
    var fullLookEvery: Double = IndexOptions().fullLookEvery
    @Option(name: .customLong("plate-glance"), help: "With the cascade: the scale of the plate glance as a fraction of the text detector's (0.1–1; lower is cheaper and misses more plates until the next full look).")
    var plateGlance: Double = IndexOptions().plateGlance
    @Option(name: .customLong("watchlist"), help: "Check what is indexed against this watchlist file (default: $FORENSIC_WATCHLIST when set).")
    var watchlistFile: String?
    @Option(help: "Take the results of files a nightly archive index already holds (same bytes, same settings) from its day files instead of decoding them again (default: the index given to `incident create --reuse`).")
    var reuse: String?
    @Option(help: "Model directory.") var models: String?
    @OptionGroup var output: JSONOutput

    func validate() throws {
        guard workers >= 1, workers <= 64 else { throw ValidationError("--workers must be 1–64") }
        guard every > 0 else { throw ValidationError("--every must be positive") }
        guard fullLookEvery > 0 else { throw ValidationError("--full-look-every must be positive") }
        guard (0.1...1).contains(plateGlance) else { throw ValidationError("--plate-glance must be 0.1–1") }
        if let t = modelThreads, !(1...256).contains(t) { throw ValidationError("--model-threads must be 1–256") }
        guard (0...2).contains(faceUpsample) else { throw ValidationError("--face-upsample must be 0–2") }
        guard (320...4096).contains(faceDetectorSize) else { throw ValidationError("--face-detector-size must be 320–4096") }
        try validateDetectorSize(detectorSize)
    }

    func run() throws {
        let lock = try FileLock.holding(incident: incident)
        defer { lock.release() }
        var options = IndexOptions()
        options.plates = plates || !faces
        options.faces = faces || !plates
        options.workers = workers
        options.every = every
        options.plateDetector = detector
        options.plateDetectorSize = detectorSize
        options.precision = precision
        options.plateTracking = !readEveryLook
        options.faceTracking = !describeEveryLook
        options.cascade = cascade
        options.fullLookEvery = fullLookEvery
        options.plateGlance = plateGlance
        options.modelThreads = modelThreads
        options.plateOCR = ocr
        options.plateRegion = region
        options.faceUpsample = faceUpsample
        options.faceDetector = faceDetector
        options.faceDetectorSize = faceDetectorSize
        options.referenceFramesOnly = !allFrames
        options.skipQuietGOPs = !decodeQuietGOPs
        // A watchlist that cannot be opened stops the run before any work.
        let watchlist = try reportingFailure {
            try Watchlist.chosen(watchlistFile)
        }
        var hits: HitCheckSummary?
        let summary = try reportingFailure {
            let store = try Incident(path: incident)
            let indexer = try Indexer(incident: store, options: options, models: ModelStore(directory: models))
            let archiveIndex = try (reuse ?? store.defaultReuseIndex()).map { try ArchiveIndex(path: $0) }
            let reusedDays = try archiveIndex?.days(from: store.config.from, to: store.config.to) ?? []
            if let archiveIndex {
                indexer.reuseSources = reusedDays.map { archiveIndex.dayPath($0) }
                try archiveIndex.recordReference(incident: incident, days: reusedDays)
            }
            let stop = indexer.stop
            let signals = onStopSignals { _ in stop.request() }
            defer { signals.forEach { $0.cancel() } }
            let bar = ProgressBar()
            defer { bar.finish() }
            do {
                let summary = try indexer.run { bar.update($0) }
                if let watchlist, !summary.interrupted, summary.storageFailure == nil {
                    hits = try checkAgainst(watchlist, [store]).first
                }
                if summary.storageFailure == nil { try store.settle() }
                return summary
            } catch where isStorageFailure(error) {
                throw StoreError(file: incident, reason: "cannot write the incident (\(error)); nothing indexed is lost: free space or fix the folder, then run again")
            }
        }
        for e in summary.errors { reportError(e) }
        for f in summary.noTime { reportError("\(f): no start time (path does not fit the layout and no creation_time); not indexed") }
        for e in summary.integrity { reportError("integrity: \(e)") }
        if output.isJSON {
            print(jsonText(IndexReport(summary: summary, watchlist: hits), pretty: output.json))
        } else if isatty(STDOUT_FILENO) != 0 {
            print(String(format: "indexed %d files (%.1f min of footage; %d reused from the archive index) in %.1f s: %d plate sightings, %d face tracks; %d failed, %d new in catalogue%@",
                         summary.indexed, summary.footageSeconds / 60, summary.reused, summary.wallSeconds, summary.sightings, summary.faceTracks,
                         summary.failed, summary.catalogued,
                         summary.stillWriting.isEmpty ? "" : "; \(summary.stillWriting.count) still being written, left for the next run"))
            if let hits { print("watchlist: \(hits.plateHits) plate hits, \(hits.faceHits) face hits in the incident (forensic hits \(incident))") }
        }
        if let why = summary.storageFailure {
            reportError("\(incident): cannot write the incident (\(why)); \(summary.indexed) files saved, \(summary.pending) left pending: free space or fix the folder, then run again")
            throw ExitCode.failure
        }
        if summary.interrupted {
            reportError("\(incident): interrupted by a signal after \(summary.indexed) files; \(summary.pending) left pending for the next run")
            throw ExitStatus.interrupted
        }
        if summary.failed > 0 || !summary.noTime.isEmpty || !summary.integrity.isEmpty { throw ExitStatus.someInputsFailed }
    }
}

/// An exclusive advisory lock (flock) so cron never runs two indexers, or an indexer and a
/// merge, on one incident.
final class FileLock {
    /// The incident's lock, or a one-line report of who holds it and exit 3.
    static func holding(incident: String) throws -> FileLock {
        do { return try FileLock(path: incident + ".lock") } catch {
            reportError(error)
            throw ExitCode(3)
        }
    }


    private let fd: Int32
    init(path: String) throws {
        fd = open(path, O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else { throw StoreErrorText("\(path): cannot create lock file: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StoreErrorText("\(path): another index or merge run holds this incident's lock; try again when it finishes")
        }
    }
    func release() { flock(fd, LOCK_UN); close(fd) }
}

struct StoreErrorText: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A one-line progress bar on stderr, only when stderr is a terminal (cron stays quiet).
final class ProgressBar: Sendable {
    private let enabled = isatty(STDERR_FILENO) != 0
    /// One line at a time: workers report from their own threads.
    private let writing = Mutex(())

    func update(_ p: IndexProgress) {
        guard enabled else { return }
        writing.withLock { _ in draw(p) }
    }

    private func draw(_ p: IndexProgress) {
        let frac = p.filesTotal == 0 ? 1 : Double(p.filesDone) / Double(p.filesTotal)
        let filled = Int(frac * 30)
        let eta = p.eta.map { String(format: "ETA %d:%02d", Int($0) / 60, Int($0) % 60) } ?? "ETA --:--"
        let line = String(format: "\r[%@%@] %d/%d files, %.2f/%.2f h footage, %@ ", String(repeating: "#", count: filled),
                          String(repeating: ".", count: 30 - filled), p.filesDone, p.filesTotal, p.footageDone / 3600, p.footageTotal / 3600, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

/// `index --json`: the run summary, plus `watchlist` (what checking it found) when one was given.
struct IndexReport: Encodable {
    let summary: IndexSummary
    let watchlist: HitCheckSummary?
    enum Keys: String, CodingKey { case watchlist }
    func encode(to encoder: Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encodeIfPresent(watchlist, forKey: .watchlist)
    }
}
