import Crypto
import Foundation
import VideoDecode

/// Clips and frames made for the pages, kept in the work folder: a clip is the original's packets
/// stream-copied into an MP4 when a browser can play them (H.264), and transcoded to H.264 with
/// our FFmpeg libraries when it cannot (H.265, MPEG-4 Part 2, …). Evidence bundles never use
/// these: they carry the stream copies `forensic export` makes.
struct MediaCache: Sendable {
    let folder: String

    var clipFolder: String { (folder as NSString).appendingPathComponent("media") }

    /// The clip's file name under `clipFolder` (made once per source and range), and how it was made.
    func clip(source: String, from: Double, to: Double) throws -> (name: String, transcoded: Bool) {
        try FileManager.default.createDirectory(atPath: clipFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = SHA256.hash(data: Data("\(source)|\(from)|\(to)".utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
        let name = "clip-\(key).mp4", path = (clipFolder as NSString).appendingPathComponent(name)
        let playable = try MediaProbe.probe(source).codec == "h264"
        if FileManager.default.fileExists(atPath: path) { return (name, !playable) }
        let partial = path + ".partial-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: partial) }
        if playable {
            _ = try ClipExporter.export(source, from: from, to: to, output: partial + ".mp4")
        } else {
            try transcode(source, from: from, to: to, output: partial + ".mp4")
        }
        try FileManager.default.moveItem(atPath: partial + ".mp4", toPath: path)
        return (name, !playable)
    }

    /// Decodes `from`–`to` of `source` and writes it as H.264 (re-encoded: for viewing only).
    private func transcode(_ source: String, from: Double, to: Double, output: String) throws {
        defer { try? FileManager.default.removeItem(atPath: output + ".cut.mkv") }
        let cut = try ClipExporter.export(source, from: from, to: to, output: output + ".cut.mkv")
        var writer: VideoWriter?
        try VideoDecoder(path: cut.output).decode { frame in
            let image = try frame.image(.rgb)
            if writer == nil { writer = try VideoWriter(path: output, width: image.width, height: image.height) }
            try writer!.write(image, at: frame.time)
            return true
        }
        guard let writer else { throw DecodeError(.decode, file: source, operation: "transcode", reason: "no frame could be decoded") }
        try writer.finish()
    }

    /// The decoded frame of `source` nearest `time` (seconds), as JPEG.
    func frame(source: String, at time: Double) throws -> Data {
        var best: (distance: Double, image: Image)?
        try VideoDecoder(path: source).decode { f in
            let d = abs(f.time - time)
            if d < (best?.distance ?? .infinity) { best = (d, try f.image(.rgb)) }
            return f.time < time + 0.5
        }
        guard let best else { throw DecodeError(.decode, file: source, operation: "frame", reason: "no frame near \(time) s") }
        return try best.image.jpegData()
    }
}
