import Foundation

/// Paths and generated media shared by the tests.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let samples = root.appendingPathComponent("samples")
    static func sample(_ rel: String) -> String { samples.appendingPathComponent(rel).path }

    static let cam01 = sample("archive/CAM01/2026-11-20/140000.mp4")
    static let cam02 = sample("archive/CAM02/2026-11-20/140100.ts")
    static let cam03 = sample("archive/CAM03/2026-11-20/140200.mkv")

    /// A fresh temporary directory for one test.
    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forensic-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs the ffmpeg command-line tool to make test media.
    static func ffmpeg(_ args: [String]) throws {
        let r = try run("/usr/bin/ffmpeg", ["-hide_banner", "-loglevel", "error", "-y"] + args)
        guard r.status == 0 else { throw FixtureError(message: "ffmpeg failed: \(r.stderr)") }
    }

    struct Result { let status: Int32; let stdout: String; let stderr: String }

    static func run(_ exe: String, _ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }
}

struct FixtureError: Error { let message: String }
