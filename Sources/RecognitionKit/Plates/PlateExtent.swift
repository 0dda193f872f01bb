import VideoDecode

/// A plate's own rectangle around its text. A plate is a flat-coloured panel behind the
/// characters: starting at the text box, rows and columns are added outward while most of their
/// pixels are the panel's colour, and the scan stops at the plate's border or edge, where the
/// bumper, frame or road begins. Where the panel cannot be told from its surroundings (a white
/// plate on a white car), that side gets a typical plate margin instead.
enum PlateExtent {
    /// Farthest the panel may reach beyond the text, in text-box heights.
    static let maxGrowthX = 1.0, maxGrowthY = 0.8
    /// Used for a side whose edge was not found, in text-box heights.
    static let typicalMarginX = 0.4, typicalMarginY = 0.25

    static func find(in image: Image, around text: PixelRect) -> PixelRect {
        let t = text.clamped(width: image.width, height: image.height)
        guard t.w >= 4, t.h >= 4, let panel = PanelColour(image, t) else { return fallback(t, image) }
        let growX = Int(Double(t.h) * maxGrowthX), growY = Int(Double(t.h) * maxGrowthY)

        // Rows first, over the text's columns; then columns, over the rows found.
        func rowFraction(_ y: Int) -> Double { panel.fraction(image, xs: t.x..<(t.x + t.w), ys: y..<(y + 1)) }
        let top = edge(from: t.y, step: -1, limit: max(0, t.y - growY), inward: t.h / 3, fraction: rowFraction)
        let bottom = edge(from: t.y + t.h - 1, step: 1, limit: min(image.height - 1, t.y + t.h - 1 + growY),
                          inward: t.h / 3, fraction: rowFraction)
        let y0 = top ?? max(0, t.y - Int(Double(t.h) * typicalMarginY))
        let y1 = bottom ?? min(image.height - 1, t.y + t.h - 1 + Int(Double(t.h) * typicalMarginY))
        guard y1 > y0 else { return fallback(t, image) }
        func columnFraction(_ x: Int) -> Double { panel.fraction(image, xs: x..<(x + 1), ys: y0..<(y1 + 1)) }
        let left = edge(from: t.x, step: -1, limit: max(0, t.x - growX), inward: t.h / 2, fraction: columnFraction)
        let right = edge(from: t.x + t.w - 1, step: 1, limit: min(image.width - 1, t.x + t.w - 1 + growX),
                         inward: t.h / 2, fraction: columnFraction)
        let x0 = left ?? max(0, t.x - Int(Double(t.h) * typicalMarginX))
        let x1 = right ?? min(image.width - 1, t.x + t.w - 1 + Int(Double(t.h) * typicalMarginX))
        guard x1 > x0 else { return fallback(t, image) }
        return PixelRect(x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1)
    }

    /// The last line (row or column) of the panel going outward from `start`, one pixel past it
    /// for the border. When the text box's own edge is not panel (the box overshot a small
    /// plate), moves inward up to `inward` lines first. Nil when the limit is reached without
    /// leaving the panel (no edge seen).
    private static func edge(from start: Int, step: Int, limit: Int, inward: Int, fraction: (Int) -> Double) -> Int? {
        var p = start
        var back = 0
        while fraction(p) < 0.5 {
            guard back < inward else { return start }
            p -= step; back += 1
        }
        while p != limit {
            let next = p + step
            if fraction(next) < 0.5 { return next }
            p = next
        }
        return nil
    }

    private static func fallback(_ t: PixelRect, _ image: Image) -> PixelRect {
        let mx = Int(Double(t.h) * typicalMarginX), my = Int(Double(t.h) * typicalMarginY)
        return PixelRect(x: t.x - mx, y: t.y - my, w: t.w + 2 * mx, h: t.h + 2 * my).clamped(width: image.width, height: image.height)
    }

    /// The panel (background) and ink colours inside the text box: the two luminance classes
    /// split by Otsu's threshold, the panel being the larger (strokes cover well under half).
    struct PanelColour {
        let panel: SIMD3<Float>
        /// Colour distance between panel and ink.
        let contrast: Float
        /// Squared colour distance under which a pixel counts as panel.
        let tolerance2: Float

        init?(_ image: Image, _ t: PixelRect) {
            precondition(image.format == .rgb)
            // One pass reads the box's colours and luminances; the class split and the spread reuse them.
            var colours: [SIMD3<Float>] = [], lumas: [Int] = []
            colours.reserveCapacity(t.w * t.h); lumas.reserveCapacity(t.w * t.h)
            var histogram = [Int](repeating: 0, count: 256)
            image.pixels.withUnsafeBufferPointer { px in
                for y in t.y..<(t.y + t.h) {
                    for x in t.x..<(t.x + t.w) {
                        let i = (y * image.width + x) * 3
                        let l = Self.luma(px[i], px[i + 1], px[i + 2])
                        histogram[l] += 1
                        lumas.append(l)
                        colours.append(SIMD3<Float>(Float(px[i]), Float(px[i + 1]), Float(px[i + 2])))
                    }
                }
            }
            let threshold = otsu(histogram)
            var sums = [SIMD3<Float>(repeating: 0), SIMD3<Float>(repeating: 0)], counts = [0, 0]
            for (c, l) in zip(colours, lumas) {
                let k = l > threshold ? 1 : 0
                sums[k] += c; counts[k] += 1
            }
            guard counts[0] > 0, counts[1] > 0 else { return nil }
            let big = counts[1] >= counts[0] ? 1 : 0
            panel = sums[big] / Float(counts[big])
            let ink = sums[1 - big] / Float(counts[1 - big])
            let contrast2 = ((panel - ink) * (panel - ink)).sum()
            contrast = contrast2.squareRoot()
            // Too little contrast to tell the panel from the characters: no colour to follow.
            guard contrast2 >= 40 * 40 else { return nil }
            // A pixel is panel when it is within the panel's own spread of colour (noise, JPEG):
            // 2.5 median distances (about 3.8 sigma of per-channel Gaussian noise), never more
            // than a third of the way to the ink.
            let centre = panel
            var distances: [Float] = []
            distances.reserveCapacity(counts[big])
            for (c, l) in zip(colours, lumas) where (l > threshold ? 1 : 0) == big {
                let d = c - centre
                distances.append((d * d).sum().squareRoot())
            }
            distances.sort()
            let spread = max(8, 2.5 * distances[distances.count / 2])
            tolerance2 = min(spread * spread, contrast2 / 9)
        }

        private static func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
            let sum: Int = 299 * Int(r) + 587 * Int(g) + 114 * Int(b)
            return sum / 1000
        }

        func fraction(_ image: Image, xs: Range<Int>, ys: Range<Int>) -> Double {
            var hits = 0
            image.pixels.withUnsafeBufferPointer { px in
                for y in ys {
                    for x in xs {
                        let i = (y * image.width + x) * 3
                        let d = SIMD3<Float>(Float(px[i]), Float(px[i + 1]), Float(px[i + 2])) - panel
                        if (d * d).sum() < tolerance2 { hits += 1 }
                    }
                }
            }
            return Double(hits) / Double(max(1, xs.count * ys.count))
        }
    }

    /// Whether two text boxes could lie on one plate: their panels are nearer each other than
    /// half the panel-to-ink contrast. Unknown (no clear panel in either) counts as yes.
    static func samePanel(_ image: Image, _ a: PixelRect, _ b: PixelRect) -> Bool {
        let a = a.clamped(width: image.width, height: image.height), b = b.clamped(width: image.width, height: image.height)
        guard a.w >= 4, a.h >= 4, b.w >= 4, b.h >= 4,
              let pa = PanelColour(image, a), let pb = PanelColour(image, b) else { return true }
        let d = pa.panel - pb.panel
        return (d * d).sum().squareRoot() < 0.5 * min(pa.contrast, pb.contrast)
    }

    /// Otsu's threshold of a 256-bin histogram: the split that maximises between-class variance.
    static func otsu(_ histogram: [Int]) -> Int {
        let total = histogram.reduce(0, +)
        let sumAll = histogram.enumerated().reduce(0.0) { $0 + Double($1.offset * $1.element) }
        var weightBelow = 0, sumBelow = 0.0, best = 0.0, threshold = 127
        for t in 0..<256 {
            weightBelow += histogram[t]
            sumBelow += Double(t * histogram[t])
            let weightAbove = total - weightBelow
            guard weightBelow > 0, weightAbove > 0 else { continue }
            let meanBelow = sumBelow / Double(weightBelow), meanAbove = (sumAll - sumBelow) / Double(weightAbove)
            let between = Double(weightBelow) * Double(weightAbove) * (meanBelow - meanAbove) * (meanBelow - meanAbove)
            if between > best { best = between; threshold = t }
        }
        return threshold
    }
}
