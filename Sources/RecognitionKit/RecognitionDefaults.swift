import Foundation
import VideoDecode

/// The one default of every recognition choice. Each command that detects (`plates`, `faces`,
/// `face-compare`, `search --face` and `track --face` on the probe photo, `export --face`,
/// watchlist enrolment, `index`, `nightly`) starts from these, so a face or plate one command
/// finds, the others find too.
public enum RecognitionDefaults {
    /// PP-OCR's text detector (Apache-2.0): best on the real and synthetic plate sets.
    public static let plateDetector = PlateDetectorKind.text
    public static let plateReader = PlateReaderKind.ppocr
    public static let plateOCR = PlateOCRVersion.v6
    /// Pakistani formats first (the deployment); `any` keeps reads as read.
    public static let plateRegion = "pk"
    /// Longer side of the text detector's input, pixels.
    public static let plateDetectorSize = 1280
    /// f32: the same numbers on every CPU (bf16 differs by CPU, and measured no faster without AMX).
    public static let precision = InferencePrecision.f32
    /// CenterFace finds faces from ~10 px; dlib's HOG only from ~80 px (0 of 5 faces in a real
    /// clip at half size).
    public static let faceDetector = FaceDetector.centerface
    /// CenterFace: the long side a picture is scaled down to (a 1080p frame's faces from ~20 px).
    public static let faceDetectorSize = 1280
}

extension FaceEngine {
    /// The face in a probe photo (a suspect's, a witness's): found as indexing finds faces, the
    /// largest when there are several; a photo without one is refused, naming it.
    public func probeFace(in photo: String, largest: Bool = true) throws -> Face {
        // Landmarks and descriptors need no more than ~2,000 px: a poster-size scan is read downscaled.
        let faces = try self.faces(in: StillImage.load(photo, maxWidth: 2048, maxHeight: 2048), options: FaceOptions(), source: photo)
        guard !faces.isEmpty else { throw RecognitionError(.noFace, file: photo, reason: "no face found") }
        if faces.count > 1 && !largest {
            throw RecognitionError(.severalFaces, file: photo, reason: "\(faces.count) faces found; pass --largest to use the biggest")
        }
        return faces.max { $0.box.w * $0.box.h < $1.box.w * $1.box.h }!
    }
}
