import ArgumentParser
import Foundation
import RecognitionKit
import VideoDecode

extension FaceDetector: ExpressibleByArgument {}

struct Faces: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find, describe and rate faces in photos and videos.",
        discussion: "Prints one line per face. A file that cannot be read is reported on stderr and the others go on (exit 2).")

    @Argument(help: "Photos (JPEG, PNG, BMP) or videos.")
    var files: [String]

    @OptionGroup var output: JSONOutput

    @Option(help: "Seconds between sampled video frames.")
    var every: Double = 1

    @Option(help: "Image doublings before detection (each finds faces half as small, ~4x slower).")
    var upsample: Int = 0

    @Option(help: "centerface (CNN, faces from ~10 px; as index), hog (faces from ~80 px) or mmod (CNN, much slower).")
    var detector = RecognitionDefaults.faceDetector

    @Option(help: precisionHelp)
    var precision = RecognitionDefaults.precision

    @Option(help: "Model directory (default: $FORENSIC_MODELS, ./models, or beside the executable).")
    var models: String?

    func validate() throws {
        guard (0...3).contains(upsample) else { throw ValidationError("--upsample must be 0–3") }
        guard every > 0 else { throw ValidationError("--every must be positive") }
    }

    func run() throws {
        let engine = try reportingFailure { try FaceEngine(models: ModelStore(directory: models), loadMMOD: detector == .mmod,
                                                                loadCenterFace: detector == .centerface, precision: precision) }
        let options = FaceOptions(detector: detector, upsample: upsample)
        let printer = ResultPrinter<FaceLine>(output) { $0.text }
        defer { printer.finish() }
        try forEachInput(files) { file in
            _ = try MediaFrames.forEach(file, every: every) { time, image in
                for face in try engine.faces(in: image, options: options, source: file) {
                    printer.add(FaceLine(file: file, time: time, face: face, detector: detector.rawValue, model: engine.fingerprint))
                }
            }
        }
    }
}

struct FaceCompare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "face-compare",
        abstract: "Are two photos the same person? Prints the descriptor distance and the verdict.",
        discussion: "Each photo must show one face, or pass --largest to use the biggest. Exit 0 either way; 1 if a photo cannot be used.")

    @Argument(help: "First photo.") var a: String
    @Argument(help: "Second photo.") var b: String
    @OptionGroup var output: JSONOutput
    @Flag(help: "Use the largest face when a photo has several.") var largest = false
    @Option(help: "Same-person distance threshold.") var threshold: Float = FaceEngine.samePersonThreshold
    @Option(help: "Model directory.") var models: String?

    func run() throws {
        let engine = try reportingFailure { try FaceEngine(models: ModelStore(directory: models)) }
        try reportingFailure {
            // Each photo's face found as indexing and search find it.
            let fa = try engine.probeFace(in: a, largest: largest)
            let fb = try engine.probeFace(in: b, largest: largest)
            let d = faceDistance(fa.embedding, fb.embedding)
            let verdict = Verdict(distance: (d * 10_000).rounded() / 10_000, same: d < threshold, threshold: threshold)
            printResult(verdict, output) {
                String(format: "distance %.4f: %@ (threshold %.2f)", d, verdict.same ? "same person" : "different people", threshold)
            }
        }
    }

    struct Verdict: Encodable { let distance: Float; let same: Bool; let threshold: Float }
}

/// `faces --json` line.
struct FaceLine: Encodable {
    let file: String
    let time: Double
    let box: PixelRect
    let score: Double
    let landmarks: [Point]
    let quality: FaceQuality
    let embedding: [Float]
    let detector: String
    let model: String

    init(file: String, time: Double, face: Face, detector: String, model: String) {
        self.file = file
        self.time = (time * 1000).rounded() / 1000
        box = face.box
        score = (face.score * 1000).rounded() / 1000
        landmarks = face.landmarks.map { Point(x: ($0.x * 10).rounded() / 10, y: ($0.y * 10).rounded() / 10) }
        var q = face.quality
        q.sharpness = q.sharpness.rounded(); q.interEyePixels = (q.interEyePixels * 10).rounded() / 10
        q.frontal = (q.frontal * 100).rounded() / 100; q.score = (q.score * 100).rounded() / 100
        quality = q
        embedding = face.embedding
        self.detector = detector
        self.model = model
    }

    var text: String {
        String(format: "%@ t=%.2fs face %dx%d at (%d,%d) score %.2f eyes %.0fpx sharp %.0f frontal %.2f%@",
               file, time, box.w, box.h, box.x, box.y, score, quality.interEyePixels, quality.sharpness,
               quality.frontal, quality.isJunk ? " [junk]" : "")
    }
}
