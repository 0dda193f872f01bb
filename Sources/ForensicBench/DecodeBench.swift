import Foundation
import VideoDecode

/// Prints `wall-seconds frames-decoded footage-seconds` for one pass.
func decodeBench(_ a: [String]) throws {
    guard a.count >= 2 else { throw CocoaError(.featureUnsupported) }
    let threads = a.count > 2 ? Int(a[2]) ?? 1 : 1
    let policy: SamplingPolicy
    switch a[1] {
    case "all": policy = .everyFrame
    case "keyframes": policy = .keyframes
    case let p where p.hasPrefix("fps="): policy = .perSecond(Double(p.dropFirst(4)) ?? 1)
    default: throw CocoaError(.featureUnsupported)
    }
    let start = Date()
    let decoder = try VideoDecoder(path: a[0], options: DecodeOptions(policy: policy, threads: threads))
    var bytes = 0
    let stats = try decoder.decode { frame in
        // Sampled frames are scaled to a 640-wide gray picture, as a motion gate would use them.
        if case .perSecond = policy { bytes += try frame.image(.gray, maxWidth: 640).pixels.count }
        return true
    }
    let wall = Date().timeIntervalSince(start)
    print(String(format: "%.3f %d %.1f", wall, stats.framesDecoded, (stats.lastFrameTime ?? 0) + 0.04))
}
