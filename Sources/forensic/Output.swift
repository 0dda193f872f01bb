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
