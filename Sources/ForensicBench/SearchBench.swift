import Foundation
@_spi(Bench) import IncidentStore
import RecognitionKit

/// Builds (once) a synthetic incident with `reads` plate reads and `faces` face embeddings, then
/// times plate queries (exact, wildcard, substring, near miss) and face top-10: p50 and p95 in ms.
func searchBench(_ a: [String]) throws {
    guard a.count >= 3, let reads = Int(a[1]), let faces = Int(a[2]) else { throw CocoaError(.featureUnsupported) }
    let path = a[0]
    var rng = SplitMix(seed: 42)
    if !FileManager.default.fileExists(atPath: path) {
        let t0 = Date()
        let cams = (1...300).map { Camera(id: String(format: "CAM%04d", $0), name: "camera \($0)", site: "site \($0)", zone: $0 <= 150 ? "Red Zone" : "Airport") }
        let incident = try Incident.create(at: path, config: IncidentConfig(name: "bench", from: Date(timeIntervalSince1970: 1_790_000_000),
                                                                           to: Date(timeIntervalSince1970: 1_790_086_400), archive: "/archive"),
                                           cameras: cams)
        let files = 1200
        try incident.addSyntheticFiles((0..<files).map { i in ("f\(i).mp4", cams[i % 300].id, 1_790_000_000 + Double(i / 300) * 3600) })
        try incident.addSyntheticPlates(cameras: cams, files: files, reads: reads, start: 1_790_000_000, rng: &rng)
        try incident.addSyntheticFaceTracks(count: faces) { i in
            var v = (0..<128).map { _ in Float(Int(rng.next() % 2001) - 1000) / 10_000 }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = v.map { $0 / norm * 0.9 }
            let f = i % files + 1
            return (Int64(f), cams[(f - 1) % 300].id, 1_790_000_000.0 + Double(i), [v])
        }
        print(String(format: "generated %@: %d plate reads, %d face embeddings in %.0f s, %.0f MB", path, reads, faces,
                     Date().timeIntervalSince(t0), Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6))
    }
    let incident = try Incident(path: path)
    let samples = try incident.sampleSightingTexts(limit: 40)
    func time(_ label: String, _ queries: [String], _ body: (String) throws -> Int) rethrows {
        _ = try body(queries[0])
        var ms: [Double] = []
        var found = 0
        for q in queries {
            let t0 = Date()
            found += try body(q)
            ms.append(Date().timeIntervalSince(t0) * 1000)
        }
        ms.sort()
        print(String(format: "%-28@ p50 %7.1f ms   p95 %7.1f ms   (%d queries, %.1f hits each)", label as NSString,
                     ms[ms.count / 2], ms[Int(Double(ms.count) * 0.95)], ms.count, Double(found) / Double(ms.count)))
    }
    try time("plate exact", samples) { try incident.searchPlates(PlatePattern($0), fuzzy: false).count }
    try time("plate wildcard (ABC12?)", samples.map { String($0.dropLast()) + "?" }) { try incident.searchPlates(PlatePattern($0)).count }
    try time("plate substring (*BC12*)", samples.map { "*" + String($0.dropFirst().prefix(4)) + "*" }) { try incident.searchPlates(PlatePattern($0), limit: 200).count }
    try time("plate near miss (8/B, 0/O…)", samples.map { String($0.map { ["B": "8", "0": "O", "S": "5", "1": "I"][$0] ?? $0 }) }) {
        try incident.searchPlates(PlatePattern($0)).count
    }
    try time("plate one wrong character", samples.map { s in var c = Array(s); c[c.count / 2] = c[c.count / 2] == "X" ? "Y" : "X"; return String(c) }) {
        try incident.searchPlates(PlatePattern($0)).count
    }
    let stored = try incident.faceTrackDescriptors()
    let qv = stored.first { $0.id == 777 }!.descriptor.map { $0 + 0.001 }
    // First query after indexing changed: builds the vector file beside the incident.
    try? FileManager.default.removeItem(atPath: incident.path + "-faces")
    let b0 = Date()
    _ = try incident.searchFaces(qv, top: 10)
    print(String(format: "%-28@ %7.1f ms   (once, when indexing has changed the incident)", "face top-10, building the vector file" as NSString,
                 Date().timeIntervalSince(b0) * 1000))
    try time("face top-10 (vector file, mapped)", Array(repeating: "", count: 20)) { _ in try incident.searchFaces(qv, top: 10).count }
    try time("face top-10, one camera filter", Array(repeating: "", count: 20)) { _ in
        try incident.searchFaces(qv, top: 10, filter: SearchFilter(cameras: ["CAM0001"])).count
    }
    var index = DescriptorIndex()
    for t in stored { index.append(id: t.id, descriptor: t.descriptor) }
    time("face top-10 (in memory)", Array(repeating: "", count: 20)) { _ in index.nearest(to: qv, k: 10).count }
}
