/// Tightly packed 8-bit pixels: `gray` has one byte per pixel, `rgb` three (R, G, B).
public struct Image: Sendable, Equatable {
    public enum Format: Sendable, Equatable {
        case gray
        case rgb
        public var bytesPerPixel: Int { self == .gray ? 1 : 3 }
    }

    public let width: Int
    public let height: Int
    public let format: Format
    public var pixels: [UInt8]

    public init(width: Int, height: Int, format: Format, pixels: [UInt8]) {
        precondition(pixels.count == width * height * format.bytesPerPixel, "pixel buffer size mismatch")
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }

    public var rowBytes: Int { width * format.bytesPerPixel }
}

/// A rectangle in source pixels.
public struct PixelRect: Sendable, Equatable, Codable, Hashable {
    public var x: Int, y: Int, w: Int, h: Int
    public init(x: Int, y: Int, w: Int, h: Int) { self.x = x; self.y = y; self.w = w; self.h = h }

    /// The part of this rectangle inside a `width`×`height` image (may be empty).
    public func clamped(width: Int, height: Int) -> PixelRect {
        let x0 = min(max(x, 0), width), y0 = min(max(y, 0), height)
        let x1 = min(max(x + w, 0), width), y1 = min(max(y + h, 0), height)
        return PixelRect(x: x0, y: y0, w: max(x1 - x0, 0), h: max(y1 - y0, 0))
    }

    public var isEmpty: Bool { w <= 0 || h <= 0 }
}

/// Largest size with the source's aspect ratio that fits `maxWidth`×`maxHeight` (never upscales).
public func fittedSize(width: Int, height: Int, maxWidth: Int?, maxHeight: Int?) -> (width: Int, height: Int) {
    var scale = 1.0
    if let mw = maxWidth, mw > 0, width > mw { scale = min(scale, Double(mw) / Double(width)) }
    if let mh = maxHeight, mh > 0, height > mh { scale = min(scale, Double(mh) / Double(height)) }
    return (max(1, Int((Double(width) * scale).rounded())), max(1, Int((Double(height) * scale).rounded())))
}
