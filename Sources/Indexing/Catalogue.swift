import Foundation
import IncidentStore
import VideoDecode

/// Walks the incident's archive and decides, for each file, its camera, its UTC start and
/// whether it falls in the incident's scope.
public enum Catalogue {
    public struct Report: Sendable {
        public var seen = 0
        public var inScope = 0
        public var outOfScope = 0
        /// In scope but another shard's (shard files only).
        public var otherShards = 0
        /// Files whose size or modification time changed while they were looked at (a recorder
        /// still writing them), or modified within the settle time: left for a later run.
        public var stillWriting: [String] = []
    }

    /// Size and modification time: what changes while a recorder is still writing a file.
    public static func fileState(_ path: String) -> [Int]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return [Int(st.st_size), st.st_mtim.tv_sec, st.st_mtim.tv_nsec]
    }

    /// Entries for every in-scope file, plus those that could not be placed in time. `only`
    /// limits the scan to these archive paths (a nightly run has walked the archive already);
    /// files modified less than `settle` seconds ago are left for a later run.
    public static func scan(_ config: IncidentConfig, knownCameras: Set<String>, only: [String]? = nil,
                            settle: TimeInterval = 0) throws -> ([CatalogueEntry], Report) {
        let layout = try ArchiveLayout(config.layout, timeZone: config.zone)
        let root = URL(fileURLWithPath: config.archive).standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            throw StoreError(file: root.path, reason: "archive folder not found")
        }
        let wanted = config.cameras.map(Set.init) ?? knownCameras
        var report = Report()
        var entries: [CatalogueEntry] = []
        let files = try only.map { $0.compactMap { rel in fileState(root.appendingPathComponent(rel).path).map { (rel, Int64($0[0])) } } }
            ?? walk(root)
        let now = Date().timeIntervalSince1970
        for (rel, size) in files.sorted(by: { $0.0 < $1.0 }) {
            report.seen += 1
            let match = layout.match(rel)
            let camera = match?.camera ?? rel.split(separator: "/").first.map(String.init)
            guard let camera, wanted.contains(camera) else { report.outOfScope += 1; continue }
            if let shard = config.shard, !shard.contains(rel) { report.otherShards += 1; continue }
            // A start from the path more than a day before the window (or after it): out of scope
            // without opening the file (recorders cut files far shorter than a day).
            if let start = match?.start, start > config.to || start < config.from.addingTimeInterval(-86_400) { report.outOfScope += 1; continue }
            let full = root.appendingPathComponent(rel).path
            if settle > 0, let state = fileState(full), Double(state[1]) > now - settle { report.stillWriting.append(rel); continue }
            var info: MediaInfo? = nil
            var probeError: String? = nil
            let before = fileState(full)
            do { info = try MediaProbe.probe(full) } catch { probeError = "\(error)" }
            guard before == fileState(full) else { report.stillWriting.append(rel); continue }
            let modified = before.map { Double($0[1]) + Double($0[2]) / 1e9 }
            var start = match?.start
            var source: String? = start == nil ? nil : "path"
            if start == nil, let created = info?.creationTime, let d = parseISOTime(created) {
                start = d; source = "creation_time"
            }
            // Files whose path fits no layout and that carry no creation_time: reported, not guessed.
            guard let start else {
                entries.append(CatalogueEntry(path: rel, size: size, cameraID: camera, start: nil, timeSource: nil, info: info,
                                              status: "no_time",
                                              error: probeError ?? "path does not fit layout \(config.layout) and the file has no creation_time",
                                              modified: modified))
                continue
            }
            let end = start.addingTimeInterval(info?.durationSeconds ?? 0)
            guard end >= config.from, start <= config.to else { report.outOfScope += 1; continue }
            report.inScope += 1
            entries.append(CatalogueEntry(path: rel, size: size, cameraID: camera, start: start, timeSource: source, info: info,
                                          status: probeError == nil ? "pending" : "failed", error: probeError, modified: modified))
        }
        return (entries, report)
    }

    /// Every regular file under `root` (hidden ones skipped): archive path and size.
    public static func walk(_ root: URL) throws -> [(String, Int64)] {
        let keys: [URLResourceKey] = [.isRegularFileKey, .fileSizeKey]
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys,
                                                          options: [.skipsHiddenFiles]) else { return [] }
        var files: [(String, Int64)] = []
        let prefix = root.standardizedFileURL.path.count + 1
        for case let url as URL in walker {
            guard let values = try? url.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else { continue }
            files.append((String(url.standardizedFileURL.path.dropFirst(prefix)), Int64(values.fileSize ?? 0)))
        }
        return files
    }
}
