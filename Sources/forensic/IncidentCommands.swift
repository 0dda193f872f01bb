import ArgumentParser
import Foundation
import IncidentStore
import Nightly
import Indexing

struct IncidentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident",
        abstract: "Create an incident file over a time window and cameras, summarise one, or split and merge it for many machines.",
        subcommands: [Create.self, Info.self, Split.self, Merge.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create NAME.forensic (a SQLite file) for a time window, cameras and an archive.",
            discussion: """
                Times are ISO 8601 with an offset, e.g. 2026-11-20T14:00:00+05:00. The camera list is a CSV \
                with the header id,name,site,zone,latitude,longitude. The layout says where the archive keeps \
                footage: {camera}/{date}/{time}.{ext} by default, dates and times in --timezone.
                """)

        @Argument(help: "Incident name; the file is NAME.forensic (or NAME if it already ends in .forensic).")
        var name: String
        @Option(help: "Start of the window (ISO 8601 with offset).") var from: String
        @Option(help: "End of the window (ISO 8601 with offset).") var to: String
        @Option(help: "Archive root folder.") var archive: String
        @Option(name: .customLong("cameras-file"), help: "Camera registry CSV.") var camerasFile: String
        @Option(help: "Cameras in scope: ID,ID,… or @FILE with one id per line (default: all in the registry).")
        var cameras: String?
        @Option(help: "Path template of the archive.") var layout: String = "{camera}/{date}/{time}.{ext}"
        @Option(help: "Time zone of the archive's file names.") var timezone: String = "Asia/Karachi"
        @Option(help: "An archive index whose nightly results `index` takes instead of decoding again (recorded as the default).")
        var reuse: String?

        func run() throws {
            try reportingFailure {
                if let reuse { _ = try ArchiveIndex(path: reuse) }
                guard let f = parseISOTime(from) else { throw ValidationError("--from '\(from)' is not ISO 8601 with an offset (e.g. 2026-11-20T14:00:00+05:00)") }
                guard let t = parseISOTime(to) else { throw ValidationError("--to '\(to)' is not ISO 8601 with an offset") }
                let registry = try CameraRegistry.load(camerasFile)
                var scope: [String]? = nil
                if let cameras {
                    if cameras.hasPrefix("@") {
                        let file = String(cameras.dropFirst())
                        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                            throw StoreError(file: file, reason: "cannot read camera id list")
                        }
                        scope = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    } else {
                        scope = cameras.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    }
                }
                let path = name.hasSuffix(".forensic") ? name : name + ".forensic"
                let archiveURL = URL(fileURLWithPath: archive).standardizedFileURL
                let config = IncidentConfig(name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
                                            from: f, to: t, timeZone: timezone, archive: archiveURL.path, layout: layout, cameras: scope)
                let incident = try Incident.create(at: path, config: config, cameras: registry)
                if let reuse { try incident.setDefaultReuseIndex(URL(fileURLWithPath: reuse).standardizedFileURL.path) }
                print("created \(incident.path): \(registry.count) cameras in the registry, \(scope?.count ?? registry.count) in scope, \(isoTime(f, config.zone)) – \(isoTime(t, config.zone))")
            }
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Summarise an incident: files, hours of footage, reads, faces, runs.")
        @Argument(help: "The incident file.") var incident: String
        @OptionGroup var output: JSONOutput

        func run() throws {
            try reportingFailure {
                let i = try Incident(path: incident, mode: .readOnly).info()
                if output.isJSON { print(jsonText(i, pretty: output.json)); return }
                print("""
                    incident  \(i.name)  \(i.from) – \(i.to) (\(i.timezone))
                    archive   \(i.archive)  layout \(i.layout)\(i.shard.map { "  shard \($0) (merge it into the whole incident)" } ?? "")
                    cameras   \(i.cameras)
                    files     \(i.files.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
                    footage   \(i.footageHours) h indexed
                    plates    \(i.plateSightings) sightings from \(i.plateReads) reads
                    faces     \(i.faceTracks) tracks from \(i.faces) faces
                    people    \(i.peopleLooks) seen (summed over looks)
                    runs      \(i.runs)\(i.lastRun.map { "; last: \($0)" } ?? "")
                    audit     \(i.auditEntries) entries, chain \(i.auditIntact ? "intact" : "BROKEN")
                    """)
            }
        }
    }

    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Split an incident into N shard files, to index on N machines at once.",
            discussion: """
                Shard K (0…N-1) holds the archive files whose path hashes to K, and is an incident file of its own: \
                run `forensic index NAME.shard-K-of-N.forensic` for every K on any machines that see the archive \
                (a scheduler array: K = $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX), as often as needed; then \
                `forensic incident merge NAME.forensic NAME.shard-*-of-N.forensic`. Prints the shard files, one per line.
                """)
        @Argument(help: "The incident file.") var incident: String
        @Option(help: "Number of shards (2–10000).") var shards: Int
        @Option(help: "Folder for the shard files (default: beside the incident).") var dir: String?

        func run() throws {
            try reportingFailure {
                for path in try Incident(path: incident).split(into: shards, directory: dir) { print(path) }
            }
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy indexed shard files' results back into their incident (idempotent).",
            discussion: """
                Each shard is merged in one transaction; a file already in the incident with the same SHA-256 and \
                settings is left alone, and a file indexed in the incident is never replaced by a shard's failure. \
                Holds the incident's lock (exit 3 while an index run holds it). A shard that cannot be merged is \
                named on stderr and the others go on (exit 2). SIGTERM or SIGINT stops before the next shard (exit 4).
                """)
        @Argument(help: "The incident file.") var incident: String
        @Argument(help: "Shard files made by `incident split` and indexed.") var shards: [String]
        @OptionGroup var output: JSONOutput

        func run() throws {
            let lock = try FileLock.holding(incident: incident)
            defer { lock.release() }
            let whole = try reportingFailure { try Incident(path: incident) }
            var merged = 0
            // A signal stops between shards (each shard is one transaction, merged whole or not at all).
            let stop = StopRequest()
            let signals = onStopSignals { _ in stop.request() }
            defer { signals.forEach { $0.cancel() } }
            var left = shards
            var someFailed = false
            let printer = ResultPrinter<MergeReport>(output) { _ in nil }
            defer { printer.finish() }
            do {
                try forEachInput(shards) { shard in
                    guard !stop.requested else { return }
                    left.removeFirst()
                    let r = try whole.merge(shard: shard)
                    try whole.settle()
                    merged += r.merged
                    printer.add(r, line: "\(shard): shard \(r.shard): \(r.merged) files merged (\(r.sightings) plate sightings, \(r.faceTracks) face tracks), \(r.unchanged) unchanged, \(r.failed) failed, \(r.pending) not indexed yet")
                }
            } catch let e as ExitCode where e.rawValue == ExitStatus.someInputsFailed.rawValue {
                someFailed = true
            }
            if merged > 0 { try reportingFailure { try whole.refreshFaceVectors() } }
            if stop.requested && !left.isEmpty {
                reportError("\(incident): interrupted by a signal; \(left.count) shard(s) not merged, run the merge again")
                throw ExitStatus.interrupted
            }
            if someFailed { throw ExitStatus.someInputsFailed }
        }
    }
}
