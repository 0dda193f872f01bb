import Foundation
import IncidentStore
import RecognitionKit

/// Settings of one indexing run; stored with the run so results can be traced and reproduced.
public struct IndexOptions: Sendable, Codable, Equatable {
    public var plates = true
    public var faces = true
    public var workers = 2
    /// Seconds between sampled frames: a vehicle crossing a view in 2–5 s is read 2–5 times.
    public var every = 1.0
    public var plateDetector = RecognitionDefaults.plateDetector
    /// Longer side of the text detector's input, in pixels (see `PlateRecognizer.detectionMaxSide`).
    public var plateDetectorSize = RecognitionDefaults.plateDetectorSize
    /// PP-OCR generation that finds and reads plate text.
    public var plateOCR = RecognitionDefaults.plateOCR
    /// Region whose plate formats may correct a read (`any`: none; reads are kept as read).
    public var plateRegion = RecognitionDefaults.plateRegion
    /// CenterFace finds faces from ~10 px in what it is given; HOG from ~80 px (each upsampling
    /// halves that at ~4x the cost).
    public var faceDetector = RecognitionDefaults.faceDetector
    /// CenterFace: longer side the searched region is scaled down to (1280: a 1080p frame's faces
    /// from ~20 px wide, at about half the cost of full resolution).
    public var faceDetectorSize = RecognitionDefaults.faceDetectorSize
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
    public var precision = RecognitionDefaults.precision
    /// CPU threads each model inference may use (nil: the cores shared out among the files
    /// analysed at once). Does not change results.
    public var modelThreads: Int?
    /// Reuse a tracked plate's read once two sure reads agree (see `PlateTracker`).
    public var plateTracking = true
    /// Reuse a tracked face's descriptor once two descriptors agree (see `FaceTracker`).
    public var faceTracking = true
    /// Between full looks, look for faces only inside the people the person detector finds, and for
    /// plates only around what the text detector glimpses at `plateGlance` of its scale (and where
    /// plates were a look ago); the people are stored too. Off (the default): every look is a full
    /// look (the text detector and CenterFace over every moving part). Not the default: faster on
    /// busy streets, but it lost a marginal plate on the bench's quiet real-car street.
    public var cascade = false
    /// With the cascade, a full look at every moving part at least this often (seconds): it finds the
    /// plates too small to glimpse and the faces of people the detector missed.
    public var fullLookEvery = 2.0
    /// With the cascade, the scale of the plate glance as a fraction of the text detector's.
    public var plateGlance = 0.5

    public init() {}

    /// Settings stored by an older version lack the newer keys: those take their defaults (an
    /// archive index's settings are read by every nightly run).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        let d = IndexOptions()
        plates = try value(.plates, d.plates); faces = try value(.faces, d.faces); workers = try value(.workers, d.workers)
        every = try value(.every, d.every); plateDetector = try value(.plateDetector, d.plateDetector)
        plateDetectorSize = try value(.plateDetectorSize, d.plateDetectorSize); plateOCR = try value(.plateOCR, d.plateOCR)
        plateRegion = try value(.plateRegion, d.plateRegion); faceDetector = try value(.faceDetector, d.faceDetector)
        faceDetectorSize = try value(.faceDetectorSize, d.faceDetectorSize); faceUpsample = try value(.faceUpsample, d.faceUpsample)
        referenceFramesOnly = try value(.referenceFramesOnly, d.referenceFramesOnly); fullFrameEvery = try value(.fullFrameEvery, d.fullFrameEvery)
        skipQuietGOPs = try value(.skipQuietGOPs, d.skipQuietGOPs); precision = try value(.precision, d.precision)
        modelThreads = try c.decodeIfPresent(Int.self, forKey: .modelThreads)
        plateTracking = try value(.plateTracking, d.plateTracking); faceTracking = try value(.faceTracking, d.faceTracking)
        cascade = try value(.cascade, d.cascade); fullLookEvery = try value(.fullLookEvery, d.fullLookEvery)
        plateGlance = try value(.plateGlance, d.plateGlance)
    }

    enum CodingKeys: String, CodingKey {
        case plates, faces, workers, every
        case plateDetector = "plate_detector", plateDetectorSize = "plate_detector_size", faceUpsample = "face_upsample", fullFrameEvery = "full_frame_every"
        case plateOCR = "plate_ocr", plateRegion = "plate_region"
        case faceDetector = "face_detector", faceDetectorSize = "face_detector_size"
        case referenceFramesOnly = "reference_frames_only", skipQuietGOPs = "skip_quiet_gops", plateTracking = "plate_tracking", precision, modelThreads = "model_threads"
        case faceTracking = "face_tracking", cascade, fullLookEvery = "full_look_every", plateGlance = "plate_glance"
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
    /// Looks at plates and faces: how many were read or described, how many a track answered.
    public var looks = LookCounts()

    enum CodingKeys: String, CodingKey {
        case catalogued, indexed, failed, skipped, errors, sightings, interrupted, pending, integrity, reused, looks
        case stillWriting = "still_writing", storageFailure = "storage_failure"
        case noTime = "no_time", footageSeconds = "footage_seconds", wallSeconds = "wall_seconds", faceTracks = "face_tracks"
    }
}
