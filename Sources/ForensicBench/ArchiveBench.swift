import Foundation
@_spi(Bench) import IncidentStore
import Indexing
import Nightly

/// Plate search across an archive index: DAYS synthetic day files of READS plate reads each
/// (300 cameras, a third of the reads with an OCR confusion), built once under DIR; then each
/// query as `forensic search INDEX` runs it — open the day files, search them (both in parallel),
/// merge — p50/p95, beside the same done one day file after another.
func archiveSearch(_ a: [String]) throws {
    guard a.count >= 3, let days = Int(a[1]), let reads = Int(a[2]) else { throw CocoaError(.featureUnsupported) }
    let dir = URL(fileURLWithPath: a[0])
    let indexPath = dir.appendingPathComponent("index-\(days)x\(reads)").path
    let cams = (1...300).map { Camera(id: String(format: "CAM%04d", $0), name: "camera \($0)", site: "site \($0)", zone: "") }
    if !ArchiveIndex.isIndex(indexPath) {
        try buildSyntheticIndex(at: indexPath, in: dir, days: days, reads: reads, cameras: cams, regulars: [], seed: 30)
    }
    let index = try ArchiveIndex(path: indexPath)
    let dayNames = try index.days()
    let samples = try dayNames.enumerated().flatMap { i, day in
        try Incident(path: index.dayPath(day), mode: .readOnly).sampleSightingTexts(limit: 2)
    }.prefix(40)
    /// One query as the CLI runs it over the index folder: every day file opened, searched, closed.
    func search(_ pattern: String, fuzzy: Bool, parallel: Bool) throws -> Int {
        guard parallel else {
            return try dayNames.reduce(0) { n, day in n + (try Incident(path: index.dayPath(day)).searchPlates(PlatePattern(pattern), fuzzy: fuzzy).count) }
        }
        return try inParallel(try index.openDays()) { try $0.incident.searchPlates(PlatePattern(pattern), fuzzy: fuzzy).count }.reduce(0, +)
    }
    func time(_ label: String, _ queries: [String], fuzzy: Bool) throws {
        var line = String(format: "%-30@", label as NSString)
        for parallel in [false, true] {
            _ = try search(queries[0], fuzzy: fuzzy, parallel: parallel)
            var ms: [Double] = [], found = 0
            for q in queries {
                let t0 = Date()
                found += try search(q, fuzzy: fuzzy, parallel: parallel)
                ms.append(Date().timeIntervalSince(t0) * 1000)
            }
            ms.sort()
            line += String(format: " %@: p50 %6.1f ms p95 %6.1f ms;", parallel ? "in parallel (forensic search)" : "one day after another",
                           ms[ms.count / 2], ms[Int(Double(ms.count) * 0.95)])
            if parallel { line += String(format: " %d queries over %d day files, %.1f hits each", ms.count, dayNames.count, Double(found) / Double(ms.count)) }
        }
        print(line)
    }
    try time("plate exact", Array(samples), fuzzy: false)
    try time("plate wildcard (ABC12?)", samples.map { String($0.dropLast()) + "?" }, fuzzy: true)
    try time("plate near miss (8/B, 0/O…)", samples.map { String($0.map { ["B": "8", "0": "O", "S": "5", "1": "I"][$0] ?? $0 }) }, fuzzy: true)
}

/// Builds an archive index of `days` synthetic day files of `reads` plate reads each (300 cameras,
/// one file a camera-hour) at `path`, under a temporary name renamed at the end.
func buildSyntheticIndex(at path: String, in dir: URL, days: Int, reads: Int, cameras cams: [Camera], regulars: [String], seed: UInt64) throws {
    let t0 = Date()
    let archive = dir.appendingPathComponent("empty-archive"), registry = dir.appendingPathComponent("cameras-\(cams.count).csv")
    try FileManager.default.createDirectory(at: archive, withIntermediateDirectories: true)
    try ("id,name,site,zone,latitude,longitude\n" + cams.map { "\($0.id),\($0.name),\($0.site),\($0.zone),," }.joined(separator: "\n") + "\n")
        .write(to: registry, atomically: true, encoding: .utf8)
    let building = path + ".building"
    try? FileManager.default.removeItem(atPath: building)
    let index = try ArchiveIndex.create(at: building, archive: archive.path, camerasFile: registry.path, layout: ArchiveLayout.defaultTemplate,
                                        timeZone: "Asia/Karachi", settings: IndexOptions())
    var rng = SplitMix(seed: seed)
    let first = Date(timeIntervalSince1970: 1_790_000_000)
    for d in 0..<days {
        let day = index.day(of: first.addingTimeInterval(Double(d) * 86_400))
        let (start, _) = index.window(of: day)!
        let dayFile = try index.dayFile(day), files = cams.count * 24
        try dayFile.addSyntheticFiles((0..<files).map { i in
            ("\(cams[i % cams.count].id)/\(day)/\(i / cams.count).mp4", cams[i % cams.count].id, start.timeIntervalSince1970 + Double(i / cams.count) * 3600)
        })
        try dayFile.addSyntheticPlates(cameras: cams, files: files, reads: reads, start: start.timeIntervalSince1970, regulars: regulars, rng: &rng)
        try dayFile.settle()
    }
    try FileManager.default.moveItem(atPath: building, toPath: path)
    print(String(format: "generated %@: %d day files x %d plate reads in %.0f s (left out of every figure below)", path, days, reads, Date().timeIntervalSince(t0)))
}

/// Writes one more synthetic day file into an archive index (the day after its last), as a
/// nightly run's writes would come while the workbench serves it; prints the file's path.
func archiveAddDay(_ a: [String]) throws {
    guard a.count >= 2, let reads = Int(a[1]) else { throw CocoaError(.featureUnsupported) }
    let index = try ArchiveIndex(path: a[0])
    guard let last = try index.days().last, let (lastStart, _) = index.window(of: last) else { throw CocoaError(.fileNoSuchFile) }
    let day = index.day(of: lastStart.addingTimeInterval(36 * 3600))
    let (start, _) = index.window(of: day)!
    let cams = index.cameras
    let dayFile = try index.dayFile(day), files = cams.count * 24
    try dayFile.addSyntheticFiles((0..<files).map { i in
        ("\(cams[i % cams.count].id)/\(day)/\(i / cams.count).mp4", cams[i % cams.count].id, start.timeIntervalSince1970 + Double(i / cams.count) * 3600)
    })
    var rng = SplitMix(seed: 99)
    try dayFile.addSyntheticPlates(cameras: cams, files: files, reads: reads, start: start.timeIntervalSince1970, rng: &rng)
    try dayFile.settle()
    print(index.dayPath(day))
}
