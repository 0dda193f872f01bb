import Foundation
import TestSupport

/// The sample files these tests decode (paths and helpers come from TestSupport).
enum Fixtures {
    static let root = Repo.root
    static func sample(_ rel: String) -> String { Repo.sample(rel) }

    static let cam01 = sample("archive/CAM01/2026-11-20/140000.mp4")
    static let cam02 = sample("archive/CAM02/2026-11-20/140100.ts")
    static let cam03 = sample("archive/CAM03/2026-11-20/140200.mkv")

    static func tempDir() throws -> URL { try TempFolder.make() }
    static func ffmpeg(_ args: [String]) throws { try TestSupport.ffmpeg(args) }
    static func run(_ exe: String, _ args: [String]) throws -> ProcessResult { try runProcess(exe, args) }
}
