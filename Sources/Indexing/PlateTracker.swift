import RecognitionKit
import VideoDecode

/// Track, then read once. A vehicle crossing a view is sampled several times; once two reads of
/// its plate agree and are sure, later looks at the same plate reuse that read instead of
/// reading again. A look continues a track when its box is the track's size (±20%), has moved
/// less than three plate widths since the track's last look, at most `maxGap` seconds before,
/// and its pixels look the same (normalised cross-correlation of 48×16 gray thumbnails ≥ 0.9).
/// Reads are never replaced: a plate that is not yet sure, or a look that matches no track, is
/// read as before. One tracker per file.
struct PlateTracker {
    /// A read is sure when every character is (the plate grammar's 0.9).
    static let sureConfidence = 0.9
    static let minCorrelation: Float = 0.9
    let maxGap: Double

    private struct Track {
        var box: PixelRect
        var pts: Double
        var thumb: [Float]
        var read: PlateRead?
        /// Consecutive sure reads with the same text.
        var agreeing: Int
    }
    private var tracks: [Track] = []
    /// Looks answered from a track instead of the reader.
    private(set) var reused = 0

    init(maxGap: Double) { self.maxGap = maxGap }

    /// The plate in `box` of `image` (which sits at `origin` in the frame), read, or taken from the
    /// track it continues when that track's read is sure. `carried` says which.
    mutating func read(_ image: Image, at detection: PlateDetection, origin: (x: Int, y: Int), pts: Double,
                       reader: (PlateDetection) throws -> PlateRead?) rethrows -> (read: PlateRead, carried: Bool)? {
        let b = detection.box
        let box = PixelRect(x: b.x + origin.x, y: b.y + origin.y, w: b.w, h: b.h)
        let thumb = LookThumbnail.make(image, b, width: 48, height: 16)
        let match = tracks.indices.filter { i in
            let t = tracks[i]
            let dx = Double((t.box.x + t.box.w / 2) - (box.x + box.w / 2)), dy = Double((t.box.y + t.box.h / 2) - (box.y + box.h / 2))
            let rw = Double(box.w) / Double(max(t.box.w, 1)), rh = Double(box.h) / Double(max(t.box.h, 1))
            return pts > t.pts && pts - t.pts <= maxGap && (0.8...1.25).contains(rw) && (0.8...1.25).contains(rh)
                && (dx * dx + dy * dy).squareRoot() <= 3 * Double(max(t.box.w, box.w))
        }
        .map { (index: $0, score: LookThumbnail.correlation(tracks[$0].thumb, thumb)) }
        .filter { $0.score >= Self.minCorrelation }
        .max { $0.score < $1.score }

        if let m = match, tracks[m.index].agreeing >= 2, var carried = tracks[m.index].read {
            tracks[m.index].box = box
            tracks[m.index].pts = pts
            tracks[m.index].thumb = thumb
            reused += 1
            carried.box = b
            return (carried, true)
        }
        let fresh = try reader(detection)
        let sure = fresh.map { $0.confidence >= Self.sureConfidence } ?? false
        if let m = match {
            var t = tracks[m.index]
            t.agreeing = sure ? (t.read?.text == fresh?.text ? t.agreeing + 1 : 1) : 0
            if fresh != nil { t.read = fresh }
            t.box = box; t.pts = pts; t.thumb = thumb
            tracks[m.index] = t
        } else {
            tracks.append(Track(box: box, pts: pts, thumb: thumb, read: fresh, agreeing: sure ? 1 : 0))
        }
        tracks.removeAll { pts - $0.pts > maxGap }
        return fresh.map { ($0, false) }
    }
}
