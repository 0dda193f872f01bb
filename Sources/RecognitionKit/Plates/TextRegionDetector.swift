import VideoDecode

/// PP-OCR's DBNet text detector (v6 or v4; Apache-2.0, from rapidocr 3.10.0 or rapidocr-onnxruntime 1.4.4): input
/// [1,3,H,W] BGR, (x/255-0.5)/0.5, H and W multiples of 32; output [1,1,H,W] text probability.
/// Boxes come from connected regions of the map (threshold 0.3, region score ≥ 0.5), grown by
/// the DB "unclip" distance area × 1.6 / perimeter, as in PaddleOCR's post-processing.
public final class TextRegionDetector {
    public let model: InferenceModel
    private let request: InferenceModel.Request
    public var binaryThreshold: Float = 0.3
    public var boxThreshold: Double = 0.5
    public var unclipRatio: Double = 1.6

    public init(model: InferenceModel) throws {
        self.model = model
        request = try model.makeRequest()
    }

    /// A text region with its mean probability.
    public struct Region: Sendable, Equatable {
        public var box: PixelRect
        public var score: Double
    }

    /// Finds text regions. The image is scaled so its longer side is at most `maxSide`
    /// (and its shorter side at least 32), in multiples of 32.
    public func detect(_ image: Image, maxSide: Int = 960) throws -> [Region] {
        let scale = min(1, Double(maxSide) / Double(max(image.width, image.height)))
        func round32(_ v: Double) -> Int { max(32, Int((v / 32).rounded()) * 32) }
        let w = round32(Double(image.width) * scale), h = round32(Double(image.height) * scale)
        let resized = try image.resized(width: w, height: h, format: .rgb)
        var input = [Float](repeating: 0, count: 3 * w * h)
        TensorPacking.write(resized, into: &input, width: w, height: h, order: .bgr, mean: 0.5, std: 0.5)
        let outputs = try request.run([Tensor(shape: [1, 3, h, w], floats: input)])
        guard let map = outputs.first, map.shape.count == 4, map.shape[2] == h, map.shape[3] == w else {
            throw RecognitionError(.inference, file: model.path, reason: "unexpected text detector output")
        }
        let sx = Double(image.width) / Double(w), sy = Double(image.height) / Double(h)
        return Self.regions(in: map.floats, width: w, height: h, threshold: binaryThreshold,
                            boxThreshold: boxThreshold, unclip: unclipRatio)
            .map { r in
                Region(box: PixelRect(x: Int(Double(r.box.x) * sx), y: Int(Double(r.box.y) * sy),
                                      w: Int((Double(r.box.w) * sx).rounded(.up)), h: Int((Double(r.box.h) * sy).rounded(.up)))
                    .clamped(width: image.width, height: image.height), score: r.score)
            }
            .filter { !$0.box.isEmpty }
    }

    /// Connected components (4-neighbour) of `prob > threshold`, as unclipped boxes in map pixels.
    static func regions(in prob: [Float], width: Int, height: Int, threshold: Float,
                        boxThreshold: Double, unclip: Double) -> [Region] {
        var label = [Int32](repeating: 0, count: width * height)
        var regions: [Region] = []
        var stack: [Int] = []
        var next: Int32 = 0
        for start in 0..<(width * height) where prob[start] > threshold && label[start] == 0 {
            next += 1
            label[start] = next
            stack.append(start)
            var minX = width, minY = height, maxX = 0, maxY = 0, sum = 0.0, count = 0
            while let p = stack.popLast() {
                let x = p % width, y = p / width
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                sum += Double(prob[p]); count += 1
                for q in [x > 0 ? p - 1 : -1, x + 1 < width ? p + 1 : -1, y > 0 ? p - width : -1, y + 1 < height ? p + width : -1]
                where q >= 0 && label[q] == 0 && prob[q] > threshold {
                    label[q] = next
                    stack.append(q)
                }
            }
            let bw = maxX - minX + 1, bh = maxY - minY + 1
            guard min(bw, bh) >= 3, sum / Double(count) >= boxThreshold else { continue }
            // DB shrinks text kernels during training; grow them back by the unclip distance.
            let d = Double(bw * bh) * unclip / Double(2 * (bw + bh))
            regions.append(Region(box: PixelRect(x: Int(Double(minX) - d), y: Int(Double(minY) - d),
                                                 w: Int(Double(bw) + 2 * d), h: Int(Double(bh) + 2 * d))
                                      .clamped(width: width, height: height),
                                  score: sum / Double(count)))
        }
        return regions
    }
}

/// The licence-clean plate detector: text regions from DBNet, grown to the plate's panel around
/// the characters. Shape is only a loose guard against slivers (real plates come square, two- and
/// three-line, italic, black); whether a region is a plate is decided by its read being plate-like.
public final class TextPlateDetector {
    public let text: TextRegionDetector
    public var minHeight = 6
    public var minAspect = 0.4
    public var maxAspect = 25.0

    public init(text: TextRegionDetector) { self.text = text }

    /// Plate regions seen with the text detector's input at most `maxSide` pixels on its longer side.
    /// With `tiles`, a picture over 1.5 times that size is also looked at in overlapping tiles of
    /// `maxSide` pixels at a finer scale, so plates that a downscale would shrink to a few pixels
    /// are still seen (a phone photo, a 4K frame); costs about one detector pass per tile.
    public func detect(_ image: Image, maxSide: Int = 1280, tiles: Bool = false) throws -> [PlateDetection] {
        let whole = try text.detect(image, maxSide: maxSide)
        guard tiles, Double(max(image.width, image.height)) > 1.5 * Double(maxSide) else { return plates(in: image, from: whole) }
        let tiled = try tiledRegions(image, tile: maxSide)
        // A region of the whole view is kept only where no tile saw text (tiles see it sharper).
        let kept = whole.filter { w in !tiled.contains { t in overlapShare(t.box, w.box) > 0.5 } }
        return plates(in: image, from: tiled + kept)
    }

    /// Text regions from overlapping tiles; regions touching a tile's inner edge are dropped
    /// (the overlap, a fifth of a tile, holds them whole in the neighbouring tile).
    private func tiledRegions(_ image: Image, tile: Int) throws -> [TextRegionDetector.Region] {
        // At most 2.2 tiles' worth across the longer side: on 4032x3024 photos with 100-330 px
        // plates this read 96.7% exactly in 2.7 s (3.2 across, full resolution: 93.3%, 4.3 s;
        // 1.6 across: 91.7%, 1.8 s; no tiles: 71.7%, 0.5 s).
        let scale = min(1, 2.2 * Double(tile) / Double(max(image.width, image.height)))
        let span = Int(Double(tile) / scale), overlap = span / 5
        func starts(_ length: Int) -> [Int] {
            guard length > span else { return [0] }
            let n = Int((Double(length - overlap) / Double(span - overlap)).rounded(.up))
            return (0..<n).map { min($0 * (span - overlap), length - span) }
        }
        var regions: [TextRegionDetector.Region] = []
        for y in starts(image.height) {
            for x in starts(image.width) {
                let r = PixelRect(x: x, y: y, w: span, h: span).clamped(width: image.width, height: image.height)
                for var found in try text.detect(image.cropped(r), maxSide: tile) {
                    let b = found.box
                    let innerEdge = (b.x <= 1 && r.x > 0) || (b.y <= 1 && r.y > 0)
                        || (b.x + b.w >= r.w - 1 && r.x + r.w < image.width) || (b.y + b.h >= r.h - 1 && r.y + r.h < image.height)
                    guard !innerEdge else { continue }
                    found.box.x += r.x; found.box.y += r.y
                    if !regions.contains(where: { overlapShare($0.box, found.box) > 0.5 }) { regions.append(found) }
                }
            }
        }
        return regions
    }

    /// Intersection over the smaller box's area.
    private func overlapShare(_ a: PixelRect, _ b: PixelRect) -> Double {
        let w = min(a.x + a.w, b.x + b.w) - max(a.x, b.x), h = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
        guard w > 0, h > 0 else { return 0 }
        return Double(w * h) / Double(max(1, min(a.w * a.h, b.w * b.h)))
    }

    private func plates(in image: Image, from regions: [TextRegionDetector.Region]) -> [PlateDetection] {
        // A plate's text can come as pieces: split at the dash (side by side) or over two lines
        // (stacked). Merge such neighbours until nothing changes.
        var boxes = regions.map(\.box)
        var scores = regions.map(\.score)
        var merged = true
        while merged {
            merged = false
            outer: for i in boxes.indices {
                for j in boxes.indices where j > i && (Self.stacked(boxes[i], boxes[j]) || Self.sideBySide(boxes[i], boxes[j]))
                    && PlateExtent.samePanel(image, boxes[i], boxes[j]) {
                    let a = boxes[i], b = boxes[j]
                    let x0 = min(a.x, b.x), y0 = min(a.y, b.y)
                    boxes[i] = PixelRect(x: x0, y: y0, w: max(a.x + a.w, b.x + b.w) - x0, h: max(a.y + a.h, b.y + b.h) - y0)
                    scores[i] = max(scores[i], scores[j])
                    boxes.remove(at: j); scores.remove(at: j)
                    merged = true
                    break outer
                }
            }
        }
        var out: [PlateDetection] = []
        for (box, score) in zip(boxes, scores) {
            let aspect = Double(box.w) / Double(max(box.h, 1))
            // Down to 0.4 (stacked motorcycle plates), up to 25 (a long line of small print).
            guard box.h >= minHeight, aspect >= minAspect, aspect <= maxAspect else { continue }
            out.append(PlateDetection(box: PlateExtent.find(in: image, around: box), score: score))
        }
        return out
    }

    /// Two boxes on one text row (similar height, overlapping vertically) with a gap under a line height.
    static func sideBySide(_ a: PixelRect, _ b: PixelRect) -> Bool {
        let (left, right) = a.x <= b.x ? (a, b) : (b, a)
        let gap = right.x - (left.x + left.w)
        let vOverlap = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
        let lineH = min(a.h, b.h)
        return gap < max(a.h, b.h) && vOverlap > Int(0.6 * Double(lineH)) && Double(max(a.h, b.h)) < 1.5 * Double(lineH)
    }

    /// One box directly above the other, overlapping most of the narrower one horizontally,
    /// with a gap under one line height.
    static func stacked(_ a: PixelRect, _ b: PixelRect) -> Bool {
        let (top, bottom) = a.y <= b.y ? (a, b) : (b, a)
        let overlap = min(top.x + top.w, bottom.x + bottom.w) - max(top.x, bottom.x)
        let gap = bottom.y - (top.y + top.h)
        let lineH = min(top.h, bottom.h)
        return overlap > Int(0.6 * Double(min(top.w, bottom.w))) && gap < lineH / 2
            && Double(max(top.h, bottom.h)) < 1.8 * Double(lineH)
    }
}
