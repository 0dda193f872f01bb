import Foundation
import IncidentStore
import RecognitionKit
import Watchlists

/// What checking against a large watchlist costs, as ratios: a face against GALLERY enrolled
/// photos (the SIMD flat scan against a plain loop; `watchlist-recheck` measures the matrix
/// products `check` uses against that scan), and a plate sighting
/// against PLATES wanted plates (exact lookup plus the OCR-aware distance under a length filter).
/// Random unit descriptors and random plates; per-item times, and for plates what they make per
/// indexed hour of the busy bench scene (~1,400 sightings an hour) and for 1,000,000 sightings.
func watchlistScale(_ args: [String]) throws {
    let galleryCount = args.first.flatMap { Int($0) } ?? 100_000
    let plateCount = args.dropFirst().first.flatMap { Int($0) } ?? 10_000
    var rng = SystemRandomNumberGenerator()
    func unit() -> [Float] {
        var v = (0..<128).map { _ in Float.random(in: -1...1, using: &rng) }
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for i in v.indices { v[i] /= n }
        return v
    }
    let gallery = (0..<galleryCount).map { _ in unit() }
    var index = DescriptorIndex()
    index.reserve(galleryCount)
    for (i, g) in gallery.enumerated() { index.append(id: Int64(i), descriptor: g) }
    let queries = (0..<20).map { _ in unit() }
    var t0 = Date()
    var found = 0
    for q in queries { found += gallery.filter { faceDistance($0, q) < 0.6 }.count }
    let naive = Date().timeIntervalSince(t0) / Double(queries.count)
    t0 = Date()
    for q in queries { found += index.nearest(to: q, k: 32, maxDistance: 0.6).count }
    let simd = Date().timeIntervalSince(t0) / Double(queries.count)
    print(String(format: "faces: one track's face against %d enrolled photos: plain loop %.1f ms, SIMD scan %.1f ms (%.1fx)",
                 galleryCount, naive * 1000, simd * 1000, naive / simd))
    let letters = Array("ABCDEFGHJKLMNPRSTUVWXYZ"), digits = Array("0123456789")
    func plate() -> String { String((0..<3).map { _ in letters.randomElement()! }) + String((0..<4).map { _ in digits.randomElement()! }) }
    let wanted = (0..<plateCount).map { _ in plate() }
    let exact = Set(wanted)
    let sightings = (0..<200).map { _ in (0..<8).map { _ in plate() } }   // a vote, reads and candidates
    t0 = Date()
    var near = 0
    for texts in sightings {
        for p in wanted {
            if texts.contains(p) { near += 1; continue }
            if texts.contains(where: { abs($0.count - p.count) <= 1 && plateDistance($0, p) <= 1 }) { near += 1 }
        }
    }
    let perSighting = Date().timeIntervalSince(t0) / Double(sightings.count)
    let matcher = PlateMatcher(wanted.map { ($0, 1.0) })
    t0 = Date()
    var keyed = 0
    for texts in sightings { keyed += matcher.matches(texts).count }
    let perSightingKeyed = Date().timeIntervalSince(t0) / Double(sightings.count)
    print(String(format: "plates: one sighting (8 texts) against %d wanted plates, near matches within 1: every pair %.1f ms, keyed (check) %.3f ms (%.0fx; %d and %d matches)",
                 plateCount, perSighting * 1000, perSightingKeyed * 1000, perSighting / max(perSightingKeyed, 1e-9), near, keyed))
    print(String(format: "plates: per indexed hour (~1,400 sightings) %.2f s; 1,000,000 sightings %.0f s", 1400 * perSightingKeyed, 1_000_000 * perSightingKeyed))
    _ = (exact, found)
}
