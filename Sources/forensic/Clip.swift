import ArgumentParser
import Foundation
import VideoDecode

struct Clip: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a time range of a video losslessly (stream copy, no re-encoding).",
        discussion: "The clip starts at the keyframe at or before --from, so it may begin slightly early. Keep MPEG-TS sources as .ts to keep the bytes of every packet identical.")

    @Argument(help: "Source video.")
    var source: String

    @Option(help: "Start, seconds from the first frame.")
    var from: Double

    @Option(help: "End, seconds from the first frame.")
    var to: Double

    @Option(name: .shortAndLong, help: "Output file; its extension picks the container (.mp4, .mkv, .ts, .mov).")
    var output: String

    @OptionGroup var printing: JSONOutput

    func run() throws {
        try reportingFailure {
            let r = try ClipExporter.export(source, from: from, to: to, output: output)
            printResult(r, printing) { "\(r.output): \(r.videoPackets) video packets, \(String(format: "%.3f", r.startTime))–\(String(format: "%.3f", r.endTime)) s of \(source)" }
        }
    }
}
