import Crypto
import Foundation
import RecognitionKit

/// The models one indexing run uses, loaded and compiled once and shared by its workers (each
/// worker makes its own recognisers from them), and the fingerprint its results carry.
struct RunModels: Sendable {
    let plates: PlateModels?
    let faces: FaceEngine?
    /// The cascade's person detector (nil without the cascade).
    let people: InferenceModel?
    /// CPU threads each inference may use.
    let threads: Int
    let options: IndexOptions

    init(_ store: ModelStore, _ options: IndexOptions, threads: Int) throws {
        self.options = options
        self.threads = threads
        plates = options.plates
            ? try PlateModels(store: store, detectors: [options.plateDetector], ocr: options.plateOCR, precision: options.precision,
                              grammar: try PlateGrammar.bundled().preferring(region: options.plateRegion), threads: threads) : nil
        faces = options.faces
            ? try FaceEngine(models: store, loadMMOD: options.faceDetector == .mmod, loadCenterFace: options.faceDetector == .centerface,
                             precision: options.precision, threads: threads) : nil
        // Small and cheap: f32 whatever the precision (it has no int8 copy).
        people = options.cascade && (options.plates || options.faces)
            ? try InferenceModel(path: store.file(PersonDetector.modelFile), name: "ssdlite-people", precision: .f32, threads: threads) : nil
    }

    /// The cores shared out among the files analysed at once: with as many files as cores each
    /// inference gets one; a single long file's inferences get them all.
    static func threadsPerWorker(_ workers: Int) -> Int {
        max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, workers))
    }

    /// Bumped when the code between models and results changes what is found (2: plate boxes
    /// follow the plate's panel; reads cut by the picture's edge support the whole read; 3:
    /// corrections only substitute, plate-like reads instead of box shapes, character-wise
    /// sighting votes; 4: CenterFace finds the faces, each moving part is looked at on its own at the
    /// whole frame's scale, a tracked plate is read until two sure reads agree), so an upgrade
    /// re-indexes what the old code produced.
    static let pipelineVersion = "pipeline-4"

    /// The plate models' weights and precision (nil without plates).
    var plateFingerprint: String? {
        guard let m = plates else { return nil }
        return [options.plateDetector == .platedet ? m.platedet?.fingerprint : nil, m.textDetector.fingerprint, m.recognizer.fingerprint]
            .compactMap { $0 }.joined(separator: ",")
    }

    /// Each model's fingerprint, as a run records them.
    var modelFingerprints: [String] { [plateFingerprint, faces?.fingerprint, people?.fingerprint].compactMap { $0 } }

    /// Models and settings that results depend on: a file indexed with another fingerprint is redone.
    var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var o = options
        o.workers = 0   // parallelism does not change results
        o.modelThreads = nil
        let params = String(decoding: (try? encoder.encode(o)) ?? Data(), as: UTF8.self)
        return SHA256.hash(data: Data((params + modelFingerprints.joined(separator: ",") + Self.pipelineVersion).utf8))
            .prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// A plate recogniser with this run's settings (one per worker thread).
    func makePlateRecognizer() throws -> PlateRecognizer? {
        try plates.map { m in
            let r = try PlateRecognizer(models: m, detector: options.plateDetector)
            r.detectionMaxSide = options.plateDetectorSize
            return r
        }
    }

    /// A worker's own recognisers (inference requests and dlib contexts are per thread).
    func makeWorker(first: Bool) throws -> Worker {
        Worker(Recognisers(plates: try makePlateRecognizer(), faces: try faces.map { first ? $0 : try $0.clone() },
                           people: try people.map { try PersonDetector(model: $0) }))
    }
}
