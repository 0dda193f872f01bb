import Foundation
import IncidentStore
import RecognitionKit
import Watchlists

/// What checking against a large watchlist costs, as ratios: a face track against GALLERY
/// enrolled photos (the SIMD flat scan `check` uses against a plain loop), and a plate sighting
/// against PLATES wanted plates (exact lookup plus the OCR-aware distance under a length filter).
/// Random unit descriptors and random plates; per-item times, and what they make per indexed
/// hour of the busy bench scene (~360 face tracks, ~1,400 sightings an hour) and for a recheck of
/// 1,000,000 tracks.
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
    print(String(format: "faces: per indexed hour (~360 tracks x 6 faces) %.1f s; recheck of 1,000,000 tracks x 6 faces %.0f min (one core)",
                 360 * 6 * simd, 1_000_000 * 6 * simd / 60))
    // A gallery shaped like real enrolments: people whose photos cluster (same-person distances
    // ~0.3–0.5), different people 0.7–1.1 apart (a shared component, as real faces share one).
    func gaussian() -> Float {
        let u = Float.random(in: 1e-7...1, using: &rng), v = Float.random(in: 0...1, using: &rng)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
    func normalised(_ v: [Float]) -> [Float] { let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot(); return v.map { $0 / n } }
    let shared = unit()
    let people = (0..<(galleryCount / 10)).map { _ in normalised(zip(shared, unit()).map { 0.75 * $0 + $1 }) }
    func photo(of p: [Float]) -> [Float] { normalised(p.map { $0 + 0.021 * gaussian() }) }
    var clustered: [(id: Int64, descriptor: [Float])] = []
    for (i, p) in people.enumerated() { for j in 0..<10 { clustered.append((Int64(i * 10 + j), photo(of: p))) } }
    var flat = DescriptorIndex()
    for c in clustered { flat.append(id: c.id, descriptor: c.descriptor) }
    for probeCount in [8, 24] {
    t0 = Date()
    let coarse = CoarseDescriptorIndex(clustered, probes: probeCount)
    let build = Date().timeIntervalSince(t0)
    let queries2 = (0..<200).map { i in i % 2 == 0 ? photo(of: people.randomElement(using: &rng)!) : normalised(zip(shared, unit()).map { 0.75 * $0 + $1 }) }
    var expected = 0, recalled = 0
    var flatTime = 0.0, coarseTime = 0.0
    for q in queries2 {
        t0 = Date()
        let a = Set(flat.nearest(to: q, k: 32, maxDistance: 0.6).map(\.id))
        flatTime += Date().timeIntervalSince(t0)
        t0 = Date()
        let b = Set(coarse.nearest(to: q, k: 32, maxDistance: 0.6).map(\.id))
        coarseTime += Date().timeIntervalSince(t0)
        expected += a.count; recalled += a.intersection(b).count
    }
    let same = faceDistance(clustered[0].descriptor, clustered[1].descriptor), other = faceDistance(clustered[0].descriptor, clustered[10].descriptor)
    print(String(format: "faces, clustered gallery (%d people x 10 photos; e.g. same person %.2f, different %.2f apart): flat scan %.2f ms, inverted lists (%d probes) %.2f ms per face (%.1fx), recall at 0.6 %.1f%% (%d of %d), built in %.1f s",
                 people.count, same, other, flatTime * 1000 / 200, coarse.probes, coarseTime * 1000 / 200, flatTime / coarseTime,
                 100 * Double(recalled) / Double(max(expected, 1)), recalled, expected, build))
    print(String(format: "faces: recheck of 1,000,000 tracks x 6 faces with inverted lists: %.0f min (one core)", 1_000_000 * 6 * coarseTime / 200 / 60))
    }
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
