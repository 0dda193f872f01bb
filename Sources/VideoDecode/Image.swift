import Foundation

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

    public func overlaps(_ o: PixelRect) -> Bool { x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h }

    /// Moved by (dx, dy): from a part's pixels to the whole picture's.
    public func moved(_ dx: Int, _ dy: Int) -> PixelRect { PixelRect(x: x + dx, y: y + dy, w: w, h: h) }
}

/// Largest size with the source's aspect ratio that fits `maxWidth`×`maxHeight` (never upscales).
public func fittedSize(width: Int, height: Int, maxWidth: Int?, maxHeight: Int?) -> (width: Int, height: Int) {
    var scale = 1.0
    if let mw = maxWidth, mw > 0, width > mw { scale = min(scale, Double(mw) / Double(width)) }
    if let mh = maxHeight, mh > 0, height > mh { scale = min(scale, Double(mh) / Double(height)) }
    return (max(1, Int((Double(width) * scale).rounded())), max(1, Int((Double(height) * scale).rounded())))
}

extension Image {
    /// The picture as it is meant to be seen, for an EXIF `Orientation` value (1–8): phones store
    /// portrait photos sideways and record the turn in EXIF. Values outside 2–8 return it as stored.
    public func oriented(exif orientation: Int) -> Image {
        guard (2...8).contains(orientation) else { return self }
        // Orientations 5–8 turn the picture a quarter: width and height swap.
        let turned = orientation >= 5
        let outW = turned ? height : width, outH = turned ? width : height
        let bpp = format.bytesPerPixel
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outH {
                    for x in 0..<outW {
                        // The stored pixel that shows at (x, y).
                        let (sx, sy): (Int, Int)
                        switch orientation {
                        case 2: (sx, sy) = (width - 1 - x, y)               // mirrored
                        case 3: (sx, sy) = (width - 1 - x, height - 1 - y)  // upside down
                        case 4: (sx, sy) = (x, height - 1 - y)              // mirrored upside down
                        case 5: (sx, sy) = (y, x)                           // transposed
                        case 6: (sx, sy) = (y, height - 1 - x)              // turn a quarter clockwise
                        case 7: (sx, sy) = (width - 1 - y, height - 1 - x)  // transversed
                        default: (sx, sy) = (width - 1 - y, x)              // 8: a quarter anticlockwise
                        }
                        let s = (sy * width + sx) * bpp, d = (y * outW + x) * bpp
                        for c in 0..<bpp { dst[d + c] = src[s + c] }
                    }
                }
            }
        }
        return Image(width: outW, height: outH, format: format, pixels: out)
    }
}

/// A rectangle turned by `angle`: a line of text on a tilted plate. `width` runs along the
/// angle, `height` across it; the angle (radians) is kept within ±45° (±60° for a line wider
/// than tall), so a wide line and a tall two-line block both keep their text upright.
public struct RotatedRect: Sendable, Equatable, Hashable {
    public var cx: Double, cy: Double, width: Double, height: Double, angle: Double

    public init(cx: Double, cy: Double, width: Double, height: Double, angle: Double) {
        self.cx = cx; self.cy = cy; self.width = width; self.height = height; self.angle = angle
    }

    /// An upright rectangle.
    public init(_ r: PixelRect) {
        self.init(cx: Double(r.x) + Double(r.w) / 2, cy: Double(r.y) + Double(r.h) / 2, width: Double(r.w), height: Double(r.h), angle: 0)
    }

    /// Unit vectors along the width and along the height.
    var axes: (u: (Double, Double), v: (Double, Double)) { ((cos(angle), sin(angle)), (-sin(angle), cos(angle))) }

    /// Corners, clockwise from the top left of the text.
    public var corners: [(x: Double, y: Double)] {
        let (u, v) = axes, hw = width / 2, hh = height / 2
        return [(-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)].map { (cx + $0.0 * u.0 + $0.1 * v.0, cy + $0.0 * u.1 + $0.1 * v.1) }
    }

    /// The upright box around it.
    public var boundingBox: PixelRect {
        let c = corners
        let x0 = c.map(\.x).min()!, x1 = c.map(\.x).max()!, y0 = c.map(\.y).min()!, y1 = c.map(\.y).max()!
        return PixelRect(x: Int(x0.rounded(.down)), y: Int(y0.rounded(.down)),
                         w: Int((x1 - x0).rounded(.up)), h: Int((y1 - y0).rounded(.up)))
    }

    /// Grown by `d` on every side.
    public func grown(by d: Double) -> RotatedRect {
        RotatedRect(cx: cx, cy: cy, width: width + 2 * d, height: height + 2 * d, angle: angle)
    }

    /// The smallest-area rectangle around `points` (rotating calipers over their convex hull),
    /// its angle brought within ±45°.
    public static func enclosing(_ points: [(x: Double, y: Double)]) -> RotatedRect {
        let hull = convexHull(points)
        guard hull.count >= 3 else {
            let xs = points.map(\.x), ys = points.map(\.y)
            let x0 = xs.min() ?? 0, x1 = xs.max() ?? 0, y0 = ys.min() ?? 0, y1 = ys.max() ?? 0
            return RotatedRect(cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, width: x1 - x0, height: y1 - y0, angle: 0)
        }
        var best: RotatedRect? = nil
        for i in hull.indices {
            let a = hull[i], b = hull[(i + 1) % hull.count]
            let theta = atan2(b.y - a.y, b.x - a.x)
            let r = aligned(hull, angle: theta)
            if best == nil || r.width * r.height < best!.width * best!.height - 1e-9 { best = r }
        }
        return best!.upright
    }

    /// The rectangle at `angle` around `points`.
    public static func aligned(_ points: [(x: Double, y: Double)], angle: Double) -> RotatedRect {
        let u = (cos(angle), sin(angle)), v = (-sin(angle), cos(angle))
        let us = points.map { $0.x * u.0 + $0.y * u.1 }, vs = points.map { $0.x * v.0 + $0.y * v.1 }
        let u0 = us.min()!, u1 = us.max()!, v0 = vs.min()!, v1 = vs.max()!
        let mu = (u0 + u1) / 2, mv = (v0 + v1) / 2
        return RotatedRect(cx: mu * u.0 + mv * v.0, cy: mu * u.1 + mv * v.1, width: u1 - u0, height: v1 - v0, angle: angle)
    }

    /// The same rectangle described with its angle within ±45°, or within ±60° where that makes
    /// it wider than tall: a line of text tilted near 45° (a plate photographed from the side)
    /// runs along its long side, while an upright character stays upright.
    var upright: RotatedRect {
        var r = self
        while r.angle > .pi / 4 { r.angle -= .pi / 2; swap(&r.width, &r.height) }
        while r.angle <= -.pi / 4 { r.angle += .pi / 2; swap(&r.width, &r.height) }
        if abs(r.angle) > .pi / 6, r.height > r.width {
            r.angle += r.angle > 0 ? -.pi / 2 : .pi / 2
            swap(&r.width, &r.height)
        }
        return r
    }

    /// Andrew's monotone chain; counter-clockwise, no collinear points.
    static func convexHull(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        let p = points.sorted { $0.x != $1.x ? $0.x < $1.x : $0.y < $1.y }
        guard p.count >= 3 else { return p }
        func cross(_ o: (x: Double, y: Double), _ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Double {
            (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
        }
        var lower: [(x: Double, y: Double)] = [], upper: [(x: Double, y: Double)] = []
        for q in p {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], q) <= 0 { lower.removeLast() }
            lower.append(q)
        }
        for q in p.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], q) <= 0 { upper.removeLast() }
            upper.append(q)
        }
        return Array(lower.dropLast() + upper.dropLast())
    }
}

extension Image {
    /// The pixels under a turned rectangle, straightened: `width`×`height` of them, sampled
    /// bilinearly, edges repeated where the rectangle leaves the picture (as PP-OCR's pipeline
    /// cuts a tilted text line before reading it).
    public func cropped(_ r: RotatedRect) -> Image {
        let w = max(1, Int(r.width.rounded())), h = max(1, Int(r.height.rounded()))
        let bpp = format.bytesPerPixel
        let (u, v) = r.axes
        var out = [UInt8](repeating: 0, count: w * h * bpp)
        pixels.withUnsafeBufferPointer { src in
            for j in 0..<h {
                for i in 0..<w {
                    let a = Double(i) + 0.5 - Double(w) / 2, b = Double(j) + 0.5 - Double(h) / 2
                    let x = min(max(r.cx + a * u.0 + b * v.0 - 0.5, 0), Double(width - 1))
                    let y = min(max(r.cy + a * u.1 + b * v.1 - 0.5, 0), Double(height - 1))
                    let x0 = Int(x), y0 = Int(y), x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
                    let fx = x - Double(x0), fy = y - Double(y0)
                    for c in 0..<bpp {
                        let p00 = Double(src[(y0 * width + x0) * bpp + c]), p10 = Double(src[(y0 * width + x1) * bpp + c])
                        let p01 = Double(src[(y1 * width + x0) * bpp + c]), p11 = Double(src[(y1 * width + x1) * bpp + c])
                        let value = (p00 * (1 - fx) + p10 * fx) * (1 - fy) + (p01 * (1 - fx) + p11 * fx) * fy
                        out[(j * w + i) * bpp + c] = UInt8(min(255, max(0, value.rounded())))
                    }
                }
            }
        }
        return Image(width: w, height: h, format: format, pixels: out)
    }
}
