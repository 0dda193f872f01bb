internal import CFFmpeg

/// libswscale conversion from decoded frames to packed gray/RGB, with a cached context.
final class Scaler {
    private var context: OpaquePointer? = nil

    deinit { sws_freeContext(context) }

    /// Converts (and optionally crops) `frame` into a packed image of `width`×`height`.
    func convert(_ frame: UnsafePointer<AVFrame>, crop: PixelRect?, to format: Image.Format,
                 width: Int, height: Int, file: String) throws -> Image {
        // Cropping goes through a new reference to the same buffers: av_frame_apply_cropping
        // moves the plane pointers correctly for every pixel format (chroma subsampling included).
        guard let ref = av_frame_clone(frame) else {
            throw DecodeError(.decode, file: file, operation: "av_frame_clone", reason: "out of memory")
        }
        var refPtr: UnsafeMutablePointer<AVFrame>? = ref
        defer { av_frame_free(&refPtr) }
        if let crop {
            ref.pointee.crop_left = numericCast(crop.x)
            ref.pointee.crop_top = numericCast(crop.y)
            ref.pointee.crop_right = numericCast(Int(frame.pointee.width) - crop.x - crop.w)
            ref.pointee.crop_bottom = numericCast(Int(frame.pointee.height) - crop.y - crop.h)
            try FFmpeg.check(av_frame_apply_cropping(ref, Int32(AV_FRAME_CROP_UNALIGNED)), .decode, file: file)
        }
        let srcW = ref.pointee.width, srcH = ref.pointee.height
        let dstFormat = format == .gray ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24
        // Upscaling small crops (plates, faces) wants bicubic; downscaling whole frames, area.
        let flags = (Int(srcW) < width || Int(srcH) < height) ? SWS_BICUBIC : SWS_AREA
        context = sws_getCachedContext(context, srcW, srcH, AVPixelFormat(rawValue: ref.pointee.format),
                                       Int32(width), Int32(height), dstFormat, flags, nil, nil, nil)
        guard let context else {
            throw DecodeError(.decode, file: file, operation: "sws_getCachedContext",
                              reason: "cannot convert \(srcW)x\(srcH) pixel format \(ref.pointee.format)")
        }
        let rowBytes = width * format.bytesPerPixel
        // swscale's SIMD writers may run a few bytes past the last row: give them slack.
        let slack = 64
        var pixels = [UInt8](repeating: 0, count: rowBytes * height + slack)
        let rows = pixels.withUnsafeMutableBufferPointer { dst -> Int32 in
            var dstPlanes: [UnsafeMutablePointer<UInt8>?] = [dst.baseAddress, nil, nil, nil]
            var dstStrides: [Int32] = [Int32(rowBytes), 0, 0, 0]
            return withUnsafeBytes(of: &ref.pointee.data) { dataRaw in
                withUnsafeBytes(of: &ref.pointee.linesize) { strideRaw in
                    sws_scale(context,
                              dataRaw.baseAddress!.assumingMemoryBound(to: UnsafePointer<UInt8>?.self),
                              strideRaw.baseAddress!.assumingMemoryBound(to: Int32.self),
                              0, srcH, &dstPlanes, &dstStrides)
                }
            }
        }
        guard rows > 0 else {
            throw DecodeError(.decode, file: file, operation: "sws_scale", code: rows, reason: "scaling failed")
        }
        pixels.removeLast(slack)
        return Image(width: width, height: height, format: format, pixels: pixels)
    }
}

extension Image {
    /// This image resampled to `width`×`height` through libswscale (area when shrinking,
    /// bicubic when enlarging), optionally converted to another format.
    public func resized(width: Int, height: Int, format: Format? = nil) throws -> Image {
        let dstFormat = format ?? self.format
        guard width > 0, height > 0 else {
            throw DecodeError(.invalidArgument, file: "image", operation: "resize", reason: "target size \(width)x\(height) is empty")
        }
        if width == self.width, height == self.height, dstFormat == self.format { return self }
        let srcPix = self.format == .gray ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24
        let dstPix = dstFormat == .gray ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24
        let flags = (width < self.width || height < self.height) ? SWS_AREA : SWS_BICUBIC
        guard let ctx = sws_getContext(Int32(self.width), Int32(self.height), srcPix, Int32(width), Int32(height),
                                       dstPix, flags, nil, nil, nil) else {
            throw DecodeError(.decode, file: "image", operation: "sws_getContext", reason: "cannot resize")
        }
        defer { sws_freeContext(ctx) }
        let slack = 64
        let rowBytes = width * dstFormat.bytesPerPixel
        var out = [UInt8](repeating: 0, count: rowBytes * height + slack)
        // swscale may read a little past the last source row too: pad a copy.
        let src = pixels + [UInt8](repeating: 0, count: slack)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                var srcPlanes: [UnsafePointer<UInt8>?] = [s.baseAddress, nil, nil, nil]
                var srcStrides: [Int32] = [Int32(self.rowBytes), 0, 0, 0]
                var dstPlanes: [UnsafeMutablePointer<UInt8>?] = [d.baseAddress, nil, nil, nil]
                var dstStrides: [Int32] = [Int32(rowBytes), 0, 0, 0]
                _ = sws_scale(ctx, &srcPlanes, &srcStrides, 0, Int32(self.height), &dstPlanes, &dstStrides)
            }
        }
        out.removeLast(slack)
        return Image(width: width, height: height, format: dstFormat, pixels: out)
    }

    /// A rectangle of this image (clamped to it), copied.
    public func cropped(_ rect: PixelRect) -> Image {
        let r = rect.clamped(width: width, height: height)
        let bpp = format.bytesPerPixel
        var out = [UInt8]()
        out.reserveCapacity(r.w * r.h * bpp)
        for y in r.y..<(r.y + r.h) {
            let start = (y * width + r.x) * bpp
            out.append(contentsOf: pixels[start..<(start + r.w * bpp)])
        }
        return Image(width: r.w, height: r.h, format: format, pixels: out)
    }
}

