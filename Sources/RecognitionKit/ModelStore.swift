import Crypto
import Foundation

/// Where the model files live, and their fingerprints.
///
/// Search order: an explicit directory, `$FORENSIC_MODELS`, `./models`, then `models/` two levels
/// above the executable (the repository when run from `.build/release`).
public struct ModelStore: Sendable {
    public let directory: URL
    public static let setupCommand = "make setup"

    public init(directory: String? = nil) {
        if let directory {
            self.directory = URL(fileURLWithPath: directory).standardized
            return
        }
        let env = ProcessInfo.processInfo.environment["FORENSIC_MODELS"]
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        let candidates = [env, "models",
                          exe.deletingLastPathComponent().appendingPathComponent("../../../models").standardized.path,
                          exe.deletingLastPathComponent().appendingPathComponent("../../models").standardized.path]
            .compactMap { $0 }
        let found = candidates.first { FileManager.default.fileExists(atPath: $0) } ?? env ?? "models"
        self.directory = URL(fileURLWithPath: found).standardized
    }

    /// Path of `relative` inside the store, or an error naming it and the set-up command.
    public func file(_ relative: String) throws -> String {
        let path = directory.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw RecognitionError(.modelMissing, file: path,
                                   reason: "model file missing (run `\(Self.setupCommand)` or set FORENSIC_MODELS)")
        }
        return path
    }

    /// `name@sha256-prefix[+…]` over the given files (and a precision tag): stored with every
    /// result so a read can be traced to the exact weights that produced it.
    public static func fingerprint(name: String, files: [String], tag: String? = nil) throws -> String {
        var hasher = SHA256()
        for path in files {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw RecognitionError(.modelMissing, file: path, reason: "cannot read model file")
            }
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        }
        let hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return "\(name)@\(hex.prefix(16))" + (tag.map { "+\($0)" } ?? "")
    }
}
