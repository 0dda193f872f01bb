import RecognitionKit
import VideoDecode

/// Track, then describe once: the faces' counterpart of `PlateTracker`. A person crossing a view
/// is sampled several times; once two descriptors of a tracked face agree (closer than
/// `sureDistance`), later looks at it reuse the track's descriptor instead of computing one (a
/// ResNet pass a face) — unless the look is a clearly better view than any described so far
/// (quality higher by `betterView`), since the best view is what the face track keeps and what
/// searches compare. A look continues a track when its box is the track's size (±25%), at most
/// `maxGap` seconds later, has moved at most `maxWidthsPerSecond` face widths a second since (a
/// face a few widths wide crosses a view in seconds: the bench's pedestrians move 3.7 widths a
/// second, more than the three widths a plate may), and its aligned chip looks the same
/// (normalised cross-correlation of 32×32 gray thumbnails ≥ 0.85). Detection still runs every
/// look: a new face, or one the track does not vouch for, is described as before. One per file.
struct FaceTracker {
    /// Two descriptors this close are one person beyond doubt (the same-person threshold is 0.6).
    static let sureDistance: Float = 0.4
    static let betterView = 0.1
    static let minCorrelation: Float = 0.85
    static let maxWidthsPerSecond = 6.0
    let maxGap: Double

    private struct Track {
        var box: PixelRect
        var pts: Double
        var thumb: [Float]
        var embedding: [Float]
        var bestQuality: Double
        var sure: Bool
    }
    private var tracks: [Track] = []
    /// Looks answered from a track instead of the descriptor network.
    private(set) var reused = 0

    init(maxGap: Double) { self.maxGap = maxGap }

    /// The descriptor to reuse for `face` (found at `pts`, box in frame pixels), or nil to describe it.
    mutating func carry(_ face: Face, box: PixelRect, pts: Double) -> [Float]? {
        let thumb = LookThumbnail.make(face.chip, width: 32, height: 32)
        guard let i = match(box: box, thumb: thumb, pts: pts), tracks[i].sure,
              face.quality.score <= tracks[i].bestQuality + Self.betterView else { return nil }
        tracks[i].box = box; tracks[i].pts = pts; tracks[i].thumb = thumb
        reused += 1
        return tracks[i].embedding
    }

    /// Records a face that was described at `pts`.
    mutating func described(_ face: Face, box: PixelRect, pts: Double) {
        let thumb = LookThumbnail.make(face.chip, width: 32, height: 32)
        if let i = match(box: box, thumb: thumb, pts: pts) {
            var t = tracks[i]
            t.sure = faceDistance(t.embedding, face.embedding) < Self.sureDistance
            if face.quality.score >= t.bestQuality { t.embedding = face.embedding; t.bestQuality = face.quality.score }
            t.box = box; t.pts = pts; t.thumb = thumb
            tracks[i] = t
        } else {
            tracks.append(Track(box: box, pts: pts, thumb: thumb, embedding: face.embedding, bestQuality: face.quality.score, sure: false))
        }
        tracks.removeAll { pts - $0.pts > maxGap }
    }

    private func match(box: PixelRect, thumb: [Float], pts: Double) -> Int? {
        tracks.indices.filter { i in
            let t = tracks[i]
            let dx = Double((t.box.x + t.box.w / 2) - (box.x + box.w / 2)), dy = Double((t.box.y + t.box.h / 2) - (box.y + box.h / 2))
            let rw = Double(box.w) / Double(max(t.box.w, 1))
            return pts > t.pts && pts - t.pts <= maxGap && (0.8...1.25).contains(rw)
                && (dx * dx + dy * dy).squareRoot() <= Self.maxWidthsPerSecond * max(1, pts - t.pts) * Double(max(t.box.w, box.w))
        }
        .map { (index: $0, score: LookThumbnail.correlation(tracks[$0].thumb, thumb)) }
        .filter { $0.score >= Self.minCorrelation }
        .max { $0.score < $1.score }?.index
    }
}
