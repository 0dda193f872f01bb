import VideoDecode

/// A region that looks like a plate, before reading.
public struct PlateDetection: Sendable, Equatable {
    public var box: PixelRect
    public var score: Double
    /// The text detector's regions that make up the plate's text, in picture pixels (empty from
    /// a plate detector): read as they are, as the text detector's own pipeline reads its lines.
    public var textRegions: [RotatedRect]
    public init(box: PixelRect, score: Double, textRegions: [RotatedRect] = []) {
        self.box = box; self.score = score; self.textRegions = textRegions
    }
}

/// One candidate text for a plate with its confidence (like OpenALPR's top-N list).
public struct PlateCandidate: Sendable, Codable, Equatable {
    public var text: String
    public var confidence: Double
    public init(text: String, confidence: Double) { self.text = text; self.confidence = confidence }
}

/// A format correction applied to the raw OCR text: recorded, never silent.
public struct PlateCorrection: Sendable, Codable, Equatable {
    public var from: String
    public var to: String
    /// Sum of per-character substitution costs (lower: more certain).
    public var cost: Double
    public init(from: String, to: String, cost: Double) { self.from = from; self.to = to; self.cost = cost }
}

/// A plate found and read in one picture.
public struct PlateRead: Sendable {
    public var box: PixelRect
    public var detectorScore: Double
    /// Normalised: upper case, letters and digits only (two-line plates joined top line first).
    public var text: String
    /// What the reader read, before any format correction (upper case, letters and digits only).
    /// Always among `candidates`, so a search for it finds the plate.
    public var raw: String
    /// Formatted per the matched region format, e.g. `BKN-123`; the text itself when none matched.
    public var display: String
    /// 0–1: the weakest character's confidence, scaled down by any correction.
    public var confidence: Double
    /// Per-character confidence of `text`.
    public var characterConfidences: [Double]
    /// Best first; the first is `text`.
    public var candidates: [PlateCandidate]
    /// Name of the matched format (e.g. `PK-Sindh`), nil for a plate-shaped read that fits none.
    public var format: String?
    public var correction: PlateCorrection?
    public var lines: Int
    public var detector: String
    /// The reader whose read this is (`ppocr` or `platerec`).
    public var reader = PlateReaderKind.ppocr.rawValue
    /// Fingerprints of the detector and reader models.
    public var model: String

    public init(box: PixelRect, detectorScore: Double, text: String, raw: String, display: String, confidence: Double,
                characterConfidences: [Double], candidates: [PlateCandidate], format: String?, correction: PlateCorrection?,
                lines: Int, detector: String, model: String) {
        self.box = box; self.detectorScore = detectorScore; self.text = text; self.raw = raw; self.display = display
        self.confidence = confidence; self.characterConfidences = characterConfidences; self.candidates = candidates
        self.format = format; self.correction = correction; self.lines = lines; self.detector = detector; self.model = model
    }
}

/// The text-detector pipeline's stages on one picture: what `make eval` needs to say where a
/// plate was lost (no text seen, merged into the wrong box, ruled out by shape, no line read,
/// not plate-like, misread).
public struct PlateTrace: Sendable {
    /// The text detector's regions, in picture pixels.
    public var textRegions: [PixelRect]
    public var candidates: [Candidate]

    public struct Candidate: Sendable {
        /// The text regions merged into one box.
        public var textBox: PixelRect
        /// The plate's panel around it; nil where the box's shape ruled it out.
        public var detection: PlateDetection?
        /// Every line read inside the panel, top to bottom (plate characters only).
        public var lines: [String]
        /// The lines kept as the registration, joined.
        public var registration: String
        /// The plate reported; nil where the read was not plate-like or too unsure.
        public var read: PlateRead?
    }
}
