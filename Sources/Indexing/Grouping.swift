import Foundation
import IncidentStore
import RecognitionKit
import VideoDecode

/// A plate read with the time and crop it came from.
public struct TimedPlateRead: Sendable {
    public var pts: Double
    public var read: PlateRead
    public var crop: Data?
    /// The plate touched the edge of the analysed picture: its read may miss characters there.
    public var cut: Bool

    public init(pts: Double, read: PlateRead, crop: Data?, cut: Bool = false) {
        self.pts = pts; self.read = read; self.crop = crop; self.cut = cut
    }
}

public struct TimedFace: Sendable {
    public var pts: Double
    public var face: Face
}

public enum Grouping {
    /// Reads of one vehicle pass become one sighting: reads whose texts are within 2 edits of the
    /// sighting's current vote and less than `maxGap` seconds after its last read.
    public static func sightings(_ reads: [TimedPlateRead], maxGap: Double = 3) -> [PlateSightingRecord] {
        var groups: [[TimedPlateRead]] = []
        for r in reads.sorted(by: { $0.pts < $1.pts }) {
            if let i = groups.lastIndex(where: { g in
                r.pts - g.last!.pts <= maxGap && editDistance(vote(g).text, r.read.text) <= 2
            }) {
                groups[i].append(r)
            } else {
                groups.append([r])
            }
        }
        return groups.map { g in
            let v = vote(g)
            let best = g.filter { $0.read.text == v.text }.max { $0.read.confidence < $1.read.confidence }!
            var texts: [String: Double] = [:]
            for r in g {
                for c in r.read.candidates { texts[c.text] = max(texts[c.text] ?? 0, c.confidence) }
                texts[r.read.text] = max(texts[r.read.text] ?? 0, r.read.confidence)
            }
            return PlateSightingRecord(text: v.text, display: best.read.display, confidence: v.confidence,
                                       firstPTS: g.first!.pts, lastPTS: g.last!.pts, bestPTS: best.pts, box: best.read.box,
                                       crop: best.crop, reads: g.map { ($0.pts, $0.read) }, texts: texts)
        }
    }

    /// The text with the largest summed confidence; its confidence is that sum's share of all votes
    /// times the best read's confidence. A read cut by the picture's edge (a vehicle entering or
    /// leaving) counts for every whole read that contains its text, not against it; it is a
    /// candidate itself only when no read is whole.
    static func vote(_ g: [TimedPlateRead]) -> (text: String, confidence: Double) {
        let whole = g.filter { !$0.cut }
        var score: [String: Double] = [:]
        for r in whole.isEmpty ? g : whole { score[r.read.text, default: 0] += r.read.confidence }
        for r in g where r.cut && !whole.isEmpty {
            for text in score.keys where text != r.read.text && text.contains(r.read.text) { score[text]! += r.read.confidence }
        }
        let total = g.map(\.read.confidence).reduce(0, +)
        let (text, s) = score.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!
        let best = g.filter { $0.read.text == text }.map(\.read.confidence).max() ?? 0
        return (text, (best * s / max(total, 1e-9) * 1000).rounded() / 1000)
    }

    /// Faces of one person in one file become a track: within `maxGap` seconds of the track's last
    /// face and within `maxDistance` of its embedding.
    public static func faceTracks(_ faces: [TimedFace], maxGap: Double = 2.5, maxDistance: Float = 0.5) throws -> [FaceTrackRecord] {
        var groups: [[TimedFace]] = []
        for f in faces.sorted(by: { $0.pts < $1.pts }) {
            if let i = groups.lastIndex(where: { g in
                f.pts - g.last!.pts <= maxGap && faceDistance(g.last!.face.embedding, f.face.embedding) < maxDistance
            }) {
                groups[i].append(f)
            } else {
                groups.append([f])
            }
        }
        return try groups.map { g in
            let best = g.max { $0.face.quality.score < $1.face.quality.score }!
            return FaceTrackRecord(firstPTS: g.first!.pts, lastPTS: g.last!.pts, bestPTS: best.pts, best: best.face,
                                   crop: try best.face.chip.jpegData(), faces: g.map { ($0.pts, $0.face) })
        }
    }
}

/// Levenshtein distance.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var prev = row[0]
        row[0] = i
        for j in 1...b.count {
            let cur = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
            prev = cur
        }
    }
    return row[b.count]
}
