import ArgumentParser
import Foundation
import IncidentStore
import Investigation

/// How a command prints what it found: lines or a table for people, one JSON document for
/// scripts (`--json`: an array, `[]` when nothing), or one JSON object per line as each is found
/// (`--json-lines`). Field names come from the result types (README "JSON fields").
struct JSONOutput: ParsableArguments {
    @Flag(help: "One JSON document: an array of results ([] when there are none).") var json = false
    @Flag(name: .customLong("json-lines"), help: "One JSON object per line, printed as each result is found.") var jsonLines = false

    var isJSON: Bool { json || jsonLines }

    func validate() throws {
        guard !(json && jsonLines) else { throw ValidationError("choose --json or --json-lines, not both") }
    }
}

/// Prints results as they come: as text, as JSON lines, or collected into one JSON array printed
/// by `finish()` (also when a later input failed, so the document is always whole).
final class ResultPrinter<T: Encodable> {
    private let output: JSONOutput
    private let text: (T) -> String?
    private var collected: [T] = []

    init(_ output: JSONOutput, text: @escaping (T) -> String?) {
        self.output = output
        self.text = text
    }

    /// Adds a result; `line` is its text for people (default: the printer's own).
    func add(_ value: T, line: String? = nil) {
        if output.jsonLines { print(jsonText(value)) }
        else if output.json { collected.append(value) }
        else if let line = line ?? text(value) { print(line) }
    }

    func finish() {
        if output.json { print(collected.isEmpty ? "[]" : jsonText(collected, pretty: true)) }
    }
}

/// One value as JSON in the results' one form (snake-case keys, sorted; ISO 8601 times).
func jsonText<T: Encodable>(_ value: T, pretty: Bool = false) -> String {
    guard let data = try? resultEncoder(pretty: pretty).encode(value) else { return "null" }
    return String(decoding: data, as: UTF8.self)
}

/// Prints one result (a run summary, a verdict) as text or as one JSON object.
func printResult<T: Encodable>(_ value: T, _ output: JSONOutput, text: () -> String) {
    print(output.isJSON ? jsonText(value, pretty: output.json) : text())
}

/// Prints rows as an aligned table (or CSV) of the named fields, read from each row's JSON form
/// (the fields of a nested value such as `at`, the camera and time, sit beside the row's own);
/// `--json` and `--json-lines` print the rows themselves.
func printRows<T: Encodable>(_ rows: [T], columns: [String], output: JSONOutput, csv: Bool = false, empty: String = "no matches") {
    if output.isJSON {
        let printer = ResultPrinter<T>(output) { _ in nil }
        rows.forEach { printer.add($0) }
        printer.finish()
        return
    }
    let cells = rows.map { row in
        let fields = JSONValue.fields(of: row)
        return columns.map { fields[$0]?.text ?? "" }
    }
    if csv {
        func quote(_ s: String) -> String { s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        print(columns.joined(separator: ","))
        cells.forEach { print($0.map(quote).joined(separator: ",")) }
        return
    }
    if rows.isEmpty { print(empty); return }
    let widths = columns.indices.map { i in max(columns[i].count, cells.map { $0[i].count }.max() ?? 0) }
    func line(_ v: [String]) -> String { zip(v, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ") }
    print(line(columns))
    cells.forEach { print(line($0)) }
}

/// A JSON value read back for a table cell.
enum JSONValue: Decodable {
    case text(String), number(Double), bool(Bool), list([JSONValue]), object([String: JSONValue]), null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .text(s) }
        else if let l = try? c.decode([JSONValue].self) { self = .list(l) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// A row's fields by JSON name, a nested object's fields beside its own.
    static func fields<T: Encodable>(of row: T) -> [String: JSONValue] {
        guard let data = try? resultEncoder().encode(row), case .object(let top)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return [:] }
        var out: [String: JSONValue] = [:]
        for (key, value) in top {
            if case .object(let inner) = value { for (k, v) in inner where out[k] == nil { out[k] = v } } else { out[key] = value }
        }
        return out
    }

    /// As a cell: numbers with up to 3 decimals, trailing zeros trimmed (57, 56.5, 0.777).
    var text: String {
        switch self {
        case .text(let s): return s
        case .number(let d):
            var t = String(format: "%.3f", d)
            while t.hasSuffix("0") { t.removeLast() }
            if t.hasSuffix(".") { t.removeLast() }
            return t
        case .bool(let b): return b ? "true" : "false"
        case .list(let l): return l.map(\.text).joined(separator: " ")
        case .object: return ""
        case .null: return ""
        }
    }
}

/// Errors go to stderr as one line that names the file and the reason.
func reportError(_ message: Any) {
    FileHandle.standardError.write(Data("forensic: \(message)\n".utf8))
}

/// Runs a command's work; any failure other than a usage error becomes its one-line reason on
/// stderr and exit status 1 (missing models, a bad incident file, a refused query). A filter the
/// scope cannot answer (an unknown camera, a reversed window) is a usage error, exit 64.
func reportingFailure<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as ValidationError {
        throw e
    } catch let e as FilterError {
        throw ValidationError(e.description)
    } catch let e as ExitCode {
        throw e
    } catch {
        reportError(error)
        throw ExitCode.failure
    }
}

/// Runs `body` for each input file; a failure is reported on its own line and the others go on.
/// Exits 2 at the end if any file failed.
func forEachInput(_ files: [String], _ body: (String) throws -> Void) throws {
    var failed = 0
    for file in files {
        do { try body(file) } catch {
            failed += 1
            reportError(error)
        }
    }
    if failed > 0 { throw ExitStatus.someInputsFailed }
}
