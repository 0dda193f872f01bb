internal import CDlibShim
import Foundation
import VideoDecode

/// Which detector to run.
public enum FaceDetector: String, Sendable, CaseIterable, Codable {
    /// dlib's HOG + linear SVM: fast on a CPU, frontal faces.
    case hog
    /// dlib's MMOD CNN: finds more turned and small faces, ~30× slower, ~1 GB RAM at 720p.
    case mmod
    /// CenterFace (OpenVINO): a small CNN trained on WIDER FACE that finds faces from ~10 px,
    /// followed by dlib's landmarks and descriptor.
    case centerface
}

public struct FaceOptions: Sendable {
    public var detector: FaceDetector
    /// Image doublings before detection: each finds faces half as large (and costs ~4×).
    public var upsample: Int
    /// Minimum detector score. HOG with upsampling yields low-score false positives: 0 keeps them out.
    public var minScore: Double
    public var maxFaces: Int
    /// CenterFace only: the long side the picture is scaled down to first (nil: full resolution).
    /// The defaults are `RecognitionDefaults`'.
    public var maxSide: Int?

    public init(detector: FaceDetector = RecognitionDefaults.faceDetector, upsample: Int = 0, minScore: Double? = nil, maxFaces: Int = 64,
                maxSide: Int? = RecognitionDefaults.faceDetectorSize) {
        self.detector = detector
        self.upsample = upsample
        self.minScore = minScore ?? Self.defaultMinScore(detector)
        self.maxFaces = maxFaces
        self.maxSide = maxSide
    }

    /// HOG: the SVM margin 0; MMOD: 0.3; CenterFace: a heatmap peak of 0.5 (its authors' demo uses 0.35–0.5).
    static func defaultMinScore(_ detector: FaceDetector) -> Double {
        switch detector {
        case .hog: return 0.0
        case .mmod: return 0.3
        case .centerface: return 0.5
        }
    }
}

/// dlib face detection, landmarks, alignment and descriptors. Not thread-safe: give each worker
/// its own engine with `clone()` (the models are loaded once).
// Unchecked: a dlib context is used by one thread at a time (each worker has its own `clone()`).
public final class FaceEngine: @unchecked Sendable {
    /// Euclidean distance below which two descriptors are the same person (the model's published
    /// operating point: 99.38% on LFW).
    public static let samePersonThreshold: Float = 0.6

    private let context: OpaquePointer
    private let centerFace: CenterFaceDetector?
    /// SHA-256 of the model files (the CenterFace detector's too when loaded); stored with every face.
    public let fingerprint: String

    /// Loads the models from the store (MMOD only when asked, it takes ~1 GB at 720p; CenterFace
    /// only when asked). `threads` caps the CenterFace model's CPU threads (1 when workers fill the cores).
    public init(models: ModelStore = ModelStore(), loadMMOD: Bool = false, loadCenterFace: Bool = true,
                precision: InferencePrecision = RecognitionDefaults.precision, threads: Int? = nil) throws {
        let shape = try models.file("face/shape_predictor_5_face_landmarks.dat")
        let net = try models.file("face/dlib_face_recognition_resnet_model_v1.dat")
        let mmod = loadMMOD ? try models.file("face/mmod_human_face_detector.dat") : nil
        let centerFace = loadCenterFace ? try CenterFaceDetector(model: CenterFaceDetector.load(models: models, precision: precision, threads: threads)) : nil
        var err = [CChar](repeating: 0, count: 512)
        guard let ctx = dlibshim_create(shape, net, mmod, &err, err.count) else {
            throw RecognitionError(.modelCorrupt, file: net,
                                   reason: "cannot load face models: \(message(err)) (run `make setup`)")
        }
        context = ctx
        self.centerFace = centerFace
        fingerprint = try ModelStore.fingerprint(name: "dlib-resnet-v1", files: [shape, net])
            + (centerFace.map { "," + $0.fingerprint } ?? "")
    }

    private init(context: OpaquePointer, centerFace: CenterFaceDetector?, fingerprint: String) {
        self.context = context
        self.centerFace = centerFace
        self.fingerprint = fingerprint
    }

    deinit { dlibshim_destroy(context) }

    /// Lets each BLAS call use `threads` threads; use 1 when several workers run faces at once,
    /// or OpenBLAS's own threads fight the workers for the cores.
    public static func setBLASThreads(_ threads: Int) { dlibshim_set_blas_threads(Int32(max(1, threads))) }

    /// An independent engine for another thread.
    public func clone() throws -> FaceEngine {
        guard let copy = dlibshim_clone(context) else {
            throw RecognitionError(.inference, file: "dlib", reason: "cannot clone face models (out of memory?)")
        }
        return FaceEngine(context: copy, centerFace: try centerFace?.clone(), fingerprint: fingerprint)
    }

    /// Finds faces in an RGB image and describes each one.
    /// - Parameter source: named in errors (the photo or video the image came from).
    public func faces(in image: Image, options: FaceOptions = FaceOptions(), source: String = "image") throws -> [Face] {
        try faces(in: image, options: options, source: source, carry: { _ in nil }).map(\.face)
    }

    /// Finds faces and describes those `carry` has no descriptor for. `carry` sees each face found
    /// (box, landmarks, aligned chip, quality; `embedding` empty) and returns the descriptor to reuse
    /// — a tracked face already described surely — or nil to compute it (the costly step: ~a
    /// ResNet pass a face). `carried` says which.
    public func faces(in image: Image, options: FaceOptions = FaceOptions(), source: String = "image",
                      carry: (Face) -> [Float]?) throws -> [(face: Face, carried: Bool)] {
        let (raw, chips) = try detect(image, options: options, withChips: true, source: source)
        guard !raw.isEmpty else { return [] }
        var found = raw.indices.map { i -> (face: Face, carried: Bool) in
            let chip = Image(width: 150, height: 150, format: .rgb, pixels: Array(chips[(i * 67_500)..<((i + 1) * 67_500)]))
            var face = Face(box: raw[i].box, score: raw[i].score, landmarks: raw[i].landmarks,
                            quality: FaceQuality.assess(landmarks: raw[i].landmarks, chip: chip), embedding: [], chip: chip)
            let reused = carry(face)
            face.embedding = reused ?? []
            return (face, reused != nil)
        }
        let fresh = found.indices.filter { !found[$0].carried }
        guard !fresh.isEmpty else { return found }
        let descriptors = try describe(chips: fresh.flatMap { found[$0].face.chip.pixels }, count: fresh.count, source: source)
        for (k, i) in fresh.enumerated() { found[i].face.embedding = Array(descriptors[(k * 128)..<((k + 1) * 128)]) }
        return found
    }

    /// Detection and landmarks only (no chips, no descriptors): for gating and timing.
    public func detections(in image: Image, options: FaceOptions = FaceOptions(), source: String = "image") throws
        -> [(box: PixelRect, score: Double, landmarks: [Point])]
    {
        try detect(image, options: options, withChips: false, source: source).faces
    }

    private func detect(_ image: Image, options: FaceOptions, withChips: Bool, source: String) throws
        -> (faces: [(box: PixelRect, score: Double, landmarks: [Point])], chips: [UInt8])
    {
        guard image.format == .rgb else {
            throw RecognitionError(.invalidInput, file: source, reason: "face detection needs an RGB image")
        }
        guard image.width >= 16, image.height >= 16 else { return ([], []) }
        let maxFaces = max(1, options.maxFaces)
        var raw = [dlibshim_face](repeating: dlibshim_face(), count: maxFaces)
        var chips = [UInt8](repeating: 0, count: withChips ? maxFaces * 67_500 : 0)
        var err = [CChar](repeating: 0, count: 512)
        if options.detector == .centerface {
            guard let centerFace else {
                throw RecognitionError(.invalidInput, file: source, reason: "the CenterFace detector was not loaded")
            }
            let found = try centerFace.detect(image, threshold: Float(options.minScore), maxSide: options.maxSide, source: source)
                .prefix(maxFaces)
            var boxes = found.map { d -> dlibshim_face in
                let b = CenterFaceDetector.dlibBox(d)
                var f = dlibshim_face()
                f.left = Int32(b.x); f.top = Int32(b.y); f.width = Int32(b.w); f.height = Int32(b.h); f.score = d.score
                return f
            }
            guard !boxes.isEmpty else { return ([], []) }
            let n = image.pixels.withUnsafeBufferPointer { px in
                chips.withUnsafeMutableBufferPointer { chipBuf in
                    dlibshim_fit(context, px.baseAddress, Int32(image.width), Int32(image.height), &boxes, Int32(boxes.count),
                                 &raw, withChips ? chipBuf.baseAddress : nil, &err, err.count)
                }
            }
            return try collect(n, raw, chips, err, source: source)
        }
        let n = image.pixels.withUnsafeBufferPointer { px in
            chips.withUnsafeMutableBufferPointer { chipBuf in
                dlibshim_detect(context, px.baseAddress, Int32(image.width), Int32(image.height),
                                Int32(options.upsample), options.minScore, options.detector == .mmod ? 1 : 0,
                                &raw, withChips ? chipBuf.baseAddress : nil, Int32(maxFaces), &err, err.count)
            }
        }
        return try collect(n, raw, chips, err, source: source)
    }

    private func collect(_ n: Int32, _ raw: [dlibshim_face], _ chips: [UInt8], _ err: [CChar], source: String) throws
        -> (faces: [(box: PixelRect, score: Double, landmarks: [Point])], chips: [UInt8])
    {
        guard n >= 0 else {
            throw RecognitionError(.inference, file: source, reason: "face detection failed: \(message(err))")
        }
        let faces = (0..<Int(n)).map { i in
            let f = raw[i]
            let landmarks = withUnsafeBytes(of: f.landmarks) { buf in
                let v = buf.bindMemory(to: Float.self)
                return (0..<5).map { Point(x: Double(v[2 * $0]), y: Double(v[2 * $0 + 1])) }
            }
            return (box: PixelRect(x: Int(f.left), y: Int(f.top), w: Int(f.width), h: Int(f.height)), score: f.score, landmarks: landmarks)
        }
        return (faces, Array(chips.prefix(faces.count * 67_500)))
    }

    /// 128-D descriptors for aligned 150×150 RGB chips (e.g. dlib's example `johns` chips).
    public func describe(chips: [Image], source: String = "chips") throws -> [[Float]] {
        guard chips.allSatisfy({ $0.width == 150 && $0.height == 150 && $0.format == .rgb }) else {
            throw RecognitionError(.invalidInput, file: source, reason: "chips must be 150x150 RGB")
        }
        let flat = try describe(chips: chips.flatMap(\.pixels), count: chips.count, source: source)
        return (0..<chips.count).map { Array(flat[($0 * 128)..<(($0 + 1) * 128)]) }
    }

    private func describe(chips: [UInt8], count: Int, source: String) throws -> [Float] {
        var out = [Float](repeating: 0, count: count * 128)
        var err = [CChar](repeating: 0, count: 512)
        let rc = chips.withUnsafeBufferPointer { dlibshim_describe(context, $0.baseAddress, Int32(count), &out, &err, err.count) }
        guard rc == 0 else {
            throw RecognitionError(.inference, file: source, reason: "face descriptor failed: \(message(err))")
        }
        return out
    }
}

/// Text of a NUL-terminated C error buffer.
private func message(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
