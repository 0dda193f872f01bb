internal import CFFmpeg
import Foundation

/// What a stream-copy export wrote.
public struct ClipResult: Sendable, Codable, Equatable {
    public var output: String
    /// Time (seconds, source timeline from the video's first frame) of the keyframe the clip starts on.
    public var startTime: Double
    public var endTime: Double
    public var videoPackets: Int
    public var packets: Int

    enum CodingKeys: String, CodingKey {
        case output, packets
        case startTime = "start_time", endTime = "end_time", videoPackets = "video_packets"
    }
}

/// Lossless clip export: packets are copied, never re-encoded, so each payload is bit-identical
/// to the source. The clip starts at the keyframe at or before `from` (nothing before it decodes).
public enum ClipExporter {
    /// Copies `[from, to]` (seconds from the video's first frame) of `source` into `output`;
    /// the container follows the output's extension (.mp4, .mkv, .ts, .mov).
    /// Keep MPEG-TS sources as .ts: an MP4 muxer rewrites H.264 framing (start codes → lengths).
    public static func export(_ source: String, from: Double, to: Double, output: String) throws -> ClipResult {
        guard from >= 0, to > from else {
            throw DecodeError(.invalidArgument, file: source, operation: "clip",
                              reason: "clip range \(from)–\(to) s is empty or negative")
        }
        let input = try InputFile(path: source)
        let videoIndex = try input.bestVideoStream()
        let streams = input.streams
        let video = streams[Int(videoIndex)]
        let vtb = video.pointee.time_base
        let start = video.pointee.start_time == FFmpeg.noPTS ? 0 : video.pointee.start_time
        func seconds(_ ts: Int64, _ s: UnsafeMutablePointer<AVStream>) -> Double? {
            FFmpeg.seconds(ts == FFmpeg.noPTS ? ts : ts - av_rescale_q(start, vtb, s.pointee.time_base), s.pointee.time_base)
        }

        // Copy video and audio; data/subtitle tracks often have no mapping in the target muxer.
        let copied = streams.enumerated().filter {
            let t = $0.element.pointee.codecpar.pointee.codec_type
            return t == AVMEDIA_TYPE_VIDEO && Int32($0.offset) == videoIndex || t == AVMEDIA_TYPE_AUDIO
        }.map { $0.offset }

        var outCtx: UnsafeMutablePointer<AVFormatContext>? = nil
        try FFmpeg.check(avformat_alloc_output_context2(&outCtx, nil, nil, output), .write, file: output)
        guard let out = outCtx else {
            throw DecodeError(.write, file: output, operation: "avformat_alloc_output_context2", reason: "unknown container")
        }
        var ioOpen = false
        defer {
            if ioOpen { avio_closep(&out.pointee.pb) }
            avformat_free_context(out)
        }
        var outIndex = [Int: Int32]()
        for i in copied {
            guard let os = avformat_new_stream(out, nil) else {
                throw DecodeError(.write, file: output, operation: "avformat_new_stream", reason: "out of memory")
            }
            try FFmpeg.check(avcodec_parameters_copy(os.pointee.codecpar, streams[i].pointee.codecpar), .write, file: output)
            os.pointee.codecpar.pointee.codec_tag = 0
            os.pointee.time_base = streams[i].pointee.time_base
            outIndex[i] = os.pointee.index
        }
        out.pointee.avoid_negative_ts = AVFMT_AVOID_NEG_TS_MAKE_ZERO
        try FFmpeg.check(avio_open(&out.pointee.pb, output, AVIO_FLAG_WRITE), .write, file: output)
        ioOpen = true
        try FFmpeg.check(avformat_write_header(out, nil), .write, file: output)

        try seekToKeyframe(input, videoIndex: videoIndex, at: from, start: start)

        // Packets from the last keyframe at or before `from` are held until a video packet
        // decoded after `from` proves no later keyframe can still start the clip (seeking may
        // land a GOP or more early). The clip ends once video decode time passes `to`: every
        // frame shown up to `to`, and every frame those reference, is then written.
        var held: [UnsafeMutablePointer<AVPacket>?] = []
        var lastVideoTime = -Double.infinity
        defer { for i in held.indices { av_packet_free(&held[i]) } }
        var started = false
        var waitingForKeyframe = false
        var result = ClipResult(output: output, startTime: 0, endTime: 0, videoPackets: 0, packets: 0)
        let packet = Packet()

        func write(_ p: UnsafeMutablePointer<AVPacket>) throws {
            let si = Int(p.pointee.stream_index)
            guard let oi = outIndex[si] else { return }
            if si == Int(videoIndex) {
                result.videoPackets += 1
                if let t = seconds(p.pointee.pts, video) { result.endTime = max(result.endTime, t) }
            }
            result.packets += 1
            p.pointee.stream_index = oi
            p.pointee.pos = -1
            try FFmpeg.check(av_interleaved_write_frame(out, p), .write, file: output)
        }
        func flushHeld() throws {
            for i in held.indices { try write(held[i]!); av_packet_free(&held[i]) }
            held = []
        }

        while try input.read(into: packet.pointer) {
            defer { packet.unref() }
            let p = packet.pointer.pointee
            let si = Int(p.stream_index)
            guard outIndex[si] != nil else { continue }
            let s = streams[si]
            let isVideo = si == Int(videoIndex)
            let isKey = isVideo && p.flags & AV_PKT_FLAG_KEY != 0
            let pts = seconds(p.pts, s) ?? seconds(p.dts, s) ?? 0
            let dts = seconds(p.dts, s) ?? pts
            if isVideo { lastVideoTime = max(lastVideoTime, pts) }
            if isVideo && dts > to + 1e-6 { break }
            if !started {
                if isKey && pts <= from + 1e-6 {
                    for i in held.indices { av_packet_free(&held[i]) }
                    held = [av_packet_clone(packet.pointer)]
                    result.startTime = pts
                    continue
                }
                if !(isVideo && dts > from + 1e-6) {
                    if !held.isEmpty { held.append(av_packet_clone(packet.pointer)) }
                    continue
                }
                started = true
                waitingForKeyframe = held.isEmpty
                try flushHeld()
            }
            if waitingForKeyframe {
                guard isKey else { continue }
                waitingForKeyframe = false
                result.startTime = pts
            }
            if !isVideo && pts > to + 1e-6 { continue }
            try write(packet.pointer)
        }
        // The file ended before any frame after `from`: a range past the end holds nothing.
        if !started && lastVideoTime + 0.5 >= from { try flushHeld() }
        guard result.videoPackets > 0 else {
            throw DecodeError(.noFrame, file: source, operation: "clip",
                              reason: "no video between \(from) s and \(to) s")
        }
        try FFmpeg.check(av_write_trailer(out), .write, file: output)
        return result
    }

    /// Seeks so that the next packets start at or before the keyframe covering `time`.
    /// MPEG-TS seeks land after the target: back off further until a keyframe ≤ time is seen.
    private static func seekToKeyframe(_ input: InputFile, videoIndex: Int32, at time: Double, start: Int64) throws {
        let stream = input.context.pointee.streams[Int(videoIndex)]!
        let tb = stream.pointee.time_base
        var backoff = 0.0
        for _ in 0..<8 {
            let target = max(0, time - backoff)
            let ts = start + Int64(target * Double(tb.den) / Double(tb.num))
            input.arm()
            if av_seek_frame(input.context, videoIndex, ts, AVSEEK_FLAG_BACKWARD) < 0 { break }
            if target == 0 { return }
            // Peek at the first video keyframe after the seek.
            let packet = Packet()
            var firstKey: Double? = nil
            var scanned = 0
            while firstKey == nil, scanned < 5000, try input.read(into: packet.pointer) {
                defer { packet.unref() }
                guard packet.pointer.pointee.stream_index == videoIndex else { continue }
                scanned += 1
                if packet.pointer.pointee.flags & AV_PKT_FLAG_KEY != 0 {
                    firstKey = FFmpeg.seconds(packet.pointer.pointee.pts - start, tb)
                }
            }
            if let k = firstKey, k <= time + 1e-6 {
                input.arm()
                _ = av_seek_frame(input.context, videoIndex, ts, AVSEEK_FLAG_BACKWARD)
                return
            }
            backoff = max(1, backoff * 2 + (firstKey.map { $0 - time } ?? 1))
        }
        // Fall back to the beginning: always correct, only slower.
        input.arm()
        _ = avformat_seek_file(input.context, -1, Int64.min, 0, 0, 0)
    }
}
