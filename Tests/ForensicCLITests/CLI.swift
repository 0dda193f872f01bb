import Foundation

/// Runs the `forensic` executable that `swift test` built beside the test bundle.
enum CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func sample(_ rel: String) -> String { root.appendingPathComponent("samples").appendingPathComponent(rel).path }
    static let dlibFaces = "/usr/share/doc/libdlib19.1/examples/faces"

    static let exe: String = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("forensic").path),
              url.pathComponents.count > 2 {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("forensic").path
    }()

    struct Result { let status: Int32; let stdout: String; let stderr: String }

    /// `unprivileged`: when the tests run as root (as CI does), as root without capabilities, so
    /// file modes hold (a 0444 file, a 0555 folder cannot be written) while a checkout in a 0700
    /// folder stays reachable; a test can show what the tool does with files it truly cannot write.
    static func run(_ args: [String], environment: [String: String]? = nil, unprivileged: Bool = false) throws -> Result {
        let p = Process()
        let dropRoot = unprivileged && getuid() == 0
        p.executableURL = URL(fileURLWithPath: dropRoot ? "/usr/bin/setpriv" : exe)
        p.arguments = dropRoot ? ["--bounding-set=-all", "--inh-caps=-all", "--", exe] + args : args
        p.currentDirectoryURL = root
        if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Drain stderr on another thread so a chatty child cannot fill one pipe and block.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let done = DispatchSemaphore(value: 0)
        let errHandle = err.fileHandleForReading
        DispatchQueue.global().async { errBox.data = errHandle.readDataToEndOfFile(); done.signal() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        done.wait()
        let errData = errBox.data
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forensic-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The sample archive copied into `dir`/archive, plus CAM04 footage with faces from dlib's photos.
    static func archiveWithFaces(in dir: URL) throws -> URL {
        let archive = dir.appendingPathComponent("archive")
        try FileManager.default.copyItem(atPath: root.appendingPathComponent("samples/archive").path, toPath: archive.path)
        let footage = Process()
        footage.executableURL = URL(fileURLWithPath: "/bin/bash")
        footage.arguments = [root.appendingPathComponent("scripts/make-face-footage.sh").path, archive.path]
        try footage.run(); footage.waitUntilExit()
        return archive
    }

    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }
}
