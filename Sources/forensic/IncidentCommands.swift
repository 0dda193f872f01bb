import ArgumentParser
import Foundation
import IncidentStore

struct IncidentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident",
        abstract: "Create an incident file over a time window and cameras, or summarise one.",
        subcommands: [Create.self, Info.self])

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

        func run() throws {
            try reportingFailure {
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
                print("created \(incident.path): \(registry.count) cameras in the registry, \(scope?.count ?? registry.count) in scope, \(isoTime(f, config.zone)) – \(isoTime(t, config.zone))")
            }
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Summarise an incident: files, hours of footage, reads, faces, runs.")
        @Argument(help: "The incident file.") var incident: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try reportingFailure {
                let i = try Incident(path: incident).info()
                if json { print(jsonLine(i)); return }
                print("""
                    incident  \(i.name)  \(i.from) – \(i.to) (\(i.timezone))
                    archive   \(i.archive)  layout \(i.layout)
                    cameras   \(i.cameras)
                    files     \(i.files.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
                    footage   \(i.footageHours) h indexed
                    plates    \(i.plateSightings) sightings from \(i.plateReads) reads
                    faces     \(i.faceTracks) tracks from \(i.faces) faces
                    runs      \(i.runs)\(i.lastRun.map { "; last: \($0)" } ?? "")
                    audit     \(i.auditEntries) entries, chain \(i.auditIntact ? "intact" : "BROKEN")
                    """)
            }
        }
    }
}
