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
    /// Not read: a look at a plate whose track already had a sure read (see `PlateTracker`). It
    /// extends the sighting's time span but neither votes nor is stored as a read.
    public var carried: Bool

    public init(pts: Double, read: PlateRead, crop: Data?, cut: Bool = false, carried: Bool = false) {
        self.pts = pts; self.read = read; self.crop = crop; self.cut = cut; self.carried = carried
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
        return groups.map { all in
            let g = all.filter { !$0.carried }.nilIfEmpty ?? all
            let v = vote(g)
            let sameLength = g.filter { $0.read.text.count == v.text.count }
            let best = (g.filter { $0.read.text == v.text }.nilIfEmpty ?? sameLength.nilIfEmpty ?? g)
                .max { $0.read.confidence < $1.read.confidence }!
            var texts: [String: Double] = [:]
            for r in g {
                for c in r.read.candidates { texts[c.text] = max(texts[c.text] ?? 0, c.confidence) }
                texts[r.read.text] = max(texts[r.read.text] ?? 0, r.read.confidence)
                texts[r.read.raw] = max(texts[r.read.raw] ?? 0, r.read.confidence * 0.9)
            }
            texts[v.text] = max(texts[v.text] ?? 0, v.confidence)
            return PlateSightingRecord(text: v.text, display: relayout(best.read.display, v.text), confidence: v.confidence,
                                       firstPTS: all.first!.pts, lastPTS: all.last!.pts, bestPTS: best.pts, box: best.read.box,
                                       crop: best.crop, reads: g.map { ($0.pts, $0.read) }, texts: texts)
        }
    }

    /// A character-wise vote over the group's reads. The length is the one the whole reads
    /// (not cut by the picture's edge) give the most confidence; every read, cut ones included,
    /// is aligned to the most confident read of that length and votes at each position it covers
    /// with that character's confidence. So three frames each wrong at a different place still
    /// give the right plate. Confidence: at the weakest position, the winner's share of the votes
    /// times its best confidence, scaled by the share of the chosen length.
    static func vote(_ g: [TimedPlateRead]) -> (text: String, confidence: Double) {
        let whole = g.filter { !$0.cut }.nilIfEmpty ?? g
        var lengthWeight: [Int: Double] = [:]
        for r in whole { lengthWeight[r.read.text.count, default: 0] += r.read.confidence }
        let length = lengthWeight.max { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }!.key
        let anchor = Array(whole.filter { $0.read.text.count == length }.max { $0.read.confidence < $1.read.confidence }!.read.text)
        var votes = [[Character: (weight: Double, best: Double)]](repeating: [:], count: length)
        for r in g {
            let chars = Array(r.read.text)
            let conf = r.read.characterConfidences.count == chars.count ? r.read.characterConfidences
                : [Double](repeating: r.read.confidence, count: chars.count)
            for (i, j) in align(chars, to: anchor).enumerated() {
                guard let j else { continue }
                let old = votes[i][chars[j]] ?? (0, 0)
                votes[i][chars[j]] = (old.weight + conf[j], max(old.best, conf[j]))
            }
        }
        var text = "", confidence = 1.0
        for (i, position) in votes.enumerated() {
            guard let (c, w) = position.max(by: { $0.value.weight < $1.value.weight || ($0.value.weight == $1.value.weight && $0.key > $1.key) }) else {
                text.append(anchor[i]); continue
            }
            text.append(c)
            let total = position.values.reduce(0) { $0 + $1.weight }
            confidence = min(confidence, w.weight / max(total, 1e-9) * w.best)
        }
        let lengthShare = lengthWeight[length]! / max(lengthWeight.values.reduce(0, +), 1e-9)
        return (text, (confidence * lengthShare * 1000).rounded() / 1000)
    }

    /// For each position of `anchor`, the index of the character of `chars` aligned with it by a
    /// least-edit alignment (match or substitution), or nil where `chars` has none there.
    static func align(_ chars: [Character], to anchor: [Character]) -> [Int?] {
        if chars.count == anchor.count { return chars.indices.map { $0 } }
        let d = editTable(chars, anchor)
        var out = [Int?](repeating: nil, count: anchor.count)
        var i = chars.count, j = anchor.count
        while i > 0 && j > 0 {
            if d[i][j] == d[i - 1][j - 1] + (chars[i - 1] == anchor[j - 1] ? 0 : 1) {
                out[j - 1] = i - 1; i -= 1; j -= 1
            } else if d[i][j] == d[i - 1][j] + 1 {
                i -= 1
            } else {
                j -= 1
            }
        }
        return out
    }

    /// `display`'s separators around `text`'s characters (`BKN-128` laid over `BKN123` gives
    /// `BKN-123`); `text` itself when the counts differ.
    static func relayout(_ display: String, _ text: String) -> String {
        guard display.filter({ $0.isLetter || $0.isNumber }).count == text.count else { return text }
        var chars = Array(text).makeIterator()
        return String(display.map { $0.isLetter || $0.isNumber ? chars.next()! : $0 })
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

extension Array {
    var nilIfEmpty: Self? { isEmpty ? nil : self }
}

/// Levenshtein distance.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    return editTable(a, b)[a.count][b.count]
}

/// The Levenshtein table: `d[i][j]` is the distance between the first i of `a` and the first j of `b`.
func editTable(_ a: [Character], _ b: [Character]) -> [[Int]] {
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in a.indices { for j in b.indices {
        d[i + 1][j + 1] = min(d[i][j + 1] + 1, d[i + 1][j] + 1, d[i][j] + (a[i] == b[j] ? 0 : 1))
    } }
    return d
}
