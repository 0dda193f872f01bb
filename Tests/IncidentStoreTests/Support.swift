import Foundation
import IncidentStore

enum Support {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let cameras = root.appendingPathComponent("samples/cameras.csv").path
    static let models = root.appendingPathComponent("models").path

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forensic-inc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A copy of the sample archive plus the CAM04 face footage, in a fresh folder.
    static func archive() throws -> URL {
        let dir = try tempDir().appendingPathComponent("archive")
        try FileManager.default.copyItem(at: root.appendingPathComponent("samples/archive"), to: dir)
        try shell("/bin/bash", [root.appendingPathComponent("scripts/make-face-footage.sh").path, dir.path])
        return dir
    }

    static func shell(_ exe: String, _ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw StoreError(file: exe, reason: "exit \(p.terminationStatus)") }
    }

    static let forensic: String = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("forensic").path), url.pathComponents.count > 2 {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("forensic").path
    }()

    static func config(archive: URL, cameras: [String]? = nil) -> IncidentConfig {
        IncidentConfig(name: "test", from: parseISOTime("2026-11-20T14:00:00+05:00")!, to: parseISOTime("2026-11-20T15:00:00+05:00")!,
                       archive: archive.path, cameras: cameras)
    }
}
