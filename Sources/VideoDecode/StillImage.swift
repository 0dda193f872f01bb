internal import CFFmpeg
import Foundation

/// Photos (JPEG, PNG, BMP, …) decoded through the same libraries as the footage.
public enum StillImage {
    /// Pictures above this many pixels are refused rather than decoded (a 20000×20000 photo
    /// would take 1.2 GB as RGB). Investigators' photos are far below it.
    public static let maxPixels = 100_000_000

    /// Decodes the first picture in `path` at full resolution, or fitted within the bounds, turned
    /// upright by its EXIF orientation (a phone's portrait photo is stored sideways).
    /// - Throws: `DecodeError` naming the file: not an image, empty, too large, corrupt.
    public static func load(_ path: String, as format: Image.Format = .rgb,
                            maxWidth: Int? = nil, maxHeight: Int? = nil) throws -> Image {
        let info = try MediaProbe.dimensions(path)
        guard info.width > 0, info.height > 0 else {
            throw DecodeError(.noFrame, file: path, operation: "probe", reason: "image has no size")
        }
        guard info.width * info.height <= maxPixels else {
            throw DecodeError(.tooLarge, file: path, operation: "probe",
                              reason: "image is \(info.width)x\(info.height), over the \(maxPixels / 1_000_000) MP limit")
        }
        let decoder = try VideoDecoder(path: path)
        var result: Image? = nil
        let stats = try decoder.decode { frame in
            let turned = frame.exifOrientation >= 5
            result = try frame.image(format, maxWidth: turned ? maxHeight : maxWidth, maxHeight: turned ? maxWidth : maxHeight)
                .oriented(exif: frame.exifOrientation)
            return false
        }
        guard let result else {
            throw DecodeError(.noFrame, file: path, operation: "avcodec_receive_frame",
                              reason: stats.corruptPackets > 0 ? "image data is corrupt" : "no picture could be decoded")
        }
        return result
    }
}

extension MediaProbe {
    /// Width and height of the main video stream/picture from the headers only.
    public static func dimensions(_ path: String) throws -> (width: Int, height: Int) {
        let input = try InputFile(path: path)
        let idx = try input.bestVideoStream()
        let par = input.context.pointee.streams[Int(idx)]!.pointee.codecpar.pointee
        return (Int(par.width), Int(par.height))
    }
}
