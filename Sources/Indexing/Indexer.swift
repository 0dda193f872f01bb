import Crypto
import Foundation
import IncidentStore
import RecognitionKit
import VideoDecode

/// The file's content differs from what was indexed under its path: results kept, event audited.
struct ContentChanged: Error { let message: String }

/// Catalogues and indexes an incident's footage. Each file is saved in one transaction, so a
/// killed run loses at most the files in flight; starting again finishes the rest. A requested
/// stop (`stop`) drops the files in flight the same way, and marks the run interrupted.
public final class Indexer {
    public let incident: Incident
    public let options: IndexOptions
    /// Set from a signal handler (or a nightly run's own stop) to stop after the files in flight.
    public let stop: StopRequest
    /// Seconds without progress after which a file's analysis is abandoned (see `analyseGuarded`).
    public var stallLimit = 120.0
    /// The archive's files as a nightly run catalogued them (it walks the archive once), instead
    /// of walking the incident's archive here.
    public var catalogued: [CatalogueEntry]?
    /// Incident files (nightly day files) whose results are taken for files indexed there from
    /// the same bytes with the same fingerprint, instead of decoding them again.
    public var reuseSources: [String] = []
    private let store: ModelStore
    private var models: RunModels

    public init(incident: Incident, options: IndexOptions, models: ModelStore = ModelStore(), stop: StopRequest = StopRequest()) throws {
        self.incident = incident
        self.options = options
        self.store = models
        self.stop = stop
        self.models = try RunModels(models, options, threads: options.modelThreads ?? RunModels.threadsPerWorker(options.workers))
    }

    /// Models and settings that results depend on: a file indexed with another fingerprint is redone.
    public var fingerprint: String { models.fingerprint }

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

    public func run(progress: (@Sendable (IndexProgress) -> Void)? = nil) throws -> IndexSummary {
        let started = Date()
        var summary = IndexSummary()
        let (entries, report) = try catalogued.map { ($0, Catalogue.Report()) }
            ?? Catalogue.scan(incident.config, knownCameras: Set(try incident.cameras().map(\.id)))
        summary.skipped = report.outOfScope
        let changes = try incident.catalogue(entries)
        let added = changes.added
        summary.catalogued = added.count
        summary.integrity = changes.integrity
        summary.stillWriting = report.stillWriting
        // Files that failed already at the catalogue (unreadable, unknown codec) are reported once, when found.
        let catalogueFailures = added.filter { $0.status == .failed }.map { $0.error ?? $0.path }
        summary.noTime = added.filter { $0.status == .noTime }.map(\.path)
        let fp = fingerprint
        let allFiles = try incident.filesToIndex(fingerprint: fp)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let runID = try incident.startRun(models: models.modelFingerprints,
                                          parameters: String(decoding: try encoder.encode(options), as: UTF8.self))
        let files = try reuse(allFiles, fingerprint: fp, runID: runID, into: &summary)
        let total = files.reduce(0) { $0 + ($1.duration ?? 0) }
        let tally = RunTally(files)
        let workers = max(1, min(options.workers, files.count))
        // Fewer files than workers (one long file): give each inference the idle cores too.
        let threads = options.modelThreads ?? RunModels.threadsPerWorker(workers)
        if threads != models.threads { models = try RunModels(store, options, threads: threads) }
        FaceEngine.setBLASThreads(threads)
        // The workers' closure shares only Sendable values, never the indexer itself.
        let (incident, stop, runModels, stallLimit) = (incident, stop, models, stallLimit)
        let crew = try (0..<workers).map { try runModels.makeWorker(first: $0 == 0) }
        let analysis = FileAnalysis(options: options, stop: stop, plateModel: runModels.plateFingerprint ?? "")
        let archive = URL(fileURLWithPath: incident.config.archive)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            while !stop.requested, let file = tally.next() {
                do {
                    let result = try analysis.analyseGuarded(archive.appendingPathComponent(file.path).path, worker: crew[w],
                                                             models: runModels, stallLimit: stallLimit)
                    if let old = file.sha256, old != result.sha256 {
                        throw ContentChanged(message: "\(file.path): content changed after it was indexed (sha256 \(old) → \(result.sha256)); the indexed results are kept, the new content is not indexed")
                    }
                    try incident.save(result, fileID: file.id, runID: runID, fingerprint: fp)
                    tally.finished(file, result)
                } catch is FileAnalysis.Stopped {
                    // Nothing of this file was saved: it stays pending.
                } catch is FileAnalysis.StillWriting {
                    tally.stillWriting(file)
                } catch let e as ContentChanged {
                    try? incident.recordIntegrityEvent(e.message)
                    tally.integrity(e.message)
                } catch where isStorageFailure(error) {
                    // The incident cannot be written: stop, leave this file and the rest pending.
                    tally.storageFailure("\(error)")
                    stop.request()
                } catch {
                    try? incident.markFailed(fileID: file.id, error: "\(error)")
                    tally.failed(file, error: "\(error)")
                }
                let now = tally.snapshot
                progress?(IndexProgress(filesDone: now.done, filesTotal: files.count, footageDone: now.footage,
                                        footageTotal: total, elapsed: Date().timeIntervalSince(started)))
            }
        }
        let state = tally.snapshot
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
        summary.looks += state.looks
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
}
