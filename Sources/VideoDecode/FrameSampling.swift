import Foundation

extension MediaProbe {
    /// True for single pictures (JPEG, PNG, BMP, …) as opposed to footage.
    public static func isStillImage(_ path: String) throws -> Bool {
        let input = try InputFile(path: path)
        let name = input.formatName
        return name == "image2" || name.hasSuffix("_pipe")
    }
}

/// Photos and footage through one door: a photo is one picture at time 0, a video is sampled
/// every `every` seconds. Used by the recognisers' command-line tools.
public enum MediaFrames {
    public static func forEach(_ path: String, every: Double, format: Image.Format = .rgb,
                               threads: Int = 1, _ body: (_ time: Double, _ image: Image) throws -> Void) throws -> DecodeStats? {
        if try MediaProbe.isStillImage(path) {
            try body(0, try StillImage.load(path, as: format))
            return nil
        }
        guard every > 0 else {
            throw DecodeError(.invalidArgument, file: path, operation: "sample", reason: "sampling interval must be positive")
        }
        let decoder = try VideoDecoder(path: path, options: DecodeOptions(policy: .perSecond(1 / every), threads: threads))
        return try decoder.decode { frame in
            try body(frame.time, try frame.image(format))
            return true
        }
    }
}
