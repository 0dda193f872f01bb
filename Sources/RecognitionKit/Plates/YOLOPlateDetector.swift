import VideoDecode

/// `platedet` (PyPI 0.0.2): an Ultralytics YOLOv8s-seg plate detector, input [1,3,640,640] RGB/255
/// letterboxed with grey 114, output0 [1,37,8400] = cx, cy, w, h, score, 32 mask coefficients.
/// Licence: the model metadata says AGPL-3.0 (Ultralytics), hence the pluggable detector seam.
public final class YOLOPlateDetector {
    public static let inputSize = 640
    public let model: InferenceModel
    private let request: InferenceModel.Request
    public var scoreThreshold: Double
    public var nmsIoU: Double

    public init(model: InferenceModel, scoreThreshold: Double = 0.4, nmsIoU: Double = 0.4) throws {
        self.model = model
        request = try model.makeRequest()
        self.scoreThreshold = scoreThreshold
        self.nmsIoU = nmsIoU
    }

    public func detect(_ image: Image) throws -> [PlateDetection] {
        let n = Self.inputSize
        let r = min(Double(n) / Double(image.width), Double(n) / Double(image.height))
        let nw = max(1, Int((Double(image.width) * r).rounded())), nh = max(1, Int((Double(image.height) * r).rounded()))
        let left = (n - nw) / 2, top = (n - nh) / 2
        let resized = try image.resized(width: nw, height: nh, format: .rgb)
        var input = [Float](repeating: 114 / 255, count: 3 * n * n)
        TensorPacking.write(resized, into: &input, width: n, height: n, left: left, top: top, order: .rgb, mean: 0, std: 1)
        let outputs = try request.run([Tensor(shape: [1, 3, n, n], floats: input)])
        guard let out = outputs.first(where: { $0.shape.count == 3 && $0.shape[1] == 37 }) else {
            throw RecognitionError(.inference, file: model.path, reason: "unexpected platedet outputs \(outputs.map(\.shape))")
        }
        let anchors = out.shape[2]
        let v = out.floats
        var boxes: [PixelRect] = [], scores: [Double] = []
        for j in 0..<anchors {
            let score = Double(v[4 * anchors + j])

            guard score > scoreThreshold else { continue }
            let cx = Double(v[j]), cy = Double(v[anchors + j]), w = Double(v[2 * anchors + j]), h = Double(v[3 * anchors + j])
            let x0 = ((cx - w / 2) - Double(left)) / r, y0 = ((cy - h / 2) - Double(top)) / r
            let box = PixelRect(x: Int(x0.rounded()), y: Int(y0.rounded()), w: Int((w / r).rounded()), h: Int((h / r).rounded()))
                .clamped(width: image.width, height: image.height)
            guard !box.isEmpty else { continue }
            boxes.append(box); scores.append(score)
        }
        return nonMaximumSuppression(boxes, scores: scores, iouThreshold: nmsIoU).map { PlateDetection(box: boxes[$0], score: scores[$0]) }
    }
}
