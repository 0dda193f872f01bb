internal import CFFmpeg
import Foundation

/// Which frames of a video to hand to the caller.
public enum SamplingPolicy: Sendable, Equatable {
    /// Every decoded frame.
    case everyFrame
    /// About `n` frames per second of footage (the first frame at or after each 1/n step).
    case perSecond(Double)
    /// Keyframes only: other packets are never sent to the decoder (`AVDISCARD_NONKEY`).
    case keyframes
}

public struct DecodeOptions: Sendable {
    public var policy: SamplingPolicy
    /// Let the decoder drop frames no other frame references (cheaper, fewer frames).
    public var skipNonReference: Bool
    /// Decoder threads (frame + slice threading); 1 gives deterministic single-core numbers.
    public var threads: Int
    /// Seconds a single read may stall before the file is abandoned.
    public var stallLimit: Double
    /// Decode only the keyframe of a GOP whose inter-coded packets are all near the scene's quiet
    /// size (nothing new happened in it); decode whole GOPs where packet sizes show activity.
    /// Packet sizes cost nothing to read; a still scene then costs about a keyframe-only decode.
    public var skipQuietGOPs: Bool

    public init(policy: SamplingPolicy = .everyFrame, skipNonReference: Bool = false,
                threads: Int = 1, stallLimit: Double = 30, skipQuietGOPs: Bool = false) {
        self.policy = policy
        self.skipNonReference = skipNonReference
        self.threads = threads
        self.stallLimit = stallLimit
        self.skipQuietGOPs = skipQuietGOPs
    }
}

/// Counts from one pass over a file; damage is counted, not fatal.
public struct DecodeStats: Sendable, Equatable, Codable {
    public var packetsRead = 0
    public var framesDecoded = 0
    public var framesDelivered = 0
    /// Packets the decoder rejected (corrupt data); decoding went on after each.
    public var corruptPackets = 0
    /// Frames the decoder returned with concealed errors.
    public var concealedFrames = 0
    /// Set when reading stopped early on a container error (e.g. a truncated file).
    public var readError: String?
    /// With `skipQuietGOPs`: GOPs decoded whole, and GOPs of which only the keyframe was decoded.
    public var activeGOPs = 0
    public var quietGOPs = 0
    /// Time of the last delivered or decoded frame, in seconds.
    public var lastFrameTime: Double?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case packetsRead = "packets_read", framesDecoded = "frames_decoded"
        case framesDelivered = "frames_delivered", corruptPackets = "corrupt_packets"
        case concealedFrames = "concealed_frames", readError = "read_error", lastFrameTime = "last_frame_time"
        case activeGOPs = "active_gops", quietGOPs = "quiet_gops"
    }
}

/// One decoded picture, valid only inside the `VideoDecoder.decode` callback that received it.
/// Conversions happen on demand, so frames nobody looks at cost only their decode.
public struct DecodedFrame: ~Copyable {
    /// Display-order frame number: counted when every frame is decoded, else time × frame rate.
    public let index: Int
    /// Seconds from the video stream's first frame (best-effort timestamp − stream start).
    public let time: Double
    public let isKeyframe: Bool
    public let width: Int
    public let height: Int
    let frame: UnsafePointer<AVFrame>
    let scaler: Scaler
    let file: String

    /// The EXIF `Orientation` a JPEG carries (1 when absent): libavcodec's MJPEG decoder puts the
    /// EXIF tags in the frame's metadata (the value padded with spaces: "    6") but leaves the
    /// pixels as stored.
    public var exifOrientation: Int {
        dictionary(frame.pointee.metadata)["Orientation"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 1
    }

    /// The whole frame as gray or RGB, fitted inside the given bounds with the aspect kept.
    public func image(_ format: Image.Format, maxWidth: Int? = nil, maxHeight: Int? = nil) throws -> Image {
        let size = fittedSize(width: width, height: height, maxWidth: maxWidth, maxHeight: maxHeight)
        return try scaler.convert(frame, crop: nil, to: format, width: size.width, height: size.height, file: file)
    }

    /// A region read from the full-resolution pixels, optionally resized to `width`×`height`.
    public func crop(_ rect: PixelRect, _ format: Image.Format, width: Int? = nil, height: Int? = nil) throws -> Image {
        let r = rect.clamped(width: self.width, height: self.height)
        guard !r.isEmpty else {
            throw DecodeError(.invalidArgument, file: file, operation: "crop",
                              reason: "crop \(rect) lies outside the \(self.width)x\(self.height) frame")
        }
        return try scaler.convert(frame, crop: r, to: format, width: width ?? r.w, height: height ?? r.h, file: file)
    }
}

/// Decodes one video file through libavcodec with a sampling policy.
public final class VideoDecoder {
    public let path: String
    public let options: DecodeOptions
    private let input: InputFile
    private let videoIndex: Int32
    private let codec: UnsafeMutablePointer<AVCodecContext>
    private let timeBase: AVRational
    private let startPTS: Int64
    private let frameRate: Double?

    /// Opens the file and its video decoder.
    /// - Throws: `DecodeError` (`.open`, `.noVideoStream`, `.unsupportedCodec`, …) naming the file.
    public init(path: String, options: DecodeOptions = DecodeOptions()) throws {
        self.path = path
        self.options = options
        input = try InputFile(path: path, stallLimit: options.stallLimit)
        videoIndex = try input.bestVideoStream()
        let stream = input.context.pointee.streams[Int(videoIndex)]!
        let par = stream.pointee.codecpar!
        guard let decoder = avcodec_find_decoder(par.pointee.codec_id) else {
            let name = String(cString: avcodec_get_name(par.pointee.codec_id))
            throw DecodeError(.unsupportedCodec, file: path, operation: "avcodec_find_decoder",
                              reason: "no decoder for codec '\(name)'")
        }
        guard let ctx = avcodec_alloc_context3(decoder) else {
            throw DecodeError(.open, file: path, operation: "avcodec_alloc_context3", reason: "out of memory")
        }
        var ctxPtr: UnsafeMutablePointer<AVCodecContext>? = ctx
        do {
            try FFmpeg.check(avcodec_parameters_to_context(ctx, par), .unsupportedCodec, file: path)
            ctx.pointee.thread_count = Int32(max(1, options.threads))
            ctx.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
            if options.policy == .keyframes {
                ctx.pointee.skip_frame = AVDISCARD_NONKEY
            } else if options.skipNonReference {
                ctx.pointee.skip_frame = AVDISCARD_NONREF
            }
            try FFmpeg.check(avcodec_open2(ctx, decoder, nil), .unsupportedCodec, file: path)
        } catch {
            avcodec_free_context(&ctxPtr)
            throw error
        }
        codec = ctx
        timeBase = stream.pointee.time_base
        startPTS = stream.pointee.start_time == FFmpeg.noPTS ? 0 : stream.pointee.start_time
        frameRate = FFmpeg.double(stream.pointee.avg_frame_rate) ?? FFmpeg.double(stream.pointee.r_frame_rate)
    }

    deinit {
        var c: UnsafeMutablePointer<AVCodecContext>? = codec
        avcodec_free_context(&c)
    }

    /// Decodes the file start to end, calling `body` for each frame the policy selects.
    /// Corrupt packets are skipped and counted; a container read error ends the pass early
    /// and is reported in the stats. Return `false` from `body` to stop.
    @discardableResult
    public func decode(_ body: (borrowing DecodedFrame) throws -> Bool) throws -> DecodeStats {
        var stats = DecodeStats()
        let packet = Packet()
        guard let frame = av_frame_alloc() else {
            throw DecodeError(.decode, file: path, operation: "av_frame_alloc", reason: "out of memory")
        }
        var framePtr: UnsafeMutablePointer<AVFrame>? = frame
        defer { av_frame_free(&framePtr) }
        let scaler = Scaler()
        var nextSampleTime = 0.0
        var stop = false

        // Hands every frame the decoder has ready to `body`, until it wants more input.
        func drain() throws {
            while !stop {
                let rc = avcodec_receive_frame(codec, frame)
                if rc == FFmpeg.again || rc == FFmpeg.eof { return }
                if rc < 0 { stats.corruptPackets += 1; return }
                defer { av_frame_unref(frame) }
                let decodedIndex = stats.framesDecoded
                stats.framesDecoded += 1
                if frame.pointee.decode_error_flags != 0 { stats.concealedFrames += 1 }
                let pts = frame.pointee.best_effort_timestamp
                let time = FFmpeg.seconds(pts == FFmpeg.noPTS ? pts : pts - startPTS, timeBase)
                    ?? Double(decodedIndex) / (frameRate ?? 25)
                stats.lastFrameTime = time
                switch options.policy {
                case .everyFrame, .keyframes: break
                case .perSecond(let n):
                    // Half a frame of slack so 25 fps sampled at 5/s takes frames 0, 5, 10, ….
                    let slack = 0.5 / (frameRate ?? 1000)
                    guard time + slack >= nextSampleTime else { continue }
                    nextSampleTime = (floor((time + slack) * n) + 1) / n
                }
                let countsEveryFrame = options.policy != .keyframes && !options.skipNonReference
                let index = countsEveryFrame ? decodedIndex : Int((time * (frameRate ?? 0)).rounded())
                let decoded = DecodedFrame(index: index, time: time, isKeyframe: frame.pointee.key_frame != 0,
                                           width: Int(frame.pointee.width), height: Int(frame.pointee.height),
                                           frame: UnsafePointer(frame), scaler: scaler, file: path)
                stats.framesDelivered += 1
                if try !body(decoded) { stop = true }
            }
        }

        /// Hands one packet to the decoder and the frames it yields to `body`.
        func send(_ p: UnsafeMutablePointer<AVPacket>) throws {
            var rc = avcodec_send_packet(codec, p)
            if rc == FFmpeg.again {
                try drain()
                rc = avcodec_send_packet(codec, p)
            }
            if rc < 0 {
                stats.corruptPackets += 1
                return
            }
            try drain()
        }

        // With skipQuietGOPs, a GOP's packets wait here until the next keyframe decides its fate.
        let gop = GOPBuffer()
        func flushGOP() throws {
            guard !gop.packets.isEmpty else { return }
            let active = gop.isActive()
            if active { stats.activeGOPs += 1 } else { stats.quietGOPs += 1 }
            for (i, p) in gop.packets.enumerated() where !stop && (active || i == 0) { try send(p) }
            gop.clear()
        }

        reading: while !stop {
            let more: Bool
            do {
                more = try input.read(into: packet.pointer)
            } catch let error as DecodeError where error.kind != .timeout {
                stats.readError = error.reason
                break reading
            }
            guard more else { break }
            defer { packet.unref() }
            guard packet.pointer.pointee.stream_index == videoIndex else { continue }
            stats.packetsRead += 1
            let isKey = packet.pointer.pointee.flags & AV_PKT_FLAG_KEY != 0
            // Keyframe mode never hands non-key packets to the decoder at all.
            if options.policy == .keyframes && !isKey { continue }
            if options.skipQuietGOPs && options.policy != .keyframes {
                if isKey { try flushGOP() }
                // Packets before the first keyframe cannot be decoded on their own anyway.
                if isKey || !gop.packets.isEmpty { gop.append(packet.pointer) }
                continue
            }
            try send(packet.pointer)
        }
        if !stop { try flushGOP() }
        if !stop {
            avcodec_send_packet(codec, nil)
            try drain()
        }
        avcodec_flush_buffers(codec)
        return stats
    }
}

/// One GOP's packets (keyframe first), held until the next keyframe, and the scene's quietest
/// GOP so far.
private final class GOPBuffer {
    private(set) var packets: [UnsafeMutablePointer<AVPacket>] = []
    /// The smallest mean inter-packet size of any GOP of this file so far (the noise floor).
    private var floor = Double.infinity

    func append(_ p: UnsafeMutablePointer<AVPacket>) {
        guard let copy = av_packet_clone(p) else { return }
        packets.append(copy)
    }

    func clear() {
        for var p in packets as [UnsafeMutablePointer<AVPacket>?] { av_packet_free(&p) }
        packets.removeAll(keepingCapacity: true)
    }

    deinit { clear() }

    /// Quiet only when both hold: the inter packets are even (a moving object makes some frames
    /// cost far more than others: peak/mean 1.5–4 on passing cars, ~1.0 on a still view), and their
    /// mean is near the quietest GOP seen. A scene busy throughout is never even, so it is always
    /// decoded whole. The first GOP is always decoded whole.
    func isActive() -> Bool {
        let sizes = packets.dropFirst().map { Double($0.pointee.size) }
        guard !sizes.isEmpty else { return false }
        let mean = sizes.reduce(0, +) / Double(sizes.count)
        let peak = sizes.max()!
        let first = floor == .infinity
        floor = min(floor, mean)
        if first { return true }
        let even = peak <= 1.5 * mean + 64
        let nearFloor = mean <= 1.5 * floor + 64
        return !(even && nearFloor)
    }
}
