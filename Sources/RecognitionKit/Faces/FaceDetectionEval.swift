import Foundation
import VideoDecode

/// Detection recall against a dlib imglab XML file (`<image file=…><box top left width height/>`),
/// as used by `make eval`, the tests and the benchmark.
public enum FaceDetectionEval {
    public struct Result: Sendable {
        public var labelled = 0
        public var found = 0
        public var falsePositives = 0
        public var images = 0
        public var seconds = 0.0
        public var recall: Double { labelled == 0 ? 0 : Double(found) / Double(labelled) }
    }

    /// Counts labelled faces at least `minSize` px wide that a detection overlaps at IoU ≥ 0.5.
    public static func run(dataset: String, options: FaceOptions, engine: FaceEngine, minSize: Int = 40) throws -> Result {
        let xml = try String(contentsOfFile: dataset, encoding: .isoLatin1)
        let dir = (dataset as NSString).deletingLastPathComponent
        var result = Result()
        let imageRx = try NSRegularExpression(pattern: #"<image file='([^']+)'[^>]*>(.*?)</image>"#, options: [.dotMatchesLineSeparators])
        let boxRx = try NSRegularExpression(pattern: #"<box top='(-?\d+)' left='(-?\d+)' width='(\d+)' height='(\d+)'"#)
        let ns = xml as NSString
        for m in imageRx.matches(in: xml, range: NSRange(location: 0, length: ns.length)) {
            let file = dir + "/" + ns.substring(with: m.range(at: 1))
            let body = ns.substring(with: m.range(at: 2)) as NSString
            let boxes = boxRx.matches(in: body as String, range: NSRange(location: 0, length: body.length)).map { b in
                let v = (1...4).map { Int(body.substring(with: b.range(at: $0)))! }
                return PixelRect(x: v[1], y: v[0], w: v[2], h: v[3])
            }
            let start = Date()
            let faces = try engine.faces(in: StillImage.load(file), options: options, source: file)
            result.seconds += Date().timeIntervalSince(start)
            result.images += 1
            var matched = Set<Int>()
            for box in boxes where box.w >= minSize {
                result.labelled += 1
                if let i = faces.indices.first(where: { !matched.contains($0) && iou(faces[$0].box, box) >= 0.5 }) {
                    matched.insert(i)
                    result.found += 1
                }
            }
            // A detection that overlaps no labelled face of any size is a false positive.
            result.falsePositives += faces.filter { f in !boxes.contains { iou(f.box, $0) >= 0.3 } }.count
        }
        return result
    }
}

/// Intersection over union of two rectangles.
public func iou(_ a: PixelRect, _ b: PixelRect) -> Double {
    let x0 = max(a.x, b.x), y0 = max(a.y, b.y)
    let x1 = min(a.x + a.w, b.x + b.w), y1 = min(a.y + a.h, b.y + b.h)
    let inter = Double(max(0, x1 - x0) * max(0, y1 - y0))
    let union = Double(a.w * a.h + b.w * b.h) - inter
    return union > 0 ? inter / union : 0
}
