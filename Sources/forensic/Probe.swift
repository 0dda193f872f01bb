import ArgumentParser
import Foundation
import VideoDecode

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe video files: container, codec, size, rate, duration, frames, keyframe interval.",
        discussion: "A file that cannot be read is reported on stderr; the others are still printed. Exit status 2 if any failed.")

    @Argument(help: "Video or image files.")
    var files: [String]

    @OptionGroup var output: JSONOutput

    @Option(help: "Also decode, sampling this many frames per second, and report the decode counts.")
    var sample: Double?

    func run() throws {
        let printer = ResultPrinter<ProbeLine>(output) { describe($0.info, $0.decode) }
        defer { printer.finish() }
        try forEachInput(files) { file in
            let info = try MediaProbe.probe(file)
            var stats: DecodeStats? = nil
            if let rate = sample {
                let decoder = try VideoDecoder(path: file, options: DecodeOptions(policy: .perSecond(rate), threads: 2))
                stats = try decoder.decode { _ in true }
            }
            printer.add(ProbeLine(info: info, decode: stats))
        }
    }

    private func describe(_ i: MediaInfo, _ stats: DecodeStats?) -> String {
        func f(_ v: Double?, _ digits: Int = 2) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "?" }
        var lines = ["\(i.file)",
                     "  container  \(i.container) (\(i.containerLongName)), \(i.sizeBytes) bytes",
                     "  video      \(i.codec)\(i.profile.map { " \($0)" } ?? "") \(i.width)x\(i.height) \(i.pixelFormat ?? "") @ \(f(i.frameRate, 3)) fps",
                     "  duration   \(f(i.durationSeconds, 3)) s, start \(f(i.startTimeSeconds, 3)) s, frames \(i.frameCount.map(String.init) ?? "?")\(i.frameCountExact ? "" : " (estimated)")",
                     "  keyframes  every \(f(i.keyframeIntervalFrames, 0)) frames (\(f(i.keyframeIntervalSeconds)) s), bit rate \(i.bitRate.map { "\($0 / 1000) kb/s" } ?? "?"), audio streams \(i.audioStreams)"]
        if let c = i.creationTime { lines.append("  created    \(c)") }
        if let s = stats {
            lines.append("  decoded    \(s.framesDecoded) frames, sampled \(s.framesDelivered), corrupt packets \(s.corruptPackets), concealed frames \(s.concealedFrames)\(s.readError.map { ", stopped early: \($0)" } ?? "")")
        }
        return lines.joined(separator: "\n")
    }
}

/// `probe --json` line: the probe fields, plus `decode` counts when `--sample` was given.
struct ProbeLine: Encodable {
    let info: MediaInfo
    let decode: DecodeStats?
    func encode(to encoder: Encoder) throws {
        try info.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(decode, forKey: .decode)
    }
    enum Key: String, CodingKey { case decode }
}
