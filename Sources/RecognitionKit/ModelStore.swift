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

    /// The file to load for the model at `relative` in `precision`: for int8 the copy set-up
    /// quantised (`int8/…/NAME.xml`, beside its `NAME.recipe`) when there is one, else the source.
    /// A model without an int8 copy (platedet, platerec, PP-OCRv4) runs as f32.
    public func file(_ relative: String, precision: InferencePrecision) throws -> String {
        let source = try file(relative)
        guard precision == .int8, Self.quantised.contains(relative) else { return source }
        let int8 = directory.appendingPathComponent("int8/" + (relative as NSString).deletingPathExtension + ".xml").path
        guard FileManager.default.fileExists(atPath: int8), Self.int8Recipe(of: int8) != nil else {
            throw RecognitionError(.modelMissing, file: int8, reason: "int8 model missing (run `\(Self.setupCommand)`, which quantises it)")
        }
        return int8
    }

    /// The models scripts/quantise.py makes int8 copies of.
    public static let quantised: Set<String> = ["ppocr6/PP-OCRv6_det_small.onnx", "ppocr6/PP-OCRv6_rec_small.onnx", "centerface/centerface.onnx"]

    /// The recipe beside an int8 model (source SHA-256, NNCF version, calibration set): what its
    /// fingerprint hashes, since quantising on another CPU may change the file's last bits.
    static func int8Recipe(of path: String) -> String? {
        guard path.hasSuffix(".xml") else { return nil }
        let recipe = String(path.dropLast(4)) + ".recipe"
        return FileManager.default.fileExists(atPath: recipe) ? recipe : nil
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
