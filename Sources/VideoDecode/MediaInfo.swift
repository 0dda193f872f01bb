internal import CFFmpeg
import Foundation

/// What `probe` learns about one file without decoding its pictures.
public struct MediaInfo: Codable, Sendable, Equatable {
    public var file: String
    public var sizeBytes: Int64
    public var container: String
    public var containerLongName: String
    public var codec: String
    public var profile: String?
    public var width: Int
    public var height: Int
    public var pixelFormat: String?
    /// Average frame rate (frames per second) as the container states it.
    public var frameRate: Double?
    public var durationSeconds: Double?
    /// Presentation time of the video stream's first frame, in seconds (non-zero in TS, or cut files).
    public var startTimeSeconds: Double?
    public var frameCount: Int?
    /// True when `frameCount` comes from the container's index; false when it is duration × rate.
    public var frameCountExact: Bool
    public var bitRate: Int?
    /// Container `creation_time` (ISO 8601 as stored), when present.
    public var creationTime: String?
    /// Frames from one keyframe to the next, measured on the first GOPs.
    public var keyframeIntervalFrames: Double?
    public var keyframeIntervalSeconds: Double?
    public var audioStreams: Int
    public var metadata: [String: String]

    enum CodingKeys: String, CodingKey {
        case file, container, codec, profile, width, height, metadata
        case sizeBytes = "size_bytes", containerLongName = "container_long_name"
        case pixelFormat = "pixel_format", frameRate = "frame_rate"
        case durationSeconds = "duration", startTimeSeconds = "start_time"
        case frameCount = "frame_count", frameCountExact = "frame_count_exact"
        case bitRate = "bit_rate", creationTime = "creation_time"
        case keyframeIntervalFrames = "keyframe_interval_frames"
        case keyframeIntervalSeconds = "keyframe_interval_seconds"
        case audioStreams = "audio_streams"
    }
}

public enum MediaProbe {
    /// Opens `path`, reads its headers and the first few GOPs' packets (no picture decoding).
    /// - Throws: `DecodeError` naming the file and FFmpeg's reason.
    public static func probe(_ path: String, stallLimit: Double = 30) throws -> MediaInfo {
        let input = try InputFile(path: path, stallLimit: stallLimit)
        let videoIndex = try input.bestVideoStream()
        let stream = input.context.pointee.streams[Int(videoIndex)]!
        let par = stream.pointee.codecpar!.pointee
        let fmt = input.context.pointee.iformat.pointee

        let codecName = String(cString: avcodec_get_name(par.codec_id))
        // A file nobody here can decode is a failure for the catalogue, not a success with holes.
        guard avcodec_find_decoder(par.codec_id) != nil else {
            throw DecodeError(.unsupportedCodec, file: path, operation: "avcodec_find_decoder",
                              reason: "no decoder for codec '\(codecName)'")
        }
        let profile = avcodec_profile_name(par.codec_id, par.profile).map { String(cString: $0) }
        let pixFmt = av_get_pix_fmt_name(AVPixelFormat(rawValue: par.format)).map { String(cString: $0) }
        let rate = FFmpeg.double(stream.pointee.avg_frame_rate) ?? FFmpeg.double(stream.pointee.r_frame_rate)

        let streamDuration = FFmpeg.seconds(stream.pointee.duration, stream.pointee.time_base)
        let containerDuration = input.context.pointee.duration > 0
            ? Double(input.context.pointee.duration) / Double(AV_TIME_BASE) : nil
        let duration = streamDuration ?? containerDuration

        var frameCount: Int? = nil
        var exact = false
        if stream.pointee.nb_frames > 0 {
            frameCount = Int(stream.pointee.nb_frames)
            exact = true
        } else if let d = duration, let r = rate {
            frameCount = Int((d * r).rounded())
        }

        var meta = dictionary(input.context.pointee.metadata)
        for (k, v) in dictionary(stream.pointee.metadata) where meta[k] == nil { meta[k] = v }

        let audio = input.streams.filter { $0.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_AUDIO }.count
        var gop = keyframeInterval(input, videoIndex: videoIndex, timeBase: stream.pointee.time_base)
        // Packets between keyframes are counted in decode order, which B-frames reorder;
        // with a known rate the time distance is the exact frame count.
        if let g = gop, let r = rate { gop = ((g.seconds * r).rounded(), g.seconds) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        let bitRate = input.context.pointee.bit_rate > 0 ? Int(input.context.pointee.bit_rate)
            : (par.bit_rate > 0 ? Int(par.bit_rate) : nil)

        return MediaInfo(
            file: path, sizeBytes: size,
            container: String(cString: fmt.name),
            containerLongName: fmt.long_name.map { String(cString: $0) } ?? "",
            codec: codecName, profile: profile,
            width: Int(par.width), height: Int(par.height), pixelFormat: pixFmt,
            frameRate: rate, durationSeconds: duration,
            startTimeSeconds: FFmpeg.seconds(stream.pointee.start_time, stream.pointee.time_base),
            frameCount: frameCount, frameCountExact: exact, bitRate: bitRate,
            creationTime: meta["creation_time"],
            keyframeIntervalFrames: gop?.frames, keyframeIntervalSeconds: gop?.seconds,
            audioStreams: audio, metadata: meta)
    }

    /// Median distance between the first few keyframes, from packet flags alone.
    private static func keyframeInterval(_ input: InputFile, videoIndex: Int32, timeBase: AVRational)
        -> (frames: Double, seconds: Double)?
    {
        let packet = Packet()
        var keyPositions: [(index: Int, pts: Double)] = []
        var count = 0
        while count < 3000, keyPositions.count < 6 {
            guard (try? input.read(into: packet.pointer)) == true else { break }
            defer { packet.unref() }
            guard packet.pointer.pointee.stream_index == videoIndex else { continue }
            if packet.pointer.pointee.flags & AV_PKT_FLAG_KEY != 0,
               let t = FFmpeg.seconds(packet.pointer.pointee.pts, timeBase) {
                keyPositions.append((count, t))
            }
            count += 1
        }
        guard keyPositions.count >= 2 else { return nil }
        let frames = zip(keyPositions.dropFirst(), keyPositions).map { Double($0.index - $1.index) }.sorted()
        let secs = zip(keyPositions.dropFirst(), keyPositions).map { $0.pts - $1.pts }.sorted()
        return (frames[frames.count / 2], secs[secs.count / 2])
    }
}
