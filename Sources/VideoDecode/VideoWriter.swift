internal import CFFmpeg
import Foundation

/// Writes RGB frames as a new, re-encoded video (H.264 through libx264 when this FFmpeg has it,
/// else MPEG-4 Part 2) in the container the output's extension names. For derived copies only —
/// redacted clips — never for evidence that must stay bit-exact (that is `ClipExporter`).
public final class VideoWriter {
    public let path: String
    public let width: Int, height: Int
    /// The encoder in use, e.g. "libx264 crf 18" (recorded in manifests).
    public private(set) var encoderDescription = ""
    // Every handle starts nil and is freed in deinit alone, whatever `init` got to.
    private var output: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var scaler: OpaquePointer?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var ioOpen = false
    private var finished = false

    /// - Parameters: frame size (made even: 4:2:0 needs it; the last row or column is dropped).
    public init(path: String, width: Int, height: Int) throws {
        self.path = path
        self.width = width & ~1
        self.height = height & ~1
        _ = FFmpeg.quietLogging
        try FFmpeg.check(avformat_alloc_output_context2(&output, nil, nil, path), .write, file: path)
        guard let output else { throw DecodeError(.write, file: path, operation: "avformat_alloc_output_context2", reason: "unknown container") }
        let x264 = avcodec_find_encoder_by_name("libx264")
        guard let encoder = x264 ?? avcodec_find_encoder(AV_CODEC_ID_MPEG4) else {
            throw DecodeError(.write, file: path, operation: "avcodec_find_encoder", reason: "no H.264 or MPEG-4 encoder in this FFmpeg")
        }
        codec = avcodec_alloc_context3(encoder)
        guard let codec else { throw DecodeError(.write, file: path, operation: "avcodec_alloc_context3", reason: "out of memory") }
        codec.pointee.width = Int32(self.width)
        codec.pointee.height = Int32(self.height)
        codec.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        codec.pointee.time_base = AVRational(num: 1, den: 1000)
        codec.pointee.gop_size = 50
        if x264 != nil {
            av_opt_set(codec.pointee.priv_data, "crf", "18", 0)
            av_opt_set(codec.pointee.priv_data, "preset", "veryfast", 0)
            encoderDescription = "libx264 crf 18 preset veryfast, yuv420p"
        } else {
            codec.pointee.flags |= AV_CODEC_FLAG_QSCALE
            codec.pointee.global_quality = Int32(FF_QP2LAMBDA * 3)
            encoderDescription = "mpeg4 q 3, yuv420p"
        }
        if output.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 { codec.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        try FFmpeg.check(avcodec_open2(codec, encoder, nil), .write, file: path)
        stream = avformat_new_stream(output, nil)
        guard let stream else { throw DecodeError(.write, file: path, operation: "avformat_new_stream", reason: "out of memory") }
        try FFmpeg.check(avcodec_parameters_from_context(stream.pointee.codecpar, codec), .write, file: path)
        stream.pointee.time_base = codec.pointee.time_base
        try FFmpeg.check(avio_open(&output.pointee.pb, path, AVIO_FLAG_WRITE), .write, file: path)
        ioOpen = true
        try FFmpeg.check(avformat_write_header(output, nil), .write, file: path)
        frame = av_frame_alloc()
        guard let frame else { throw DecodeError(.write, file: path, operation: "av_frame_alloc", reason: "out of memory") }
        frame.pointee.width = Int32(self.width)
        frame.pointee.height = Int32(self.height)
        frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        try FFmpeg.check(av_frame_get_buffer(frame, 0), .write, file: path)
        scaler = sws_getContext(Int32(self.width), Int32(self.height), AV_PIX_FMT_RGB24, Int32(self.width), Int32(self.height),
                                AV_PIX_FMT_YUV420P, SWS_BICUBIC, nil, nil, nil)
        guard scaler != nil else { throw DecodeError(.write, file: path, operation: "sws_getContext", reason: "cannot convert to YUV") }
    }

    /// Encodes one RGB frame shown at `time` seconds (increasing).
    public func write(_ image: Image, at time: Double) throws {
        guard let frame, let codec, let scaler else { return }
        precondition(image.format == .rgb && image.width >= width && image.height >= height)
        try FFmpeg.check(av_frame_make_writable(frame), .write, file: path)
        image.pixels.withUnsafeBufferPointer { src in
            var planes: [UnsafePointer<UInt8>?] = [src.baseAddress, nil, nil, nil]
            var strides: [Int32] = [Int32(image.width * 3), 0, 0, 0]
            _ = withUnsafeBytes(of: &frame.pointee.data) { dataRaw in
                withUnsafeBytes(of: &frame.pointee.linesize) { strideRaw in
                    sws_scale(scaler, &planes, &strides, 0, Int32(height),
                              dataRaw.baseAddress!.assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
                              strideRaw.baseAddress!.assumingMemoryBound(to: Int32.self))
                }
            }
        }
        frame.pointee.pts = Int64((time * 1000).rounded())
        try FFmpeg.check(avcodec_send_frame(codec, frame), .write, file: path)
        try drain()
    }

    /// Flushes the encoder and writes the trailer; the file is complete after this.
    public func finish() throws {
        guard !finished, let codec, let output else { return }
        finished = true
        try FFmpeg.check(avcodec_send_frame(codec, nil), .write, file: path)
        try drain()
        try FFmpeg.check(av_write_trailer(output), .write, file: path)
    }

    private func drain() throws {
        guard let codec, let output, let stream else { return }
        let packet = Packet()
        while true {
            let rc = avcodec_receive_packet(codec, packet.pointer)
            if rc == FFmpeg.again || rc == FFmpeg.eof { return }
            try FFmpeg.check(rc, .write, file: path)
            av_packet_rescale_ts(packet.pointer, codec.pointee.time_base, stream.pointee.time_base)
            packet.pointer.pointee.stream_index = stream.pointee.index
            let written = av_interleaved_write_frame(output, packet.pointer)
            packet.unref()
            try FFmpeg.check(written, .write, file: path)
        }
    }

    deinit {
        if let scaler { sws_freeContext(scaler) }
        av_frame_free(&frame)
        avcodec_free_context(&codec)
        if ioOpen, let output { avio_closep(&output.pointee.pb) }
        avformat_free_context(output)
    }
}
