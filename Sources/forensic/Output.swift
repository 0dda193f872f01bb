import ArgumentParser
import Foundation

/// One JSON object per line, keys sorted so output diffs cleanly.
func jsonLine<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value), let line = String(data: data, encoding: .utf8) else {
        return "{}"
    }
    return line
}

/// Errors go to stderr as one line that names the file and the reason.
func reportError(_ message: Any) {
    FileHandle.standardError.write(Data("forensic: \(message)\n".utf8))
}

/// Runs a command's work; any failure other than a usage error becomes its one-line reason on
/// stderr and exit status 1 (missing models, a bad incident file, a refused query).
func reportingFailure<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as ValidationError {
        throw e
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
