internal import CFFmpeg
import Foundation

extension Image {
    /// Baseline JPEG through libavcodec's MJPEG encoder (for stored crops; `quality` 2 best – 31 worst).
    public func jpegData(quality: Int = 3) throws -> Data {
        // Even sizes keep 4:2:0 chroma simple; crops are padded by at most one pixel.
        let w = (width + 1) & ~1, h = (height + 1) & ~1
        let rgb = format == .rgb ? self : try resized(width: width, height: height, format: .rgb)
        let padded = (w == width && h == height) ? rgb : rgb.paddedCopy(width: w, height: h)
        return try encodeStill(AV_CODEC_ID_MJPEG, name: "jpeg", width: w, height: h, pixelFormat: AV_PIX_FMT_YUVJ420P, configure: { ctx in
            ctx.pointee.flags |= AV_CODEC_FLAG_QSCALE
            ctx.pointee.global_quality = Int32(FF_QP2LAMBDA * Int32(max(2, min(31, quality))))
        }, fill: { frame in
            guard let sws = sws_getContext(Int32(w), Int32(h), AV_PIX_FMT_RGB24, Int32(w), Int32(h), AV_PIX_FMT_YUVJ420P,
                                           SWS_BICUBIC, nil, nil, nil) else {
                throw DecodeError(.write, file: "jpeg", operation: "sws_getContext", reason: "cannot convert to YUV")
            }
            defer { sws_freeContext(sws) }
            let src = padded.pixels + [UInt8](repeating: 0, count: 64)
            src.withUnsafeBufferPointer { s in
                var planes: [UnsafePointer<UInt8>?] = [s.baseAddress, nil, nil, nil]
                var strides: [Int32] = [Int32(w * 3), 0, 0, 0]
                _ = withUnsafeBytes(of: &frame.pointee.data) { dataRaw in
                    withUnsafeBytes(of: &frame.pointee.linesize) { strideRaw in
                        sws_scale(sws, &planes, &strides, 0, Int32(h),
                                  dataRaw.baseAddress!.assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
                                  strideRaw.baseAddress!.assumingMemoryBound(to: Int32.self))
                    }
                }
            }
        })
    }

    /// Lossless PNG (RGB, 8 bits a channel) through libavcodec's PNG encoder: evidence stills.
    public func pngData() throws -> Data {
        let rgb = format == .rgb ? self : try resized(width: width, height: height, format: .rgb)
        return try encodeStill(AV_CODEC_ID_PNG, name: "png", width: width, height: height, pixelFormat: AV_PIX_FMT_RGB24, configure: { _ in }, fill: { frame in
            let stride = Int(frame.pointee.linesize.0), row = width * 3
            rgb.pixels.withUnsafeBufferPointer { src in
                for y in 0..<height { (frame.pointee.data.0! + y * stride).update(from: src.baseAddress! + y * row, count: row) }
            }
        })
    }

    /// One picture through a libavcodec image encoder: `configure` adjusts the codec context
    /// before it opens, `fill` writes the pixels into the allocated frame.
    private func encodeStill(_ id: AVCodecID, name: String, width w: Int, height h: Int, pixelFormat: AVPixelFormat,
                             configure: (UnsafeMutablePointer<AVCodecContext>) -> Void,
                             fill: (UnsafeMutablePointer<AVFrame>) throws -> Void) throws -> Data {
        guard let codec = avcodec_find_encoder(id), let ctx = avcodec_alloc_context3(codec) else {
            throw DecodeError(.write, file: name, operation: "avcodec_find_encoder", reason: "no \(name) encoder")
        }
        var ctxPtr: UnsafeMutablePointer<AVCodecContext>? = ctx
        defer { avcodec_free_context(&ctxPtr) }
        ctx.pointee.width = Int32(w)
        ctx.pointee.height = Int32(h)
        ctx.pointee.pix_fmt = pixelFormat
        ctx.pointee.time_base = AVRational(num: 1, den: 25)
        configure(ctx)
        try FFmpeg.check(avcodec_open2(ctx, codec, nil), .write, file: name)
        guard let frame = av_frame_alloc() else { throw DecodeError(.write, file: name, operation: "av_frame_alloc", reason: "out of memory") }
        var framePtr: UnsafeMutablePointer<AVFrame>? = frame
        defer { av_frame_free(&framePtr) }
        frame.pointee.width = Int32(w)
        frame.pointee.height = Int32(h)
        frame.pointee.format = pixelFormat.rawValue
        frame.pointee.quality = ctx.pointee.global_quality
        try FFmpeg.check(av_frame_get_buffer(frame, 0), .write, file: name)
        try fill(frame)
        try FFmpeg.check(avcodec_send_frame(ctx, frame), .write, file: name)
        let packet = Packet()
        try FFmpeg.check(avcodec_receive_packet(ctx, packet.pointer), .write, file: name)
        defer { packet.unref() }
        return Data(bytes: packet.pointer.pointee.data, count: Int(packet.pointer.pointee.size))
    }

    /// A copy enlarged to `width`×`height` by repeating the last row and column.
    func paddedCopy(width w: Int, height h: Int) -> Image {
        let bpp = format.bytesPerPixel
        var out = [UInt8](repeating: 0, count: w * h * bpp)
        for y in 0..<h {
            let sy = min(y, height - 1)
            for x in 0..<w {
                let sx = min(x, width - 1)
                for c in 0..<bpp { out[(y * w + x) * bpp + c] = pixels[(sy * width + sx) * bpp + c] }
            }
        }
        return Image(width: w, height: h, format: format, pixels: out)
    }
}
