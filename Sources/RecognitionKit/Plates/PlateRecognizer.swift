import Foundation
import VideoDecode

/// Which plate detector finds the regions to read.
public enum PlateDetectorKind: String, Sendable, CaseIterable, Codable {
    /// YOLOv8 plate detector (`platedet`): plate-shaped boxes; AGPL-3.0 per its metadata.
    case platedet
    /// PP-OCR text detector (v6 or v4); regions are kept when their read is plate-like (Apache-2.0).
    case text
}

/// Which reader turns a plate crop into characters.
public enum PlateReaderKind: String, Sendable, CaseIterable, Codable {
    /// PP-OCR's CTC recogniser (v6 or v4), line by line (Apache-2.0).
    case ppocr
    /// `platerec`'s encoder-decoder over the whole crop (no licence stated).
    case platerec
    /// Both; the more confident read wins, the other joins the candidates.
    case combined
}

/// Which PP-OCR generation finds and reads text (both Apache-2.0, code and weights).
public enum PlateOCRVersion: String, Sendable, CaseIterable, Codable {
    /// PP-OCRv6 small detector and recogniser (rapidocr 3.10.0): on held-out real photos the
    /// packages' reference pipeline read 73 / 82 / 96.5% of US / EU / BR plates exactly (v4: 67 /
    /// 76 / 92) and found every Pakistani plate; the recogniser is ~3x faster per crop.
    case v6
    /// PP-OCRv4 detector and recogniser (rapidocr-onnxruntime 1.4.4).
    case v4

    var files: (detector: String, recognizer: String) {
        switch self {
        case .v6: ("ppocr6/PP-OCRv6_det_small.onnx", "ppocr6/PP-OCRv6_rec_small.onnx")
        case .v4: ("ppocr/models/ch_PP-OCRv4_det_infer.onnx", "ppocr/models/ch_PP-OCRv4_rec_infer.onnx")
        }
    }
}

/// The plate models, loaded and compiled once per process and shared by every worker.
public final class PlateModels: Sendable {
    public let platedet: InferenceModel?
    public let ocr: PlateOCRVersion
    public let textDetector: InferenceModel
    public let recognizer: InferenceModel
    public let characters: [Character]
    /// `platerec`'s encoder, decoder and vocabulary, when a reader needs them.
    public let platerec: (encoder: InferenceModel, decoder: InferenceModel, vocabulary: PlaterecReader.Vocabulary)?
    public let grammar: PlateGrammar

    /// - Parameter detectors: which detectors to load (the text detector always loads: it also
    ///   splits two-line plates).
    ///   `ocr`: which PP-OCR generation detects and reads text.
    ///   `threads`: CPU threads per inference (nil: all cores). Give 1 when several workers run at once.
    ///   `readers`: which readers to load (PP-OCR always loads: it also finds lines in a plate).
    public init(store: ModelStore = ModelStore(), detectors: Set<PlateDetectorKind> = [.platedet, .text],
                readers: Set<PlateReaderKind> = [.ppocr], ocr: PlateOCRVersion = .v6,
                precision: InferencePrecision = RecognitionDefaults.precision, grammar: PlateGrammar? = nil, threads: Int? = nil) throws {
        self.ocr = ocr
        let rec = try store.file(ocr.files.recognizer)
        platedet = detectors.contains(.platedet)
            ? try InferenceModel(path: try store.file("platedet/artifacts/platedet.onnx"), name: "platedet-0.0.2",
                                 precision: precision, threads: threads)
            : nil
        textDetector = try InferenceModel(path: try store.file(ocr.files.detector, precision: precision), name: "ppocr\(ocr.rawValue)-det",
                                          precision: precision, threads: threads)
        recognizer = try InferenceModel(path: try store.file(ocr.files.recognizer, precision: precision), name: "ppocr\(ocr.rawValue)-rec",
                                        precision: precision, threads: threads)
        characters = try CTCTextReader.characters(fromModelAt: rec)   // the ONNX source's metadata, at any precision
        if readers.contains(.platerec) || readers.contains(.combined) {
            platerec = (try InferenceModel(path: try store.file("platerec/artifacts/encoder.onnx"), name: "platerec-0.0.3-encoder",
                                           precision: precision, threads: threads),
                        try InferenceModel(path: try store.file("platerec/artifacts/decoder.onnx"), name: "platerec-0.0.3-decoder",
                                           precision: precision, threads: threads),
                        try PlaterecReader.Vocabulary(tokenizerAt: try store.file("platerec/artifacts/tokenizer.json")))
        } else {
            platerec = nil
        }
        self.grammar = try grammar ?? PlateGrammar.bundled()
    }
}

/// Finds and reads plates in pictures. One per worker thread (inference requests are per thread).
/// Sendable only so a worker can receive its own; never share one between threads.
// Unchecked: mutable settings and per-thread inference requests; a worker owns its own (see above).
public final class PlateRecognizer: @unchecked Sendable {
    public let kind: PlateDetectorKind
    public let readerKind: PlateReaderKind
    public let models: PlateModels
    private let yolo: YOLOPlateDetector?
    private let textPlates: TextPlateDetector
    private let lineFinder: TextRegionDetector
    private let reader: CTCTextReader
    private let platerec: PlaterecReader?
    /// Stored with every read: detector and reader weights and precision.
    public let fingerprint: String
    /// The formats that name and correct reads (the models' grammar unless set).
    public lazy var grammar: PlateGrammar = models.grammar
    /// Reads below this confidence are dropped (they are mostly not plates).
    public var minConfidence = 0.3
    /// The text detector sees the picture scaled so its longer side is at most this (its shorter
    /// side is still brought up to 736 px: `TextPlateDetector.scale`). On the synthetic
    /// evaluation set 1280 read 99.2% of plates exactly against 97.5% at 960, for 1.7x the time.
    public var detectionMaxSide = 1280
    /// Also look at pictures over 1.5 × `detectionMaxSide` in tiles at a finer scale (text
    /// detector): finds small plates in large photos at about one detector pass per tile.
    public var tileLargePictures = false

    public init(models: PlateModels, detector: PlateDetectorKind = .text, reader readerKind: PlateReaderKind = .ppocr) throws {
        kind = detector
        self.readerKind = readerKind
        self.models = models
        if detector == .platedet {
            guard let m = models.platedet else {
                throw RecognitionError(.modelMissing, file: "platedet", reason: "platedet model not loaded")
            }
            yolo = try YOLOPlateDetector(model: m)
        } else {
            yolo = nil
        }
        lineFinder = try TextRegionDetector(model: models.textDetector)
        textPlates = TextPlateDetector(text: try TextRegionDetector(model: models.textDetector))
        reader = try CTCTextReader(model: models.recognizer, characters: models.characters)
        var readerPrints = [models.recognizer.fingerprint]
        if readerKind != .ppocr {
            guard let p = models.platerec else {
                throw RecognitionError(.modelMissing, file: "platerec", reason: "platerec models not loaded")
            }
            platerec = try PlaterecReader(encoder: p.encoder, decoder: p.decoder, vocabulary: p.vocabulary)
            readerPrints = (readerKind == .combined ? readerPrints : []) + [p.encoder.fingerprint, p.decoder.fingerprint]
        } else {
            platerec = nil
        }
        fingerprint = ([detector == .platedet ? models.platedet!.fingerprint : models.textDetector.fingerprint,
                        models.textDetector.fingerprint] + readerPrints)
            .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            .joined(separator: ",")
    }

    /// Regions that may be plates, in source pixels. `frame`: the whole picture's size when
    /// `image` is a region of it, so the region is seen at the whole frame's scale.
    public func detect(_ image: Image, frame: (width: Int, height: Int)? = nil) throws -> [PlateDetection] {
        switch kind {
        case .platedet: return try yolo!.detect(image)
        case .text: return try textPlates.detect(image, maxSide: detectionMaxSide, tiles: tileLargePictures, frame: frame)
        }
    }

    /// The index cascade's plate look, for a look between full ones: the text detector over the
    /// picture at `glance` × the scale `detect` uses (at 0.5 a quarter of the pixels, ~5× cheaper),
    /// then at the full scale only around the plates it glimpsed (a plate width to each side, a
    /// plate height above and below), so a plate is found and boxed as `detect` would. Where the
    /// glimpses cover half the picture the full look is cheaper: `detect` on it all. Plates too
    /// small to glimpse wait for the index's next full look. Measured against full looks: faster on
    /// busy streets, but the windows box a marginal plate differently from a full look, and on the
    /// bench's quiet real-car street a coin-flip plate then read wrong (see the README), which is
    /// why the cascade is not the default. `alsoIn`: areas to look at whatever
    /// the glance saw (where the index saw plates a look ago, grown by how far they may have moved).
    public func detectByGlance(_ image: Image, frame: (width: Int, height: Int)? = nil, glance: Double,
                               alsoIn known: [PixelRect] = []) throws -> [PlateDetection] {
        guard kind == .text else { return try detect(image, frame: frame) }
        let glimpsed = try textPlates.detect(image, maxSide: detectionMaxSide, frame: frame, coarser: glance)
        let windows = glimpsed.map { d in PixelRect(x: d.box.x - d.box.w, y: d.box.y - d.box.h, w: 3 * d.box.w, h: 3 * d.box.h) }
        let areas = mergedAreas((windows + known).map { $0.clamped(width: image.width, height: image.height) })
        guard !areas.isEmpty else { return [] }
        guard 2 * areas.reduce(0, { $0 + $1.w * $1.h }) < image.width * image.height else { return try detect(image, frame: frame) }
        return try areas.flatMap { area in
            try textPlates.detect(image.cropped(area), maxSide: detectionMaxSide, frame: frame ?? (image.width, image.height)).map { d in
                PlateDetection(box: d.box.moved(area.x, area.y), score: d.score,
                               textRegions: d.textRegions.map { var r = $0; r.cx += Double(area.x); r.cy += Double(area.y); return r })
            }
        }
    }

    /// Finds and reads every plate in a full-resolution RGB picture.
    public func recognize(_ image: Image) throws -> [PlateRead] {
        guard image.width >= 16, image.height >= 16 else { return [] }
        return try detect(image).compactMap { try read(image, at: $0) }
    }

    /// Reads the plate in `detection` from the full-resolution pixels of `image`.
    public func read(_ image: Image, at detection: PlateDetection) throws -> PlateRead? {
        switch readerKind {
        case .ppocr: return try readLines(image, at: detection)
        case .platerec: return try readWhole(image, at: detection)
        case .combined:
            let lines = try readLines(image, at: detection), whole = try readWhole(image, at: detection)
            guard let lines, let whole else { return lines ?? whole }
            var (best, other) = whole.confidence > lines.confidence ? (whole, lines) : (lines, whole)
            if other.text == best.text {
                best.confidence = max(best.confidence, other.confidence)
            } else if !best.candidates.contains(where: { $0.text == other.text }) {
                best.candidates.insert(PlateCandidate(text: other.text, confidence: other.confidence), at: 1)
                best.candidates = Array(best.candidates.prefix(5))
            }
            best.model = fingerprint
            return best
        }
    }

    /// `platerec` over the detection box as one picture.
    private func readWhole(_ image: Image, at detection: PlateDetection) throws -> PlateRead? {
        let region = detection.box.clamped(width: image.width, height: image.height)
        guard region.w >= 8, region.h >= 6, let platerec else { return nil }
        let read = try platerec.read(image.cropped(region))
        guard !read.characters.isEmpty else { return nil }
        var plate = interpret(read.characters, lines: 1, detection: detection)
        plate?.reader = PlateReaderKind.platerec.rawValue
        return plate
    }

    /// PP-OCR line by line inside the detection box.
    private func readLines(_ image: Image, at detection: PlateDetection) throws -> PlateRead? {
        let first = try readLines(image, at: detection, look: detection.textRegions.isEmpty ? .panel : .detectorLines)
        guard first?.format == nil, !detection.textRegions.isEmpty else { return first }
        // A second look where the first read fits no format: the lines found again inside the
        // plate's panel at a finer scale, which separates small print the picture-wide look
        // joined to the characters (a motorcycle's year "10" beside "RIM" read "RIMO").
        // It must be sure of itself: a second chance for every sign in the picture must not
        // make more false plates (the half-confidence allowance for format fits is not given).
        guard let second = try readLines(image, at: detection, look: .panel), second.confidence >= minConfidence else { return first }
        guard let first else { return second }
        return second.format != nil || second.confidence > first.confidence ? second : first
    }

    private func readLines(_ image: Image, at detection: PlateDetection, look: LineLook) throws -> PlateRead? {
        // Plates have at most three rows of characters (a motorcycle's letters, digits, city);
        // four or more rows of text of one size are a sign or a camera's overlay.
        guard let lines = try lineReads(image, at: detection, look: look), lines.count <= 3 else { return nil }
        var kept = Self.registrationLines(lines)
        guard !kept.isEmpty else { return nil }
        // A Punjab plate prints its registration year small after the letters (`LEE 16` over
        // `5855`): read into the top line, it is left out of the plate's text and kept among
        // its candidates (`LEE5855` and `LEE165855` both find it).
        var withYear: String? = nil
        if let year = Self.yearAfterLetters(kept) {
            withYear = kept.map(\.text).joined()
            kept[0].characters.removeSubrange(year)
        }
        return interpret(kept.flatMap(\.characters), lines: kept.count, detection: detection, alsoRead: withYear)
    }

    /// Where the lines of a plate come from: the text detector's regions in the whole picture,
    /// or the text detector run again inside the plate's panel.
    enum LineLook { case detectorLines, panel }

    /// Where a two-line plate's top line ends in a two-digit year after its 2–3 letters, over a
    /// line of 3–4 digits: the year's positions in the top line.
    public static func yearAfterLetters(_ lines: [TextLineRead]) -> Range<Int>? {
        guard lines.count == 2 else { return nil }
        let top = lines[0].characters.map(\.value), bottom = lines[1].characters.map(\.value)
        guard (4...5).contains(top.count), (3...4).contains(bottom.count), bottom.allSatisfy(\.isNumber),
              top.suffix(2).allSatisfy(\.isNumber), top.dropLast(2).allSatisfy(\.isLetter) else { return nil }
        return (top.count - 2)..<top.count
    }

    /// Every text line read inside the detection box, top to bottom (nil: the box is too small to read).
    /// The text detector's own regions are read as they are, from the full-resolution picture (as
    /// PP-OCR's pipeline reads its lines); a plate detector's box is searched for lines first.
    private func lineReads(_ image: Image, at detection: PlateDetection, look: LineLook) throws -> [TextLineRead]? {
        if look == .detectorLines {
            let rows = Self.rows(of: detection.textRegions).filter { $0.width >= 4 && $0.height >= 4 }
            return try reader.read(rows.map { image.cropped($0) }).filter { !$0.characters.isEmpty }
        }
        let b = detection.box
        let margin = max(2, b.h / 8)
        let region = PixelRect(x: b.x - margin, y: b.y - margin, w: b.w + 2 * margin, h: b.h + 2 * margin)
            .clamped(width: image.width, height: image.height)
        guard region.w >= 8, region.h >= 6 else { return nil }
        var crop = image.cropped(region)
        // Small plates are read from an enlarged crop: the recogniser wants ~48 px lines.
        if crop.height < 96 {
            let s = 96.0 / Double(crop.height)
            crop = try crop.resized(width: min(2000, Int(Double(crop.width) * s)), height: 96)
        }
        let rows = try textLines(in: crop)
        return try reader.read(rows.map { crop.cropped($0) }).filter { !$0.characters.isEmpty }
    }

    /// What each stage made of one picture, for `make eval` to name the stage that lost a plate
    /// (text detector only: platedet has no stages before its boxes).
    public func trace(_ image: Image) throws -> PlateTrace {
        let found = try textPlates.candidates(image, maxSide: detectionMaxSide, tiles: tileLargePictures)
        var candidates: [PlateTrace.Candidate] = []
        for c in found.candidates {
            var one = PlateTrace.Candidate(textBox: c.text, detection: c.detection, lines: [], registration: "", read: nil)
            if let d = c.detection, let lines = try lineReads(image, at: d, look: d.textRegions.isEmpty ? .panel : .detectorLines) {
                one.lines = lines.map(\.text)
                one.registration = Self.registrationLines(lines).map(\.text).joined()
                one.read = try read(image, at: d)
            }
            candidates.append(one)
        }
        return PlateTrace(textRegions: found.regions.map(\.box), candidates: candidates)
    }

    /// The lines that carry the registration, top to bottom. A line of four or more letters and no
    /// digit is a name printed on the plate (PUNJAB, ICT-ISLAMABAD, CALIFORNIA, a slogan) when
    /// another line has digits; it is left out of the plate's text.
    static func registrationLines(_ reads: [TextLineRead]) -> [TextLineRead] {
        let kept = reads.filter { r in !(r.characters.count >= 4 && r.characters.allSatisfy { $0.value.isLetter }) }
        return kept.contains { $0.characters.contains { $0.value.isNumber } } ? kept : reads
    }

    /// Text rows inside a plate crop, top to bottom, found by the text detector at the crop's scale.
    func textLines(in crop: Image) throws -> [RotatedRect] {
        let regions = try lineFinder.detect(crop, maxSide: 480).map(\.line)
        guard !regions.isEmpty else { return [RotatedRect(PixelRect(x: 0, y: 0, w: crop.width, h: crop.height))] }
        return Self.rows(of: regions).map { $0.grown(by: $0.height / 10) }
    }

    /// The rows of a plate's text regions, top to bottom: the regions whose characters are the
    /// plate's main height, those on one row (a centre within the row's band, across the line's
    /// slant) joined. Small print is dropped: the province or city name below or above, and
    /// small print on a row of bigger characters (a Punjab plate's year beside its letters).
    static func rows(of regions: [RotatedRect]) -> [RotatedRect] {
        guard let tallest = regions.map(\.height).max() else { return [] }
        // Half the tallest: a motorcycle's letters over its digits stay; the province or city
        // name (a third of the registration's height or less) goes.
        let main = regions.filter { $0.height >= 0.45 * tallest && $0.width >= $0.height / 3 }.sorted { $0.height > $1.height }
        var rows: [RotatedRect] = []
        for r in main {
            // Tallest first: each row is set by its biggest characters.
            let sameRow = rows.firstIndex { a in abs(-(r.cx - a.cx) * sin(a.angle) + (r.cy - a.cy) * cos(a.angle)) < a.height / 2 }
            if let i = sameRow {
                guard r.height >= 0.6 * rows[i].height else { continue }
                let a = rows[i]
                rows[i] = RotatedRect.aligned(a.corners + r.corners, angle: a.width >= r.width ? a.angle : r.angle)
            } else {
                rows.append(r)
            }
        }
        return rows.sorted { $0.cy < $1.cy }
    }

    /// Applies the plate grammar to the raw characters: a format fit (by substitution only) becomes
    /// `text`, the raw read stays among the candidates; a read that fits no format is kept as read
    /// when it is plate-like.
    /// `alsoRead`: another reading of the same characters to keep among the candidates (the
    /// plate with its year).
    func interpret(_ chars: [TextLineRead.Glyph], lines: Int, detection: PlateDetection, alsoRead: String? = nil) -> PlateRead? {
        let raw = String(chars.map(\.value))
        let conf = chars.map(\.confidence)
        // Cheapest first: a read that already fits a known format (a Brazilian ABC1D23 as well as
        // a Pakistani ABC123) costs nothing and is kept as read.
        let fits = grammar.fits(raw, confidences: conf, runnersUp: chars.map(\.alternative))
        guard !fits.isEmpty || PlateGrammar.plausiblePlate(raw, fromPlateDetector: kind == .platedet) else { return nil }
        var text = raw, display = raw, format: String? = nil, correction: PlateCorrection? = nil
        var penalty = 1.0
        if let best = fits.first {
            text = best.text
            display = grammar.display(best.text, as: best.format) ?? best.text
            format = best.format.name
            if best.text != raw {
                correction = PlateCorrection(from: raw, to: best.text, cost: (best.cost * 1000).rounded() / 1000)
                penalty = exp(-0.35 * best.cost)
            }
        }
        let weakest = conf.min() ?? 0
        let confidence = weakest * penalty
        // A read that fits a format may be less sure, but not a five-character one: any letter and
        // four digits fit the old Sindh format, and sign fragments do (`O7302`).
        guard confidence >= minConfidence || (format != nil && chars.count >= 6 && confidence >= minConfidence / 2) else { return nil }

        // Candidates: the chosen text, the raw read (always kept), other format fits, and single
        // swaps to the runner-up at the least certain positions.
        var others: [PlateCandidate] = fits.dropFirst().map { .init(text: $0.text, confidence: weakest * exp(-0.35 * $0.cost)) }
        for i in chars.indices.sorted(by: { chars[$0].confidence < chars[$1].confidence }).prefix(3) {
            guard let alt = chars[i].alternative, chars[i].alternativeConfidence > 0.02 else { continue }
            var swapped = Array(raw)
            swapped[i] = alt
            let s = String(swapped)
            let fitPenalty = grammar.fits(s).first.map { exp(-0.35 * $0.cost) } ?? 0.5
            others.append(.init(text: s, confidence: chars[i].alternativeConfidence * fitPenalty))
        }
        var seen: Set<String> = [text, raw, alsoRead ?? raw]
        let ranked = others.sorted { $0.confidence > $1.confidence }.filter { seen.insert($0.text).inserted }
        let alternative = alsoRead.map { [PlateCandidate(text: $0, confidence: weakest * 0.9)] } ?? []
        let candidates = ([PlateCandidate(text: text, confidence: confidence)]
                          + (raw != text ? [PlateCandidate(text: raw, confidence: weakest * 0.9)] : []) + alternative + ranked)
            .prefix(5).map { PlateCandidate(text: $0.text, confidence: ($0.confidence * 1000).rounded() / 1000) }

        return PlateRead(box: detection.box, detectorScore: detection.score, text: text, raw: raw, display: display,
                         confidence: (confidence * 1000).rounded() / 1000,
                         characterConfidences: conf.map { ($0 * 1000).rounded() / 1000 },
                         candidates: candidates, format: format, correction: correction, lines: lines,
                         detector: kind.rawValue, model: fingerprint)
    }
}
