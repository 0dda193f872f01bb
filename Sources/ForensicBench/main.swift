// Measures VideoDecode throughput for `make bench`: one line per policy, same format as the
// script's ffmpeg baselines, so the script can print ratios.
import Foundation
import VideoDecode

let args = CommandLine.arguments
guard args.count >= 4 else {
    FileHandle.standardError.write(Data("usage: forensic-bench decode FILE all|keyframes|fps=N [threads]\n".utf8))
    exit(64)
}
let file = args[2]
let threads = args.count > 4 ? Int(args[4]) ?? 1 : 1
let policy: SamplingPolicy
switch args[3] {
case "all": policy = .everyFrame
case "keyframes": policy = .keyframes
case let p where p.hasPrefix("fps="): policy = .perSecond(Double(p.dropFirst(4)) ?? 1)
default: fatalError("unknown policy \(args[3])")
}
let start = Date()
let decoder = try VideoDecoder(path: file, options: DecodeOptions(policy: policy, threads: threads))
var gray = 0
let stats = try decoder.decode { frame in
    // Sampled frames are scaled to a 640-wide gray picture, as the motion gate will use them.
    if case .perSecond = policy { gray += try frame.image(.gray, maxWidth: 640).pixels.count }
    return true
}
let wall = Date().timeIntervalSince(start)
let footage = (stats.lastFrameTime ?? 0) + 0.04
print(String(format: "%.3f %d %.1f", wall, stats.framesDecoded, footage))
