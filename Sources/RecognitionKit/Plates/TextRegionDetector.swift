import Foundation
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
        /// The upright box around `line`, inside the picture.
        public var box: PixelRect
        public var score: Double
        /// The region as turned as its text (a tilted plate's line).
        public var line: RotatedRect

        public init(box: PixelRect, score: Double, line: RotatedRect? = nil) {
            self.box = box; self.score = score; self.line = line ?? RotatedRect(box)
        }

        /// Moved by (dx, dy) pixels.
        func offset(_ dx: Int, _ dy: Int) -> Region {
            var r = self
            r.box.x += dx; r.box.y += dy; r.line.cx += Double(dx); r.line.cy += Double(dy)
            return r
        }
    }

    /// Finds text regions. The image is scaled so its longer side is at most `maxSide`
    /// (and its shorter side at least 32), in multiples of 32.
    public func detect(_ image: Image, maxSide: Int = 960) throws -> [Region] {
        try detect(image, scale: min(1, Double(maxSide) / Double(max(image.width, image.height))))
    }

    /// Finds text regions with the image scaled by `scale` (sides rounded to multiples of 32).
    public func detect(_ image: Image, scale: Double) throws -> [Region] {
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
                // Map pixels to picture pixels (sx and sy differ slightly: sides are multiples of 32).
                let line = RotatedRect.enclosing(r.line.corners.map { ($0.x * sx, $0.y * sy) })
                return Region(box: line.boundingBox.clamped(width: image.width, height: image.height), score: r.score, line: line)
            }
            .filter { !$0.box.isEmpty }
    }

    /// Connected components (4-neighbour) of `prob > threshold`, as unclipped boxes in map pixels:
    /// the smallest turned rectangle around each component (PaddleOCR's `get_mini_boxes`), grown
    /// by the unclip distance.
    static func regions(in prob: [Float], width: Int, height: Int, threshold: Float,
                        boxThreshold: Double, unclip: Double) -> [Region] {
        var label = [Int32](repeating: 0, count: width * height)
        // Each component's leftmost and rightmost pixel per row (reset after each component).
        var rowMin = [Int](repeating: Int.max, count: height), rowMax = [Int](repeating: -1, count: height)
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
                rowMin[y] = min(rowMin[y], x); rowMax[y] = max(rowMax[y], x)
                sum += Double(prob[p]); count += 1
                for q in [x > 0 ? p - 1 : -1, x + 1 < width ? p + 1 : -1, y > 0 ? p - width : -1, y + 1 < height ? p + width : -1]
                where q >= 0 && label[q] == 0 && prob[q] > threshold {
                    label[q] = next
                    stack.append(q)
                }
            }
            // The outer corners of each row's end pixels: their hull is the component's outline.
            var outline: [(x: Double, y: Double)] = []
            outline.reserveCapacity(4 * (maxY - minY + 1))
            for y in minY...maxY {
                let left = Double(rowMin[y]), right = Double(rowMax[y] + 1), top = Double(y), bottom = Double(y + 1)
                outline += [(left, top), (right, top), (left, bottom), (right, bottom)]
                rowMin[y] = Int.max; rowMax[y] = -1
            }
            let bw = maxX - minX + 1, bh = maxY - minY + 1
            guard min(bw, bh) >= 3, sum / Double(count) >= boxThreshold else { continue }
            let kernel = RotatedRect.enclosing(outline)
            guard min(kernel.width, kernel.height) >= 3 else { continue }
            // DB shrinks text kernels during training; grow them back by the unclip distance.
            let d = kernel.width * kernel.height * unclip / (2 * (kernel.width + kernel.height))
            let line = kernel.grown(by: d)
            regions.append(Region(box: line.boundingBox.clamped(width: width, height: height), score: sum / Double(count), line: line))
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
    /// `coarser` < 1 looks at that fraction of the usual scale (the index cascade's glance).
    public func detect(_ image: Image, maxSide: Int = 1280, tiles: Bool = false, frame: (width: Int, height: Int)? = nil,
                       coarser: Double = 1) throws -> [PlateDetection] {
        try candidates(image, maxSide: maxSide, tiles: tiles, frame: frame, coarser: coarser).candidates.compactMap(\.detection)
    }

    /// The text detector's scale for a `width`×`height` picture, as PP-OCR's pipeline chooses it:
    /// the longer side at most `maxSide`, but the shorter side brought up to 736 px (the scale
    /// DBNet is used at), the longer side then at most 2000. Without the second step a small
    /// photo is seen too coarsely: on a 431×768 phone photo the plate's registration and its
    /// `ICT-ISLAMABAD` line ran together into one region and read as "AJ".
    public static func scale(width: Int, height: Int, maxSide: Int) -> Double {
        let long = Double(max(width, height)), short = Double(max(1, min(width, height)))
        var s = min(1, Double(maxSide) / long)
        if short * s < minShortSide { s = min(minShortSide / short, max(s, maxLongSide / long)) }
        return s
    }
    static let minShortSide = 736.0, maxLongSide = 2000.0

    /// Every stage of finding plates: the text regions, the boxes they merge into, and the plate
    /// each box became (nil where its shape ruled it out). `detect` keeps the plates; `make eval`
    /// looks at the stages to name the one that lost a plate.
    /// `frame`: the size of the whole picture when `image` is a region of it (a moving part of a
    /// video frame): the region is seen at the scale the whole frame would be.
    public func candidates(_ image: Image, maxSide: Int = 1280, tiles: Bool = false, frame: (width: Int, height: Int)? = nil,
                           coarser: Double = 1) throws -> (regions: [TextRegionDetector.Region], candidates: [PlateCandidateBox]) {
        let whole = try text.detect(image, scale: coarser * Self.scale(width: frame?.width ?? image.width, height: frame?.height ?? image.height,
                                                                       maxSide: maxSide))
        guard tiles, Double(max(image.width, image.height)) > 1.5 * Double(maxSide) else { return (whole, plates(in: image, from: whole)) }
        let tiled = try tiledRegions(image, tile: maxSide)
        // A region of the whole view gives way where the tiles saw most of it (they see it
        // sharper). Only most of it: a plate wider than the tiles' overlap lies whole in no
        // tile, and the specks a tile sees on it (screws, dirt) must not hide it.
        let kept = whole.filter { w in
            let covered = tiled.reduce(0) { $0 + intersection($1.box, w.box) }
            return Double(covered) < 0.5 * Double(w.box.w * w.box.h)
        }
        return (tiled + kept, plates(in: image, from: tiled + kept))
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
                    found = found.offset(r.x, r.y)
                    if !regions.contains(where: { overlapShare($0.box, found.box) > 0.5 }) { regions.append(found) }
                }
            }
        }
        return regions
    }

    /// Intersection over the smaller box's area.
    private func overlapShare(_ a: PixelRect, _ b: PixelRect) -> Double {
        Double(intersection(a, b)) / Double(max(1, min(a.w * a.h, b.w * b.h)))
    }

    private func intersection(_ a: PixelRect, _ b: PixelRect) -> Int {
        let w = min(a.x + a.w, b.x + b.w) - max(a.x, b.x), h = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
        return w > 0 && h > 0 ? w * h : 0
    }

    private func plates(in image: Image, from regions: [TextRegionDetector.Region]) -> [PlateCandidateBox] {
        // A plate's text can come as pieces: split at the dash (side by side) or over two or three
        // lines (stacked). Merge such neighbours until nothing changes; neighbours are judged as
        // turned as their text, so a tilted plate's lines are not mistaken for other rows.
        var boxes = regions.map(\.box)
        var scores = regions.map(\.score)
        var parts = regions.map { [$0.line] }
        var merged = true
        while merged {
            merged = false
            outer: for i in boxes.indices {
                for j in boxes.indices where j > i && parts[i].contains(where: { a in parts[j].contains { b in Self.onePlate(a, b) } })
                    && PlateExtent.samePanel(image, boxes[i], boxes[j]) {
                    let a = boxes[i], b = boxes[j]
                    let x0 = min(a.x, b.x), y0 = min(a.y, b.y)
                    boxes[i] = PixelRect(x: x0, y: y0, w: max(a.x + a.w, b.x + b.w) - x0, h: max(a.y + a.h, b.y + b.h) - y0)
                    scores[i] = max(scores[i], scores[j])
                    parts[i] += parts[j]
                    boxes.remove(at: j); scores.remove(at: j); parts.remove(at: j)
                    merged = true
                    break outer
                }
            }
        }
        return boxes.indices.map { i in
            let box = boxes[i]
            let aspect = Double(box.w) / Double(max(box.h, 1))
            // Down to 0.4 (stacked motorcycle plates), up to 25 (a long line of small print).
            guard box.h >= minHeight, aspect >= minAspect, aspect <= maxAspect else { return PlateCandidateBox(text: box, detection: nil) }
            return PlateCandidateBox(text: box, detection: PlateDetection(box: PlateExtent.find(in: image, around: box), score: scores[i],
                                                                          textRegions: parts[i]))
        }
    }

    /// Whether two text lines could be pieces of one plate: side by side or stacked, measured
    /// along and across the wider line's direction.
    static func onePlate(_ a: RotatedRect, _ b: RotatedRect) -> Bool {
        let angle = a.width >= b.width ? a.angle : b.angle
        func span(_ r: RotatedRect, along axis: (Double, Double)) -> (lo: Double, hi: Double) {
            let p = r.corners.map { $0.x * axis.0 + $0.y * axis.1 }
            return (p.min()!, p.max()!)
        }
        let u = (cos(angle), sin(angle)), v = (-sin(angle), cos(angle))
        let (au, bu, av, bv) = (span(a, along: u), span(b, along: u), span(a, along: v), span(b, along: v))
        let alongOverlap = min(au.hi, bu.hi) - max(au.lo, bu.lo), acrossOverlap = min(av.hi, bv.hi) - max(av.lo, bv.lo)
        let lineH = min(a.height, b.height), tallH = max(a.height, b.height)
        // Side by side: one row (similar height, overlapping across), a gap under a line height.
        let sideBySide = -alongOverlap < tallH && acrossOverlap > 0.6 * lineH && tallH < 1.5 * lineH
        // Stacked: most of the narrower line over the other, a gap under half a line, heights
        // within 1.8x. Only an upper line may be smaller still, down to half the lower's height
        // (a motorcycle's letters over its digits); a city or province name, a third of it, is
        // its own region, and a smaller line under bigger text is not a plate's.
        let smallerIsUpper = (a.height < b.height) == ((av.lo + av.hi) < (bv.lo + bv.hi))
        let stacked = alongOverlap > 0.6 * min(a.width, b.width) && -acrossOverlap < lineH / 2
            && tallH < (smallerIsUpper ? 2.2 : 1.8) * lineH
        return sideBySide || stacked
    }
}

/// Text boxes merged into one candidate, and the plate (panel extent) it became; nil where its
/// shape ruled it out.
public struct PlateCandidateBox: Sendable {
    public var text: PixelRect
    public var detection: PlateDetection?
}
