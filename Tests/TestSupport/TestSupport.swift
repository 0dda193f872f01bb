import Foundation
import RecognitionKit

/// What every test target shares: the repository's paths, temporary folders that are removed
/// when the test process ends, one process runner, the shared face engine, the sample archive.
public enum Repo {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    public static func sample(_ rel: String) -> String { root.appendingPathComponent("samples").appendingPathComponent(rel).path }
    public static let models = root.appendingPathComponent("models").path
    public static let cameras = sample("cameras.csv")
    /// dlib's example photos, installed with libdlib-dev (third-party images: never committed).
    public static let dlibExamples = "/usr/share/doc/libdlib19.1/examples"
    /// The real plate photos beside the project (`../shared/plates-dev`), when present.
    public static let platesDev = root.deletingLastPathComponent().appendingPathComponent("shared/plates-dev").path

    /// An executable SwiftPM built beside the test bundle (`forensic`, `forensic-bench`).
    public static func built(_ name: String) -> String {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path), url.pathComponents.count > 2 {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent(name).path
    }
}

/// Fresh folders for one test each, all under one folder per test process that is removed when
/// the process exits (a failed test's files stay until then, for a look while it runs).
public enum TempFolder {
    private static let parent: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forensic-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FileManager.default.temporaryDirectory.appendingPathComponent("forensic-tests-\(getpid())").path) }
        return dir
    }()

    public static func make() throws -> URL {
        let dir = parent.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// What a child process printed and how it ended.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public struct ProcessFailure: Error, CustomStringConvertible {
    public let description: String
}

/// Runs a program to the end, reading its stdout and stderr at the same time (a child that fills
/// one pipe while the other is read first would hang the test).
public func runProcess(_ exe: String, _ args: [String], in folder: URL? = nil, environment: [String: String]? = nil) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    if let folder { p.currentDirectoryURL = folder }
    if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    final class Box: @unchecked Sendable { var data = Data() }   // written by one thread, read after it signals
    let errBox = Box()
    let done = DispatchSemaphore(value: 0)
    let errHandle = err.fileHandleForReading
    DispatchQueue.global().async { errBox.data = errHandle.readDataToEndOfFile(); done.signal() }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    done.wait()
    return ProcessResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: errBox.data, as: UTF8.self))
}

/// Runs a program that must succeed.
@discardableResult
public func runChecked(_ exe: String, _ args: [String], in folder: URL? = nil) throws -> ProcessResult {
    let r = try runProcess(exe, args, in: folder)
    guard r.status == 0 else { throw ProcessFailure(description: "\(exe) \(args.joined(separator: " ")): exit \(r.status): \(r.stderr)") }
    return r
}

/// The ffmpeg command-line tool, quiet, overwriting: makes test media.
public func ffmpeg(_ args: [String]) throws {
    try runChecked("/usr/bin/ffmpeg", ["-hide_banner", "-loglevel", "error", "-y"] + args)
}

/// The sample archive copied into `folder`/archive, plus CAM04 footage with faces from dlib's photos.
public func sampleArchive(in folder: URL) throws -> URL {
    let archive = folder.appendingPathComponent("archive")
    try FileManager.default.copyItem(atPath: Repo.root.appendingPathComponent("samples/archive").path, toPath: archive.path)
    try runChecked("/bin/bash", [Repo.root.appendingPathComponent("scripts/make-face-footage.sh").path, archive.path])
    return archive
}

/// One face engine per test process (loading the ResNet takes ~0.3 s), used by one test at a
/// time (dlib is not thread-safe).
public enum SharedFaces {
    public static let engine: FaceEngine = try! FaceEngine(models: ModelStore(directory: Repo.models))
    private static let lock = NSLock()

    public static func with<T>(_ body: (FaceEngine) throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body(engine)
    }
}

/// A command's `--json` output: one document, an array of objects (or one object, as a list of
/// one). Each object's nested `at` (camera and time) is flattened beside its own fields, as the
/// table shows them. Fails when the text is not exactly one JSON document.
public func jsonDocument(_ text: String) throws -> [[String: Any]] {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    let objects: [[String: Any]]
    switch value {
    case let list as [[String: Any]]: objects = list
    case let one as [String: Any]: objects = [one]
    case let list as [Any] where list.isEmpty: objects = []
    default: throw ProcessFailure(description: "not a JSON array of objects: \(text.prefix(200))")
    }
    return objects.map { o in
        var flat = o
        if let at = o["at"] as? [String: Any] { flat.removeValue(forKey: "at"); for (k, v) in at where flat[k] == nil { flat[k] = v } }
        return flat
    }
}
