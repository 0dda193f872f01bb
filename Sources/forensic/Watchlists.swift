import ArgumentParser
import Foundation
import RecognitionKit
import Watchlists

extension Watchlist.Kind: ExpressibleByArgument {}

/// `--watchlist FILE`, else `$FORENSIC_WATCHLIST`, else the per-user default.
struct WatchlistFileOption: ParsableArguments {
    @Option(name: .customLong("watchlist"), help: "Watchlist file (default: $FORENSIC_WATCHLIST, else ${XDG_DATA_HOME:-~/.local/share}/forensic/watchlist.db).")
    var file: String?

    var path: String { file ?? Watchlist.defaultPath() }
    func open(create: Bool = false) throws -> Watchlist { try Watchlist(path: path, create: create) }
}

struct WatchlistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchlist",
        abstract: "Lists of wanted people (face photos) and vehicles (plates) that indexing checks.",
        discussion: """
            One SQLite file (mode 0600: it holds biometric data) with a hash-chained audit log of \
            every change. Exit 0 when everything asked was done; 2 when some rows or photos were \
            left out (each named on stderr with its reason; the rest were enrolled together); 1 \
            when nothing could be done (no such list, not a watchlist file, a malformed file).
            """,
        subcommands: [Create.self, ListLists.self, Show.self, Remove.self, AddFaces.self, AddPlates.self, Export.self, Import.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a list.")
        @Argument(help: "List name (letters, digits, '-', '_', '.').") var name: String
        @Option(help: "faces or plates.") var kind: Watchlist.Kind
        @Option(help: "What the list is for.") var description = ""
        @OptionGroup var watchlist: WatchlistFileOption
        func run() throws {
            try reportingFailure { try watchlist.open(create: true).createList(name, kind: kind, description: description) }
        }
    }

    struct ListLists: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The lists, their kinds and sizes.")
        @OptionGroup var watchlist: WatchlistFileOption
        @OptionGroup var output: JSONOutput
        func run() throws {
            let lists = try reportingFailure { try watchlist.open().lists() }
            let printer = ResultPrinter<Watchlist.ListInfo>(output) { _ in nil }
            defer { printer.finish() }
            for l in lists {
                printer.add(l, line: "\(l.name)\t\(l.kind.rawValue)\t\(l.entries) entries\(l.kind == .faces ? ", \(l.photos) photos" : "")\t\(l.description)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The entries of a list.")
        @Argument var list: String
        @OptionGroup var watchlist: WatchlistFileOption
        @OptionGroup var output: JSONOutput
        func run() throws {
            let (kind, entries) = try reportingFailure { try watchlist.open().entries(list: list) }
            let printer = ResultPrinter<Watchlist.Entry>(output) { e in
                switch kind {
                case .plates: return "\(e.plate ?? e.id)\t\(e.reason ?? "")\tmax distance \(e.maxDistance ?? 1)\t\(e.notes)"
                case .faces: return "\(e.id)\t\(e.name)\t\(e.photos?.count ?? 0) photos\t\(e.notes)"
                }
            }
            entries.forEach { printer.add($0) }
            printer.finish()
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a list, or one entry (the audit log keeps the record).")
        @Argument var list: String
        @Option(help: "Remove only this entry (person id or plate).") var entry: String?
        @OptionGroup var watchlist: WatchlistFileOption
        func run() throws {
            try reportingFailure { try watchlist.open().remove(list: list, entry: entry) }
        }
    }

    struct AddFaces: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-faces",
            abstract: "Enrol people: a folder of subfolders named by person id, or a CSV id,name,photo[,notes].",
            discussion: "Each photo must hold one usable face; the others are listed with their reason and left out. A known id with the same name gains the photos; with another name it is refused.")
        @Argument var list: String
        @Argument(help: "Folder with one subfolder of photos per person.") var folder: String?
        @Option(help: "CSV with the header id,name,photo[,notes] (photo paths relative to the CSV).") var csv: String?
        @OptionGroup var watchlist: WatchlistFileOption
        @Option(help: "Model directory.") var models: String?
        @OptionGroup var output: JSONOutput
        func validate() throws {
            guard (folder == nil) != (csv == nil) else { throw ValidationError("give a folder or --csv FILE (one of them)") }
        }
        func run() throws {
            let report = try reportingFailure {
                let w = try watchlist.open()
                let engine = try FaceEngine(models: ModelStore(directory: models), loadCenterFace: true)
                if let csv {
                    let (rows, skipped) = try Watchlist.people(inCSV: csv)
                    return try w.addFaces(list: list, people: rows, skipped: skipped, engine: engine)
                }
                return try w.addFaces(list: list, people: try Watchlist.people(inFolder: folder!), engine: engine)
            }
            try printReport(report, output)
        }
    }

    struct AddPlates: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-plates",
            abstract: "Add wanted plates from a CSV plate,reason,notes[,max_distance].")
        @Argument var list: String
        @Argument var csv: String
        @OptionGroup var watchlist: WatchlistFileOption
        @OptionGroup var output: JSONOutput
        func run() throws {
            let report = try reportingFailure { try watchlist.open().addPlates(list: list, csv: csv) }
            try printReport(report, output)
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a list as JSON (with embeddings) or CSV (without) to stdout or --out.")
        @Argument var list: String
        @Option(help: "json or csv.") var format: InterchangeFormat = .json
        @Option(help: "Write here (mode 0600) instead of stdout.") var out: String?
        @OptionGroup var watchlist: WatchlistFileOption
        func run() throws {
            try reportingFailure {
                let w = try watchlist.open()
                let data = format == .json ? try w.exportJSON(list: list) + Data("\n".utf8) : Data(try w.exportCSV(list: list).utf8)
                if let out {
                    guard FileManager.default.createFile(atPath: out, contents: data, attributes: [.posixPermissions: 0o600]) else {
                        throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: out])
                    }
                } else {
                    FileHandle.standardOutput.write(data)
                }
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import a JSON export (creates the list, or adds to one of the same kind).")
        @Argument var file: String
        @Option(help: "Import into this list (default: the name in the file).") var list: String?
        @OptionGroup var watchlist: WatchlistFileOption
        @OptionGroup var output: JSONOutput
        func run() throws {
            let report = try reportingFailure { try watchlist.open(create: true).importJSON(file, into: list) }
            try printReport(report, output)
        }
    }
}

enum InterchangeFormat: String, ExpressibleByArgument { case json, csv }

/// One line per left-out row or photo on stderr, a summary on stdout; exit 2 when any was left out.
func printReport(_ r: EnrolmentReport, _ output: JSONOutput) throws {
    for s in r.skipped { reportError("\(s.source): \(s.reason)") }
    printResult(r, output) { "\(r.list): \(r.added) added, \(r.merged) merged, \(r.photos) photos, \(r.skipped.count) left out" }
    if !r.skipped.isEmpty { throw ExitStatus.someInputsFailed }
}
