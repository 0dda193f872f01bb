import Foundation
@_spi(Bench) import IncidentStore
import Indexing
import Investigation
import Nightly
import RecognitionKit

/// `make bench`, section archive-scale (issue 23): what a plate or face search costs as a day file
/// grows and as the days add up. Data is generated once under DIR (a city's traffic: regulars who
/// come back day after day, one-off plates, OCR confusions, reads cut short; faces of people seen
/// again and again) and its build time is left out.
///
///   archive-scale DIR day READS FACES     one day file: plate and face queries, cold and warm,
///                                         bytes per read and per face, the face index's recall
///   archive-scale DIR days DAYS READS     an archive index of DAYS day files: one query over all
///                                         of them, cold, as a new process, and warm
func archiveScale(_ a: [String]) throws {
    guard a.count >= 4, let n1 = Int(a[2]), let n2 = Int(a[3]) else { throw CocoaError(.featureUnsupported) }
    let dir = URL(fileURLWithPath: a[0])
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    switch a[1] {
    case "day": try scaleDay(dir, reads: n1, faces: n2)
    case "days": try scaleDays(dir, days: n1, reads: n2)
    default: throw CocoaError(.featureUnsupported)
    }
}

private let cameras = (1...300).map { Camera(id: String(format: "CAM%04d", $0), name: "camera \($0)", site: "site \($0)", zone: $0 <= 150 ? "Red Zone" : "Airport") }

/// The plates that come back every day (commuters, taxis, buses): one list for the whole archive.
private func regulars(_ count: Int) -> [String] {
    var rng = SplitMix(seed: 2026)
    return (0..<count).map { _ in rng.plate() }
}

/// Page cache dropped (root only); false when the machine does not allow it.
private func dropCaches() -> Bool {
    sync()
    guard let h = FileHandle(forWritingAtPath: "/proc/sys/vm/drop_caches") else { return false }
    defer { try? h.close() }
    return (try? h.write(contentsOf: Data("1\n".utf8))) != nil
}

private struct Timing {
    var ms: [Double] = []
    var found = 0
    mutating func add(_ t0: Date, _ n: Int) { ms.append(Date().timeIntervalSince(t0) * 1000); found += n }
    var text: String {
        let s = ms.sorted()
        guard !s.isEmpty else { return "-" }
        return String(format: "p50 %7.1f  p95 %7.1f ms (%.1f hits)", s[s.count / 2], s[min(s.count - 1, Int(Double(s.count) * 0.95))], Double(found) / Double(s.count))
    }
}

private func size(_ path: String) -> Double { Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) }

/// Query texts from stored plates: exact, wildcard (last character open), substring, OCR
/// confusions, one character dropped, one character added.
private func plateQueries(_ samples: [String]) -> [(String, [String], Bool)] {
    [("exact", samples, false),
     ("wildcard ABC12?", samples.map { String($0.dropLast()) + "?" }, true),
     ("substring *BC12*", samples.map { "*" + String($0.dropFirst().prefix(4)) + "*" }, true),
     ("near miss 8/B 0/O", samples.map { String($0.map { ["B": "8", "0": "O", "S": "5", "1": "I"][$0] ?? $0 }) }, true),
     ("one character dropped", samples.map { s in var c = Array(s); c.remove(at: c.count / 2); return String(c) }, true),
     ("one character added", samples.map { s in var c = Array(s); c.insert("X", at: c.count / 2); return String(c) }, true)]
}

private func scaleDay(_ dir: URL, reads: Int, faces: Int) throws {
    let path = dir.appendingPathComponent("day-\(reads)-\(faces).forensic").path
    let start = 1_790_000_000.0
    var rng = SplitMix(seed: UInt64(reads + faces))
    // People: a fifth as many as face tracks, the first ones seen far more often, in 64 look-alike
    // groups (people of one group ~0.8 apart: near the 0.6 threshold, as dlib's descriptors of
    // similar faces are; of two groups ~1.2); each track is the person's face plus noise (the same
    // person 0.2–0.55 apart). Harder for an IVF index than people spread evenly.
    let people = max(1, faces / 5)
    func unit(_ scale: Float, _ g: inout SplitMix) -> [Float] {
        let v = (0..<128).map { _ in Float(Int(g.next() % 20_001) - 10_000) / 10_000 }
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / n * scale }
    }
    func person(_ i: Int) -> [Float] {
        var group = SplitMix(seed: UInt64(i % 64) &+ 1_000_003), own = SplitMix(seed: UInt64(i) &* 0x9E37_79B9 &+ 77)
        return zip(unit(0.75, &group), unit(0.55, &own)).map { $0 + $1 }
    }
    func sighting(of p: Int) -> [Float] {
        let noise = unit(0.15 + Float(rng.next() % 1000) / 1000 * 0.25, &rng)
        return zip(person(p), noise).map { $0 + $1 }
    }
    if !FileManager.default.fileExists(atPath: path) {
        let t0 = Date()
        let building = path + ".building"
        for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: building + s) }
        let incident = try Incident.create(at: building, config: IncidentConfig(name: "scale", from: Date(timeIntervalSince1970: start),
                                                                               to: Date(timeIntervalSince1970: start + 86_399), archive: "/archive"),
                                           cameras: cameras)
        let files = 300 * 24
        try incident.addSyntheticFiles((0..<files).map { i in ("f\(i).mp4", cameras[i % 300].id, start + Double(i / 300) * 3600) })
        try incident.addSyntheticPlates(cameras: cameras, files: files, reads: reads, start: start, regulars: regulars(max(1000, reads / 100)), rng: &rng)
        try incident.addSyntheticFaceTracks(count: faces) { i in
            let u = Double(rng.next() % 1_000_000) / 1_000_000
            let f = i % files + 1
            return (Int64(f), cameras[(f - 1) % 300].id, start + Double(i) * 86_400 / Double(max(faces, 1)), [sighting(of: Int(Double(people) * u * u))])
        }
        try incident.audit("index", "synthetic load")
        try incident.settle()
        for s in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: building + s) {
            try FileManager.default.moveItem(atPath: building + s, toPath: path + s)
        }
        print(String(format: "generated %@: %d plate reads, %d face tracks in %.0f s (left out of every figure below)", path, reads, faces, Date().timeIntervalSince(t0)))
    }
    let writer = try Incident(path: path)
    let b0 = Date()
    try writer.refreshFaceVectors()
    let built = Date().timeIntervalSince(b0)
    try writer.settle()
    _ = try writer.writePlateKeySummary()
    let lists = try writer.faceIndexLists()
    print(String(format: "%d plate reads, %d face tracks: %.0f bytes a read (incident file %.2f GB), %.0f bytes a face (vectors %.0f MB, face index %.0f MB), plate-key summary %.1f MB",
                 reads, faces, size(path) / Double(max(reads, 1)), size(path) / 1e9, (size(path + "-faces") + size(path + "-faces.ivf")) / Double(max(faces, 1)),
                 size(path + "-faces") / 1e6, size(path + "-faces.ivf") / 1e6, size(path + "-keys") / 1e6))
    if let lists { print(String(format: "face index: IVF %d lists, 8-bit codes; vectors + index brought up to date in %.0f s (by the writing command, once)", lists, built)) }

    let incident = try Incident(path: path, mode: .readOnly)
    let samples = try incident.sampleSightingTexts(limit: 40)
    let canDrop = dropCaches()
    if !samples.isEmpty {
    print("plate query                 warm (file open)                         cold (\(canDrop ? "page cache dropped" : "new open; the machine refuses to drop its page cache"), first query)")
    for (label, queries, fuzzy) in plateQueries(samples) {
        var warm = Timing(), cold = Timing()
        _ = try incident.searchPlates(PlatePattern(queries[0]), fuzzy: fuzzy, limit: 200)
        for q in queries {
            let t0 = Date()
            warm.add(t0, try incident.searchPlates(PlatePattern(q), fuzzy: fuzzy, limit: 200).count)
        }
        for q in queries.prefix(8) {
            _ = dropCaches()
            let t0 = Date()
            cold.add(t0, try Incident(path: path, mode: .readOnly).searchPlates(PlatePattern(q), fuzzy: fuzzy, limit: 200).count)
        }
        print("\(label.padding(toLength: 27, withPad: " ", startingAt: 0)) \(warm.text)   \(cold.text)")
    }
    }
    guard faces > 0 else { return }
    // Face queries: a fresh sighting of a person seen often, sometimes and rarely.
    let queries = (0..<30).map { i in sighting(of: [1, people / 100, people / 10, people / 2][i % 4] + i) }
    var flat = Timing(), viaIndex = Timing(), coldIndex = Timing(), coldFlat = Timing(), topFlat = Timing(), topIndex = Timing()
    for q in queries {
        var t0 = Date()
        topFlat.add(t0, try incident.searchFaces(q, top: 10, scan: true).count)
        t0 = Date()
        topIndex.add(t0, try incident.searchFaces(q, top: 10).count)
    }
    var reference: [[Int64]] = []
    for q in queries {
        let t0 = Date()
        let hits = try incident.searchFaces(q, top: 10_000, scan: true)
        flat.add(t0, hits.count)
        reference.append(hits.map(\.faceTrackID))
    }
    for q in queries {
        let t0 = Date()
        viaIndex.add(t0, try incident.searchFaces(q, top: 10_000).count)
    }
    for q in queries.prefix(6) {
        _ = dropCaches(); var t0 = Date()
        coldFlat.add(t0, try Incident(path: path, mode: .readOnly).searchFaces(q, top: 10, scan: true).count)
        _ = dropCaches(); t0 = Date()
        coldIndex.add(t0, try Incident(path: path, mode: .readOnly).searchFaces(q, top: 10).count)
    }
    print("face query, top 10, warm    flat scan: \(topFlat.text)   index: \(topIndex.text)")
    print("face query, every match     flat scan: \(flat.text)   index: \(viaIndex.text)")
    print("face query, top 10, cold    flat scan: \(coldFlat.text)   index: \(coldIndex.text)")
    // Recall of the flat scan's matches under the threshold, by lists probed.
    if let lists {
        for probes in [16, 32, 64, 128, 256] where probes <= lists {
            var kept = 0, all = 0, t = Timing()
            for (q, ref) in zip(queries, reference) {
                let t0 = Date()
                let got = Set(try incident.searchFaces(q, top: 10_000, probes: probes).map(\.faceTrackID))
                t.add(t0, got.count)
                kept += ref.filter(got.contains).count; all += ref.count
            }
            print(String(format: "face index probing %4d of %d lists: recall %.2f%% of %d matches; %@%@", probes, lists,
                         100 * Double(kept) / Double(max(all, 1)), all, t.text, probes == min(lists, 64) ? "  <- default" : ""))
        }
    }
}

private func scaleDays(_ dir: URL, days: Int, reads: Int) throws {
    let indexPath = dir.appendingPathComponent("index-\(days)x\(reads)").path
    let regularPlates = regulars(max(1000, reads / 100))
    if !ArchiveIndex.isIndex(indexPath) {
        try buildSyntheticIndex(at: indexPath, in: dir, days: days, reads: reads, cameras: cameras, regulars: regularPlates, seed: 90)
    }
    let index = try ArchiveIndex(path: indexPath)
    let s0 = Date()
    let written = try index.refreshKeySummaries()
    if !written.isEmpty { print(String(format: "plate-key summaries written for %d day files in %.1f s (by nightly, once)", written.count, Date().timeIntervalSince(s0))) }
    let dayNames = try index.days()
    let total = dayNames.reduce(0.0) { $0 + size(index.dayPath($1)) }
    let summaries = dayNames.reduce(0.0) { $0 + size(index.dayPath($1) + "-keys") }
    print(String(format: "%d day files x %d reads: %.2f GB (%.0f bytes a read), plate-key summaries %.0f MB", dayNames.count, reads, total / 1e9,
                 total / Double(dayNames.count * reads), summaries / 1e6))
    // Queries: plates seen on one day only and regulars seen every day, from days across the window.
    let oneOff = try stride(from: 0, to: dayNames.count, by: max(1, dayNames.count / 20)).flatMap { i in
        try Incident(path: index.dayPath(dayNames[i]), mode: .readOnly).sampleSightingTexts(limit: 3).filter { !regularPlates.contains($0) }.prefix(1)
    }
    // The five most frequent regulars: seen ~450 times a day each at 100,000 reads a day (a bus, a taxi).
    let sets = [("one-off plates", Array(oneOff.prefix(20))), ("the 5 most frequent regulars", Array(regularPlates.prefix(5)))]
    let canDrop = dropCaches()
    let warmScope = try Scope(path: indexPath)
    func run(_ scope: Scope, _ q: String, fuzzy: Bool) throws -> Int {
        try scope.plates(PlateQuery(pattern: try PlatePattern(q), nearMisses: fuzzy, limit: 200)).total
    }
    func hideSummaries(_ hide: Bool) throws {
        for d in dayNames {
            let (from, to) = (index.dayPath(d) + (hide ? "-keys" : "-keys.hidden"), index.dayPath(d) + (hide ? "-keys.hidden" : "-keys"))
            if FileManager.default.fileExists(atPath: from) { try FileManager.default.moveItem(atPath: from, toPath: to) }
        }
    }
    for (setName, samples) in sets {
        print("\(setName): query over \(dayNames.count) day files   warm (workbench: scope kept)   new process (files opened, pages cached)   cold (\(canDrop ? "page cache dropped" : "cannot drop the page cache here"))   new process without summaries")
        for (label, queries, fuzzy) in plateQueries(samples) where !label.hasPrefix("substring") {
            var warm = Timing(), fresh = Timing(), cold = Timing(), bare = Timing()
            _ = try run(warmScope, queries[0], fuzzy: fuzzy)
            for q in queries { let t0 = Date(); warm.add(t0, try run(warmScope, q, fuzzy: fuzzy)) }
            for q in queries { let t0 = Date(); fresh.add(t0, try run(Scope(path: indexPath), q, fuzzy: fuzzy)) }
            if canDrop {
                for q in queries.prefix(5) { _ = dropCaches(); let t0 = Date(); cold.add(t0, try run(Scope(path: indexPath), q, fuzzy: fuzzy)) }
            }
            try hideSummaries(true)
            defer { try? hideSummaries(false) }
            for q in queries { let t0 = Date(); bare.add(t0, try run(Scope(path: indexPath), q, fuzzy: fuzzy)) }
            print("\(label.padding(toLength: 24, withPad: " ", startingAt: 0)) \(warm.text) | \(fresh.text) | \(cold.text) | \(bare.text)")
        }
    }
}
