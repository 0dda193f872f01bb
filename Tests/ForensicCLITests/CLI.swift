import Foundation
import TestSupport

/// Runs the `forensic` executable that `swift test` built beside the test bundle.
enum CLI {
    static let root = Repo.root
    static func sample(_ rel: String) -> String { Repo.sample(rel) }
    static let dlibFaces = Repo.dlibExamples + "/faces"
    static let exe = Repo.built("forensic")

    typealias Result = ProcessResult

    /// `unprivileged`: when the tests run as root (as CI does), as root without capabilities, so
    /// file modes hold (a 0444 file, a 0555 folder cannot be written) while a checkout in a 0700
    /// folder stays reachable; a test can show what the tool does with files it truly cannot write.
    static func run(_ args: [String], environment: [String: String]? = nil, unprivileged: Bool = false) throws -> Result {
        let dropRoot = unprivileged && getuid() == 0
        return try runProcess(dropRoot ? "/usr/bin/setpriv" : exe, dropRoot ? ["--bounding-set=-all", "--inh-caps=-all", "--", exe] + args : args,
                              in: root, environment: environment)
    }

    static func tempDir() throws -> URL { try TempFolder.make() }

    /// The sample archive copied into `dir`/archive, plus CAM04 footage with faces from dlib's photos.
    static func archiveWithFaces(in dir: URL) throws -> URL { try sampleArchive(in: dir) }

    /// `--json` output: exactly one document (see `jsonDocument`).
    static func json(_ text: String) throws -> [[String: Any]] { try jsonDocument(text) }

    /// `--json-lines` output: one object per line.
    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try jsonDocument(String($0)).first ?? [:] }
    }
}
