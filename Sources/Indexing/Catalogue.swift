import Foundation
import IncidentStore
import VideoDecode

/// Decides, for each file of an archive, its camera, its UTC start and whether it is in scope:
/// the one classifier incidents (`Catalogue.scan`) and the nightly archive index share.
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
        public init() {}
    }

    /// Size and modification time: what changes while a recorder is still writing a file.
    public struct FileState: Sendable, Equatable {
        public var size: Int64
        public var modifiedSeconds: Int
        public var modifiedNanoseconds: Int
        public var modified: Double { Double(modifiedSeconds) + Double(modifiedNanoseconds) / 1e9 }
    }

    public static func fileState(_ path: String) -> FileState? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileState(size: Int64(st.st_size), modifiedSeconds: st.st_mtim.tv_sec, modifiedNanoseconds: st.st_mtim.tv_nsec)
    }

    /// What a scan of an archive applies to each path.
    public struct Rules: Sendable {
        public var root: URL
        public var layout: ArchiveLayout
        /// Cameras in scope.
        public var cameras: Set<String>
        /// Only this share of the archive (a shard file, a sharded nightly task).
        public var shard: Shard?
        /// Files modified less than this many seconds ago wait for a later run.
        public var settle: TimeInterval = 0
        /// A start the layout reads outside this window leaves the file out without opening it.
        public var window: (from: Date, to: Date)?

        public init(root: URL, layout: ArchiveLayout, cameras: Set<String>, shard: Shard? = nil, settle: TimeInterval = 0,
                    window: (from: Date, to: Date)? = nil) {
            self.root = root; self.layout = layout; self.cameras = cameras; self.shard = shard; self.settle = settle; self.window = window
        }
    }

    /// What became of one archive path.
    public enum Verdict: Sendable {
        case otherCamera, otherShard, outsideWindow
        /// Modified within the settle time, or changed while it was probed.
        case stillWriting
        /// Its entry: `pending` (with its start), `failed` (the probe failed) or `no_time`.
        case entry(CatalogueEntry)
    }

    /// Classifies one archive path: camera (the layout's, else the first folder), shard, settle,
    /// then the probe (stable size and time required) and the start (the layout's time, else
    /// the container's creation_time).
    public static func classify(_ rel: String, size: Int64, _ rules: Rules, now: Double = Date().timeIntervalSince1970) -> Verdict {
        let match = rules.layout.match(rel)
        guard let camera = match?.camera ?? rel.split(separator: "/").first.map(String.init), rules.cameras.contains(camera) else { return .otherCamera }
        if let shard = rules.shard, !shard.contains(rel) { return .otherShard }
        // A start from the path more than a day before the window (or after it): out of scope
        // without opening the file (recorders cut files far shorter than a day).
        if let start = match?.start, let w = rules.window, start > w.to || start < w.from.addingTimeInterval(-86_400) { return .outsideWindow }
        let full = rules.root.appendingPathComponent(rel).path
        let before = fileState(full)
        if rules.settle > 0, let before, before.modified > now - rules.settle { return .stillWriting }
        var info: MediaInfo? = nil
        var probeError: String? = nil
        do { info = try MediaProbe.probe(full) } catch { probeError = "\(error)" }
        guard before == fileState(full) else { return .stillWriting }
        var start = match?.start
        var source: String? = start == nil ? nil : "path"
        if start == nil, let created = info?.creationTime, let d = parseISOTime(created) {
            start = d; source = "creation_time"
        }
        // Files whose path fits no layout and that carry no creation_time: reported, not guessed.
        guard let start else {
            return .entry(CatalogueEntry(path: rel, size: size, cameraID: camera, start: nil, timeSource: nil, info: info, status: .noTime,
                                         error: probeError ?? "path does not fit layout \(rules.layout.template) and the file has no creation_time",
                                         modified: before?.modified))
        }
        return .entry(CatalogueEntry(path: rel, size: size, cameraID: camera, start: start, timeSource: source, info: info,
                                     status: probeError == nil ? .pending : .failed, error: probeError, modified: before?.modified))
    }

    /// Entries for every in-scope file of an incident's archive, plus those that could not be
    /// placed in time; a file that changes while it is probed is left for a later run.
    public static func scan(_ config: IncidentConfig, knownCameras: Set<String>) throws -> ([CatalogueEntry], Report) {
        let root = try archiveRoot(config.archive)
        let rules = Rules(root: root, layout: try ArchiveLayout(config.layout, timeZone: config.zone),
                          cameras: config.cameras.map(Set.init) ?? knownCameras, shard: config.shard,
                          window: (config.from, config.to))
        var report = Report()
        var entries: [CatalogueEntry] = []
        let now = Date().timeIntervalSince1970
        for (rel, size) in try walk(root).sorted(by: { $0.0 < $1.0 }) {
            report.seen += 1
            switch classify(rel, size: size, rules, now: now) {
            case .otherCamera, .outsideWindow: report.outOfScope += 1
            case .otherShard: report.otherShards += 1
            case .stillWriting: report.stillWriting.append(rel)
            case .entry(let e):
                if let start = e.start {
                    guard start.addingTimeInterval(e.info?.durationSeconds ?? 0) >= config.from, start <= config.to else { report.outOfScope += 1; continue }
                    report.inScope += 1
                }
                entries.append(e)
            }
        }
        return (entries, report)
    }

    /// The archive folder, which must exist.
    public static func archiveRoot(_ path: String) throws -> URL {
        let root = URL(fileURLWithPath: path).standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            throw StoreError(file: root.path, reason: "archive folder not found")
        }
        return root
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
