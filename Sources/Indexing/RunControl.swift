import Foundation
import Synchronization
import IncidentStore
import RecognitionKit

/// A request to stop, set from a signal handler and read by the workers.
public final class StopRequest: Sendable {
    private let flag = Mutex(false)
    public init() {}
    public func request() { flag.withLock { $0 = true } }
    public var requested: Bool { flag.withLock { $0 } }
}

/// One worker's recognisers (inference requests and dlib contexts are per thread); replaced
/// when a stalled file keeps the old ones busy on its abandoned thread.
final class Worker: Sendable {
    private let recognisers: Mutex<Recognisers>
    init(_ r: Recognisers) { recognisers = Mutex(r) }
    var current: Recognisers { recognisers.withLock { $0 } }
    func replace(with fresh: Worker) { let r = fresh.current; recognisers.withLock { $0 = r } }
}

/// What one thread looks with; nil for what the run does not look for.
struct Recognisers: Sendable {
    var plates: PlateRecognizer?
    var faces: FaceEngine?
    /// The cascade's person detector.
    var people: PersonDetector?
}

/// When a file's analysis last made progress.
final class Heartbeat: Sendable {
    private let last = Mutex(Date())
    var beat: @Sendable () -> Void { { [self] in last.withLock { $0 = Date() } } }
    var idle: Double { last.withLock { Date().timeIntervalSince($0) } }
}

/// The result of work on another thread, waited for with a timeout.
final class Outcome<T: Sendable>: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let result = Mutex<Result<T, Error>?>(nil)
    func finish(_ r: Result<T, Error>) { result.withLock { $0 = r }; done.signal() }
    func wait(seconds: Double) -> Result<T, Error>? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        done.signal()   // a later wait sees it too
        return result.withLock { $0 }
    }
}

/// The files of a run handed out to its workers, and what became of each: every count read and
/// written under one lock (the progress line reads them while workers write).
final class RunTally: Sendable {
    struct Counts: Sendable {
        var cursor = 0
        var done = 0, indexed = 0, sightings = 0, tracks = 0
        var looks = LookCounts()
        var footage = 0.0
        var failures: [String] = [], writing: [String] = [], changed: [String] = []
        var storage: String?
    }

    private let counts = Mutex(Counts())
    let files: [SourceFile]

    init(_ files: [SourceFile]) { self.files = files }

    /// What has been counted so far.
    var snapshot: Counts { counts.withLock { $0 } }

    func next() -> SourceFile? {
        counts.withLock { c in
            guard c.cursor < files.count else { return nil }
            c.cursor += 1
            return files[c.cursor - 1]
        }
    }

    func finished(_ f: SourceFile, _ result: FileResult) {
        counts.withLock { c in
            c.done += 1; c.indexed += 1; c.footage += f.duration ?? 0
            c.sightings += result.sightings.count; c.tracks += result.tracks.count; c.looks += result.looks
        }
    }
    func stillWriting(_ f: SourceFile) { counts.withLock { c in c.done += 1; c.writing.append(f.path) } }
    func integrity(_ message: String) { counts.withLock { c in c.done += 1; c.changed.append(message) } }
    func storageFailure(_ error: String) { counts.withLock { c in c.storage = c.storage ?? error } }
    func failed(_ f: SourceFile, error: String) { counts.withLock { c in c.done += 1; c.footage += f.duration ?? 0; c.failures.append(error) } }
}
