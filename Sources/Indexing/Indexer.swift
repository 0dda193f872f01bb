import Crypto
import Foundation
import IncidentStore
import RecognitionKit
import VideoDecode

/// Settings of one indexing run; stored with the run so results can be traced and reproduced.
public struct IndexOptions: Sendable, Codable, Equatable {
    public var plates = true
    public var faces = true
    public var workers = 2
    /// Seconds between sampled frames: a vehicle crossing a view in 2–5 s is read 2–5 times.
    public var every = 1.0
    public var plateDetector: PlateDetectorKind = .text
    /// Longer side of the text detector's input, in pixels (see `PlateRecognizer.detectionMaxSide`).
    public var plateDetectorSize = 1280
    /// PP-OCR generation that finds and reads plate text.
    public var plateOCR: PlateOCRVersion = .v6
    /// Region whose plate formats may correct a read (`any`: none; reads are kept as read).
    public var plateRegion = "pk"
    /// CenterFace finds faces from ~10 px in what it is given; HOG from ~80 px (each upsampling
    /// halves that at ~4x the cost).
    public var faceDetector: FaceDetector = .centerface
    /// CenterFace: longer side the searched region is scaled down to (1280: a 1080p frame's faces
    /// from ~20 px wide, at about half the cost of full resolution).
    public var faceDetectorSize = 1280
    /// HOG and MMOD: image doublings before detection.
    public var faceUpsample = 0
    /// Decode only frames other frames reference (drops B-frames: about half the decode work).
    public var referenceFramesOnly = true
    /// Analyse a whole frame at least this often even if nothing moved (parked vehicles, people standing).
    public var fullFrameEvery = 10.0
    /// Decode only the keyframe of GOPs whose packet sizes show a still scene (see
    /// `DecodeOptions.skipQuietGOPs`).
    public var skipQuietGOPs = true
    /// Numeric precision of the OpenVINO models. f32 by default: the same numbers on every CPU
    /// (bf16 differs by CPU), and on CPUs with AVX-512 bf16 but no AMX it measured faster too.
    public var precision: InferencePrecision = .f32
    /// CPU threads each model inference may use (nil: the cores shared out among the files
    /// analysed at once). Does not change results.
    public var modelThreads: Int?
    /// Reuse a tracked plate's read once two sure reads agree (see `PlateTracker`).
    public var plateTracking = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case plates, faces, workers, every
        case plateDetector = "plate_detector", plateDetectorSize = "plate_detector_size", faceUpsample = "face_upsample", fullFrameEvery = "full_frame_every"
        case plateOCR = "plate_ocr", plateRegion = "plate_region"
        case faceDetector = "face_detector", faceDetectorSize = "face_detector_size"
        case referenceFramesOnly = "reference_frames_only", skipQuietGOPs = "skip_quiet_gops", plateTracking = "plate_tracking", precision, modelThreads = "model_threads"
    }
}

/// Progress of a run, for a terminal progress bar.
public struct IndexProgress: Sendable {
    public var filesDone: Int
    public var filesTotal: Int
    public var footageDone: Double
    public var footageTotal: Double
    public var elapsed: Double
    public var eta: Double? { footageDone > 0 ? elapsed * (footageTotal - footageDone) / footageDone : nil }
}

public struct IndexSummary: Sendable, Codable {
    public var catalogued = 0
    public var indexed = 0
    public var failed = 0
    /// Files in the archive outside the incident's cameras or time window.
    public var skipped = 0
    public var noTime: [String] = []
    public var errors: [String] = []
    public var footageSeconds = 0.0
    public var wallSeconds = 0.0
    public var sightings = 0
    public var faceTracks = 0
    /// A stop was requested (SIGTERM/SIGINT): the files in progress were dropped, not saved, and
    /// stay pending with the rest for the next run.
    public var interrupted = false
    /// Files left for a later run.
    public var pending = 0
    /// Files that changed while they were catalogued or indexed (still being written): left
    /// pending, picked up by a later run.
    public var stillWriting: [String] = []
    /// Indexed files found changed since (other size or SHA-256): audited, results kept.
    public var integrity: [String] = []
    /// Why the incident could not be written (disk full, read-only): the run stopped there and
    /// left the rest pending.
    public var storageFailure: String?
    /// Files whose results were taken from an archive index's day files (same bytes, same
    /// settings) instead of being decoded: counted in `indexed` too.
    public var reused = 0

    enum CodingKeys: String, CodingKey {
        case catalogued, indexed, failed, skipped, errors, sightings, interrupted, pending, integrity, reused
        case stillWriting = "still_writing", storageFailure = "storage_failure"
        case noTime = "no_time", footageSeconds = "footage_seconds", wallSeconds = "wall_seconds", faceTracks = "face_tracks"
    }
}

/// A request to stop, set from a signal handler and read by the workers.
public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    public init() {}
    public func request() { lock.lock(); flag = true; lock.unlock() }
    public var requested: Bool { lock.lock(); defer { lock.unlock() }; return flag }
}

/// Thrown inside a file's analysis when a stop was requested: the file is dropped, not failed.
struct StopRequested: Error {}

/// The file changed while it was analysed: dropped, left pending for a later run.
struct FileStillWriting: Error {}

/// The file's content differs from what was indexed under its path: results kept, event audited.
struct ContentChanged: Error { let message: String }

/// Catalogues and indexes an incident's footage. Each file is saved in one transaction, so a
/// killed run loses at most the files in flight; starting again finishes the rest. A requested
/// stop (`stop`) drops the files in flight the same way, and marks the run interrupted.
public final class Indexer: @unchecked Sendable {
    public let incident: Incident
    public let options: IndexOptions
    public let stop = StopRequest()
    /// Seconds without progress after which a file's analysis is abandoned (see `analyseGuarded`).
    public var stallLimit = 120.0
    /// Catalogue only these archive paths instead of walking the archive (nightly runs walk it once).
    public var catalogueOnly: [String]?
    /// Files modified less than this many seconds ago wait for a later run (a recorder may still write them).
    public var settle: TimeInterval = 0
    /// Incident files (nightly day files) whose results are taken for files indexed there from
    /// the same bytes with the same fingerprint, instead of decoding them again.
    public var reuseSources: [String] = []
    private let models: ModelStore
    private var plateModels: PlateModels?
    private var faceEngine: FaceEngine?
    private var modelThreads: Int

    public init(incident: Incident, options: IndexOptions, models: ModelStore = ModelStore()) throws {
        self.incident = incident
        self.options = options
        self.models = models
        modelThreads = options.modelThreads ?? Self.threadsPerWorker(options.workers)
        (plateModels, faceEngine) = try Self.load(models, options, threads: modelThreads)
    }

    /// The cores shared out among the files analysed at once: with as many files as cores each
    /// inference gets one; a single long file's inferences get them all.
    static func threadsPerWorker(_ workers: Int) -> Int {
        max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, workers))
    }

    private static func load(_ models: ModelStore, _ options: IndexOptions, threads: Int) throws -> (PlateModels?, FaceEngine?) {
        let plates = options.plates
            ? try PlateModels(store: models, detectors: [options.plateDetector], ocr: options.plateOCR, precision: options.precision,
                              grammar: try PlateGrammar.bundled().preferring(region: options.plateRegion), threads: threads) : nil
        let faces = options.faces
            ? try FaceEngine(models: models, loadMMOD: options.faceDetector == .mmod, loadCenterFace: options.faceDetector == .centerface,
                             precision: options.precision, threads: threads) : nil
        return (plates, faces)
    }

    /// Bumped when the code between models and results changes what is found (2: plate boxes
    /// follow the plate's panel; reads cut by the picture's edge support the whole read; 3:
    /// corrections only substitute, plate-like reads instead of box shapes, character-wise
    /// sighting votes; 4: CenterFace finds the faces, each moving part is looked at on its own at the
    /// whole frame's scale, a tracked plate is read until two sure reads agree), so an upgrade
    /// re-indexes what the old code produced.
    static let pipelineVersion = "pipeline-4"

    /// Models and settings that results depend on: a file indexed with another fingerprint is redone.
    public var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var o = options
        o.workers = 0   // parallelism does not change results
        o.modelThreads = nil
        let params = String(decoding: (try? encoder.encode(o)) ?? Data(), as: UTF8.self)
        let models = [plateModelFingerprint, faceEngine?.fingerprint].compactMap { $0 }.joined(separator: ",")
        return SHA256.hash(data: Data((params + models + Self.pipelineVersion).utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Files whose results a reuse source holds (same path, bytes and fingerprint) are copied from
    /// it; the rest are returned for analysis.
    private func reuse(_ files: [SourceFile], fingerprint: String, runID: Int64, into summary: inout IndexSummary) throws -> [SourceFile] {
        guard !reuseSources.isEmpty else { return files }
        let archive = URL(fileURLWithPath: incident.config.archive)
        let sources = try reuseSources.map { (path: $0, incident: try Incident(path: $0)) }
        return try files.filter { file in
            // Only a file some day file holds with these settings is worth hashing here (the rest are
            // hashed once, by their analysis).
            let holders = try sources.compactMap { s in try s.incident.indexedSHA256(path: file.path, fingerprint: fingerprint).map { (s.path, $0) } }
            guard !stop.requested, !holders.isEmpty, let hash = try? sha256(of: archive.appendingPathComponent(file.path).path) else { return true }
            if let old = file.sha256, old != hash { return true }   // the indexer reports the change
            for (source, theirs) in holders where theirs == hash {
                guard let copied = try incident.reuse(fileID: file.id, path: file.path, sha256: hash, fingerprint: fingerprint,
                                                      runID: runID, from: source) else { continue }
                summary.reused += 1
                summary.sightings += copied.sightings
                summary.faceTracks += copied.tracks
                summary.footageSeconds += file.duration ?? 0
                return false
            }
            return true
        }
    }

    private var plateModelFingerprint: String? {
        guard let m = plateModels else { return nil }
        return [options.plateDetector == .platedet ? m.platedet?.fingerprint : nil, m.textDetector.fingerprint, m.recognizer.fingerprint]
            .compactMap { $0 }.joined(separator: ",")
    }

    public func run(progress: (@Sendable (IndexProgress) -> Void)? = nil) throws -> IndexSummary {
        let started = Date()
        var summary = IndexSummary()
        let known = Set(try incident.cameras().map(\.id))
        let (entries, report) = try Catalogue.scan(incident.config, knownCameras: known, only: catalogueOnly, settle: settle)
        summary.skipped = report.outOfScope
        let changes = try incident.catalogue(entries)
        let added = changes.added
        summary.catalogued = added.count
        summary.integrity = changes.integrity
        summary.stillWriting = report.stillWriting
        // Files that failed already at the catalogue (unreadable, unknown codec) are reported once, when found.
        let catalogueFailures = added.filter { $0.status == "failed" }.map { $0.error ?? $0.path }
        summary.noTime = added.filter { $0.status == "no_time" }.map(\.path)
        let fp = fingerprint
        let allFiles = try incident.filesToIndex(fingerprint: fp)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let runID = try incident.startRun(models: [plateModelFingerprint, faceEngine?.fingerprint].compactMap { $0 },
                                          parameters: String(decoding: try encoder.encode(options), as: UTF8.self))
        let files = try reuse(allFiles, fingerprint: fp, runID: runID, into: &summary)
        let total = files.reduce(0) { $0 + ($1.duration ?? 0) }
        let state = RunState()
        let workers = max(1, min(options.workers, files.count))
        // Fewer files than workers (one long file): give each inference the idle cores too.
        let threads = options.modelThreads ?? Self.threadsPerWorker(workers)
        if threads != modelThreads {
            (plateModels, faceEngine) = try Self.load(models, options, threads: threads)
            modelThreads = threads
        }
        FaceEngine.setBLASThreads(threads)
        // Each worker owns its recognisers: inference requests and dlib contexts are per thread.
        let crew = try (0..<workers).map { i in try Worker(plates: makePlateRecognizer(), faces: faceEngine.map { i == 0 ? $0 : try $0.clone() }) }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let worker = crew[w]
            while !stop.requested, let file = state.next(files) {
                let path = URL(fileURLWithPath: incident.config.archive).appendingPathComponent(file.path).path
                do {
                    let result = try analyseGuarded(path: path, worker: worker)
                    if let old = file.sha256, old != result.sha256 {
                        throw ContentChanged(message: "\(file.path): content changed after it was indexed (sha256 \(old) → \(result.sha256)); the indexed results are kept, the new content is not indexed")
                    }
                    try incident.save(result, fileID: file.id, runID: runID, fingerprint: fp)
                    state.finished(file, result: result)
                } catch is StopRequested {
                    // Nothing of this file was saved: it stays pending.
                } catch is FileStillWriting {
                    state.stillWriting(file)
                } catch let e as ContentChanged {
                    try? incident.recordIntegrityEvent(e.message)
                    state.integrity(file, e.message)
                } catch where isStorageFailure(error) {
                    // The incident cannot be written: stop, leave this file and the rest pending.
                    state.storageFailure(file, "\(error)")
                    stop.request()
                } catch {
                    try? incident.markFailed(fileID: file.id, error: "\(error)")
                    state.failed(file, error: "\(error)")
                }
                progress?(IndexProgress(filesDone: state.done, filesTotal: files.count, footageDone: state.footage,
                                        footageTotal: total, elapsed: Date().timeIntervalSince(started)))
            }
        }
        summary.indexed = state.indexed + summary.reused
        summary.storageFailure = state.storage
        summary.interrupted = stop.requested && state.storage == nil
        summary.pending = files.count - state.done + state.writing.count
        summary.failed = state.failures.count + catalogueFailures.count
        summary.stillWriting += state.writing
        summary.integrity += state.changed
        summary.errors = catalogueFailures + state.failures
        summary.footageSeconds += state.footage
        summary.sightings += state.sightings
        summary.faceTracks += state.tracks
        // The first face search after indexing should not pay for building the vector file.
        if state.tracks > 0 { try? incident.refreshFaceVectors() }
        if summary.storageFailure == nil {
            try incident.finishRun(runID, indexed: summary.indexed, failed: summary.failed, interrupted: summary.interrupted)
        } else {
            // Probably unwritable too; the next run marks this one interrupted when it starts.
            try? incident.finishRun(runID, indexed: summary.indexed, failed: summary.failed, interrupted: true)
        }
        summary.wallSeconds = Date().timeIntervalSince(started)
        return summary
    }

    /// A plate recogniser with this run's settings (one per worker thread).
    func makePlateRecognizer() throws -> PlateRecognizer? {
        try plateModels.map { m in
            let r = try PlateRecognizer(models: m, detector: options.plateDetector)
            r.detectionMaxSide = options.plateDetectorSize
            return r
        }
    }

    /// `analyse` on a thread of its own (a dispatch worker), abandoned when it makes no progress (no bytes hashed, no
    /// frame decoded) for `stallLimit` seconds: a read blocked in the kernel on a dead network
    /// share, where FFmpeg's interrupt callback cannot reach. The file fails with "read stalled";
    /// the stuck thread keeps the worker's recognisers, so the worker takes fresh ones.
    func analyseGuarded(path: String, worker: Worker) throws -> FileResult {
        let heartbeat = Heartbeat()
        let outcome = Outcome<FileResult>()
        let (plates, faces) = (worker.plates, worker.faces)
        DispatchQueue.global().async { [self] in
            outcome.finish(Result { try analyse(path: path, plates: plates, faces: faces, beat: heartbeat.beat) })
        }
        while true {
            if let result = outcome.wait(seconds: 0.5) { return try result.get() }
            guard heartbeat.idle <= stallLimit else { break }
        }
        worker.plates = try makePlateRecognizer()
        worker.faces = try faceEngine?.clone()
        throw StoreError(file: path, reason: String(format: "read stalled: no data for %.0f s (a dead network share?); file abandoned", stallLimit))
    }

    /// Decodes one file, gates on motion, recognises, groups. Pure with respect to the store.
    /// `beat` is called as bytes are hashed and frames decoded (the stall watchdog's heartbeat).
    func analyse(path: String, plates: PlateRecognizer?, faces: FaceEngine?, beat: @escaping @Sendable () -> Void = {}) throws -> FileResult {
        let before = Catalogue.fileState(path)
        let sha = try sha256(of: path, progress: beat)
        let decoder = try VideoDecoder(path: path, options: DecodeOptions(policy: .perSecond(1 / options.every),
                                                                          skipNonReference: options.referenceFramesOnly, threads: 1,
                                                                          skipQuietGOPs: options.skipQuietGOPs))
        var gate = MotionGate()
        var tracker = PlateTracker(maxGap: 1.5 * options.every)
        var reads: [TimedPlateRead] = []
        var found: [TimedFace] = []
        var analysed = 0
        var lastFull = -Double.infinity
        let stats = try decoder.decode { frame in
            if stop.requested { throw StopRequested() }
            beat()
            let small = try frame.image(.gray, maxWidth: 160)
            var regions = gate.changedRegions(small)
            if regions == nil, frame.time - lastFull >= options.fullFrameEvery { regions = [.whole] }
            guard let regions else { return true }
            if regions == [.whole] { lastFull = frame.time }
            analysed += 1
            // Detectors see every region at the scale they would see the whole frame at, so a
            // plate or face is found the same whether the picture around it moved or not.
            let longSide = Double(max(frame.width, frame.height))
            func side(_ roi: PixelRect, _ frameSide: Int) -> Int {
                max(32, Int((Double(max(roi.w, roi.h)) * min(1, Double(frameSide) / longSide)).rounded()))
            }
            for r in regions {
                let roi = PixelRect(x: Int(r.x * Double(frame.width)), y: Int(r.y * Double(frame.height)),
                                    w: Int((r.w * Double(frame.width)).rounded(.up)), h: Int((r.h * Double(frame.height)).rounded(.up)))
                    .clamped(width: frame.width, height: frame.height)
                guard roi.w >= 16, roi.h >= 16 else { continue }
                // Only the changed region is converted; crops and chips come from full resolution.
                let image = try frame.crop(roi, .rgb)
                if let plates {
                    let looks = try plates.detect(image, frame: (frame.width, frame.height)).compactMap { d in
                        options.plateTracking
                            ? try tracker.read(image, at: d, origin: (roi.x, roi.y), pts: frame.time) { try plates.read(image, at: $0) }
                            : try plates.read(image, at: d).map { ($0, false) }
                    }
                    for (read, carried) in looks {
                        var read = read
                        let crop = carried ? nil : try? image.cropped(read.box).jpegData()
                        let b = read.box
                        let cut = b.x <= 1 || b.y <= 1 || b.x + b.w >= image.width - 1 || b.y + b.h >= image.height - 1
                        read.box = PixelRect(x: b.x + roi.x, y: b.y + roi.y, w: b.w, h: b.h)
                        reads.append(TimedPlateRead(pts: frame.time, read: read, crop: crop, cut: cut, carried: carried))
                    }
                }
                if let faces {
                    let faceOptions = FaceOptions(detector: options.faceDetector, upsample: options.faceUpsample,
                                                  maxSide: side(roi, options.faceDetectorSize))
                    for var face in try faces.faces(in: image, options: faceOptions, source: path) {
                        face.box = PixelRect(x: face.box.x + roi.x, y: face.box.y + roi.y, w: face.box.w, h: face.box.h)
                        face.landmarks = face.landmarks.map { Point(x: $0.x + Double(roi.x), y: $0.y + Double(roi.y)) }
                        found.append(TimedFace(pts: frame.time, face: face))
                    }
                }
            }
            return true
        }
        // A recorder still writing the file: what was hashed and read is not the file that will stay.
        guard Catalogue.fileState(path) == before else { throw FileStillWriting() }
        return FileResult(sha256: sha, stats: stats, framesAnalysed: analysed, sightings: Grouping.sightings(reads),
                          tracks: try Grouping.faceTracks(found), plateModel: plateModelFingerprint ?? "",
                          faceModel: faces?.fingerprint ?? "", size: before.map { Int64($0[0]) })
    }
}

/// One worker's recognisers (inference requests and dlib contexts are per thread).
final class Worker: @unchecked Sendable {
    var plates: PlateRecognizer?
    var faces: FaceEngine?
    init(plates: PlateRecognizer?, faces: FaceEngine?) { self.plates = plates; self.faces = faces }
}

/// When a file's analysis last made progress.
final class Heartbeat: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date()
    var beat: @Sendable () -> Void { { [self] in lock.lock(); last = Date(); lock.unlock() } }
    var idle: Double { lock.lock(); defer { lock.unlock() }; return Date().timeIntervalSince(last) }
}

/// The result of work on another thread, waited for with a timeout.
final class Outcome<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, Error>?
    func finish(_ r: Result<T, Error>) { result = r; done.signal() }
    func wait(seconds: Double) -> Result<T, Error>? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        done.signal()   // a later wait sees it too
        return result
    }
}

/// Work queue and counters shared by the workers.
private final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private var cursor = 0
    var done = 0, indexed = 0, sightings = 0, tracks = 0
    var footage = 0.0
    var failures: [String] = []

    func next(_ files: [SourceFile]) -> SourceFile? {
        lock.lock(); defer { lock.unlock() }
        guard cursor < files.count else { return nil }
        cursor += 1
        return files[cursor - 1]
    }

    func finished(_ f: SourceFile, result: FileResult) {
        lock.lock(); defer { lock.unlock() }
        done += 1; indexed += 1; footage += f.duration ?? 0
        sightings += result.sightings.count; tracks += result.tracks.count
    }

    var writing: [String] = [], changed: [String] = []

    func stillWriting(_ f: SourceFile) {
        lock.lock(); defer { lock.unlock() }
        done += 1; writing.append(f.path)
    }

    func integrity(_ f: SourceFile, _ message: String) {
        lock.lock(); defer { lock.unlock() }
        done += 1; changed.append(message)
    }

    var storage: String?

    func storageFailure(_ f: SourceFile, _ error: String) {
        lock.lock(); defer { lock.unlock() }
        storage = storage ?? error
    }

    func failed(_ f: SourceFile, error: String) {
        lock.lock(); defer { lock.unlock() }
        done += 1; footage += f.duration ?? 0
        failures.append(error)
    }
}
