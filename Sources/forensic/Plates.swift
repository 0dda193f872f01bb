import ArgumentParser
import Foundation
import RecognitionKit
import VideoDecode

extension PlateDetectorKind: ExpressibleByArgument {}
extension PlateReaderKind: ExpressibleByArgument {}
extension InferencePrecision: ExpressibleByArgument {}
extension PlateOCRVersion: ExpressibleByArgument {}

let precisionHelp = ArgumentHelp(precisionText)
let precisionText = "f32 (default: the same results on every CPU), int8 (the NNCF copies `make setup` quantised, for the PP-OCRv6 detector and reader and CenterFace; f32 for other models), bf16, or auto (bf16 where the CPU has it)."
let ocrHelp = ArgumentHelp("PP-OCR models that find and read plate text: v6 (default; reads more real plates, faster reader) or v4.")
let regionHelp = ArgumentHelp(
    "Region whose plate formats may correct a doubtful letter/digit (pk, the default, or another region in the formats file), or any: keep every read as read. The raw read is always kept.",
    valueName: "region")

struct Plates: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find and read number plates in photos and videos (offline, CPU).",
        discussion: "Prints one line per plate. A file that cannot be read is reported on stderr and the others go on (exit 2).")

    @Argument(help: "Photos (JPEG, PNG, BMP) or videos.")
    var files: [String]

    @OptionGroup var output: JSONOutput

    @Option(help: "text (PP-OCR text detector, Apache-2.0; best on the evaluation set) or platedet (YOLOv8 plate detector, AGPL-3.0).")
    var detector = RecognitionDefaults.plateDetector

    @Option(help: "ppocr (PP-OCR, line by line; best on the evaluation set), platerec, or combined (both, the more confident wins).")
    var reader = RecognitionDefaults.plateReader

    @Option(name: .customLong("detector-size"), help: detectorSizeHelp)
    var detectorSize = RecognitionDefaults.plateDetectorSize

    @Option(help: "Seconds between sampled video frames.")
    var every: Double = 1

    @Option(help: precisionHelp)
    var precision = RecognitionDefaults.precision

    @Option(help: ocrHelp)
    var ocr = RecognitionDefaults.plateOCR

    @Option(help: regionHelp)
    var region = RecognitionDefaults.plateRegion

    @Option(help: "Plate formats JSON (default: the bundled formats, Pakistani first).")
    var formats: String?

    @Option(help: "Model directory (default: $FORENSIC_MODELS, ./models, or beside the executable).")
    var models: String?

    func validate() throws {
        guard every > 0 else { throw ValidationError("--every must be positive") }
        try validateDetectorSize(detectorSize)
    }

    func run() throws {
        let recognizer = try reportingFailure {
            let grammar = try (formats.map(PlateGrammar.load) ?? PlateGrammar.bundled()).preferring(region: region)
            let m = try PlateModels(store: ModelStore(directory: models), detectors: [detector], readers: [reader],
                                    ocr: ocr, precision: precision, grammar: grammar)
            let r = try PlateRecognizer(models: m, detector: detector, reader: reader)
            r.detectionMaxSide = detectorSize
            return r
        }
        let printer = ResultPrinter<PlateLine>(output) { $0.summary }
        defer { printer.finish() }
        try forEachInput(files) { file in
            // A photo is looked at in tiles too when it is large (small plates survive); video
            // frames, many per file, are not.
            recognizer.tileLargePictures = (try? MediaProbe.isStillImage(file)) == true
            _ = try MediaFrames.forEach(file, every: every) { time, image in
                for read in try recognizer.recognize(image) {
                    let line = PlateLine(file: file, time: time, read: read)
                    printer.add(line)
                }
            }
        }
    }
}

let detectorSizeHelp = ArgumentHelp(
    "Longer side, in pixels, of the picture the text detector sees (1280: finds the most plates; 960: about 0.6x the time, misses some small plates).",
    valueName: "px")

func validateDetectorSize(_ px: Int) throws {
    guard (320...4096).contains(px) else { throw ValidationError("--detector-size must be 320–4096") }
}

/// `plates --json` line.
struct PlateLine: Encodable {
    let file: String
    let time: Double
    let box: PixelRect
    let text: String
    let raw: String
    let display: String
    let confidence: Double
    let characterConfidences: [Double]
    let candidates: [PlateCandidate]
    let format: String?
    let correction: PlateCorrection?
    let lines: Int
    let detector: String
    let detectorScore: Double
    let reader: String
    let model: String

    enum CodingKeys: String, CodingKey {
        case file, time, box, text, raw, display, confidence, candidates, format, correction, lines, detector, reader, model
        case characterConfidences = "character_confidences", detectorScore = "detector_score"
    }

    init(file: String, time: Double, read: PlateRead) {
        self.file = file
        self.time = (time * 1000).rounded() / 1000
        box = read.box
        text = read.text
        raw = read.raw
        display = read.display
        confidence = read.confidence
        characterConfidences = read.characterConfidences
        candidates = read.candidates
        format = read.format
        correction = read.correction
        lines = read.lines
        detector = read.detector
        detectorScore = (read.detectorScore * 1000).rounded() / 1000
        reader = read.reader
        model = read.model
    }

    var summary: String {
        String(format: "%@ t=%.2fs %@ (%.2f) at %d,%d %dx%d%@%@", file, time, display, confidence, box.x, box.y, box.w, box.h,
               format.map { " [\($0)]" } ?? "", correction.map { " corrected from \($0.from)" } ?? "")
    }
}
