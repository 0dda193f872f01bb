import Foundation
import RecognitionKit

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func sample(_ rel: String) -> String { root.appendingPathComponent("samples").appendingPathComponent(rel).path }
    static let models = ModelStore(directory: root.appendingPathComponent("models").path)

    /// dlib's example photos, installed with libdlib-dev (third-party images: never committed).
    static let dlibExamples = "/usr/share/doc/libdlib19.1/examples"

    /// One engine per test process: loading the ResNet takes ~0.3 s.
    static let faceEngine: FaceEngine = try! FaceEngine(models: models, loadCenterFace: true)
    static let faceLock = NSLock()

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forensic-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func ffmpeg(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        p.arguments = ["-hide_banner", "-loglevel", "error", "-y"] + args
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Runs `body` with the shared face engine, one test at a time (dlib is not thread-safe).
    static func withFaces<T>(_ body: (FaceEngine) throws -> T) rethrows -> T {
        faceLock.lock(); defer { faceLock.unlock() }
        return try body(faceEngine)
    }
}
