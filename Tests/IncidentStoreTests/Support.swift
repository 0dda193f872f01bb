import Foundation
import IncidentStore
import TestSupport

/// Paths, the sample archive and the incident settings these tests share (from TestSupport).
enum Support {
    static let root = Repo.root
    static let cameras = Repo.cameras
    static let models = Repo.models
    static let forensic = Repo.built("forensic")

    static func tempDir() throws -> URL { try TempFolder.make() }

    /// A copy of the sample archive plus the CAM04 face footage, in a fresh folder.
    static func archive() throws -> URL { try sampleArchive(in: try tempDir()) }

    static func shell(_ exe: String, _ args: [String]) throws { try runChecked(exe, args) }

    static func config(archive: URL, cameras: [String]? = nil) -> IncidentConfig {
        IncidentConfig(name: "test", from: parseISOTime("2026-11-20T14:00:00+05:00")!, to: parseISOTime("2026-11-20T15:00:00+05:00")!,
                       archive: archive.path, cameras: cameras)
    }
}
