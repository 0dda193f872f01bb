import VideoDecode

/// A look's gray thumbnail, zero mean and unit norm: whether two looks show the same thing.
enum LookThumbnail {
    /// `width`×`height` thumbnail of `box` in `image` (the whole image when nil).
    static func make(_ image: Image, _ box: PixelRect? = nil, width w: Int, height h: Int) -> [Float] {
        let r = (box ?? PixelRect(x: 0, y: 0, w: image.width, h: image.height)).clamped(width: image.width, height: image.height)
        let bpp = image.format.bytesPerPixel
        guard !r.isEmpty else { return [Float](repeating: 0, count: w * h) }
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let sx = r.x + min(r.w - 1, x * r.w / w), sy = r.y + min(r.h - 1, y * r.h / h)
                let i = (sy * image.width + sx) * bpp
                out[y * w + x] = bpp == 1 ? Float(image.pixels[i])
                    : 0.299 * Float(image.pixels[i]) + 0.587 * Float(image.pixels[i + 1]) + 0.114 * Float(image.pixels[i + 2])
            }
        }
        let mean = out.reduce(0, +) / Float(out.count)
        var norm: Float = 0
        for i in out.indices { out[i] -= mean; norm += out[i] * out[i] }
        norm = norm.squareRoot()
        return norm > 1e-3 ? out.map { $0 / norm } : out
    }

    static func correlation(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
