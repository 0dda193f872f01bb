import VideoDecode

/// Packs RGB pixels into a planar float tensor the way each model was trained.
enum TensorPacking {
    enum ChannelOrder { case rgb, bgr }

    /// Writes `image` (RGB) into a [3, height, width] plane set at (left, top), as
    /// (value/255 - mean)/std per channel. The rest of `out` keeps whatever fill it had.
    static func write(_ image: Image, into out: inout [Float], width: Int, height: Int,
                      left: Int = 0, top: Int = 0, order: ChannelOrder, mean: Float, std: Float) {
        precondition(image.format == .rgb)
        let plane = width * height
        let scale = 1 / (255 * std), shift = -mean / std
        let channels = order == .rgb ? [0, 1, 2] : [2, 1, 0]
        image.pixels.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<min(image.height, height - top) {
                    let srcRow = y * image.width * 3
                    let dstRow = (y + top) * width + left
                    for x in 0..<min(image.width, width - left) {
                        let s = srcRow + x * 3
                        for c in 0..<3 {
                            o[c * plane + dstRow + x] = Float(px[s + channels[c]]) * scale + shift
                        }
                    }
                }
            }
        }
    }
}

/// Greedy non-maximum suppression; returns kept indices, best first.
func nonMaximumSuppression(_ boxes: [PixelRect], scores: [Double], iouThreshold: Double) -> [Int] {
    var order = scores.indices.sorted { scores[$0] > scores[$1] }
    var keep: [Int] = []
    while let i = order.first {
        keep.append(i)
        order.removeFirst()
        order.removeAll { iou(boxes[i], boxes[$0]) > iouThreshold }
    }
    return keep
}

/// The rectangles joined until no two overlap (each pair that overlaps becomes the box around
/// both): areas to look in once each, however many finds pointed there.
public func mergedAreas(_ rects: [PixelRect]) -> [PixelRect] {
    var areas = rects.filter { !$0.isEmpty }
    var joined = true
    while joined {
        joined = false
        search: for i in areas.indices {
            for j in areas.indices where j > i {
                let a = areas[i], b = areas[j]
                guard a.overlaps(b) else { continue }
                let x0 = min(a.x, b.x), y0 = min(a.y, b.y)
                areas[i] = PixelRect(x: x0, y: y0, w: max(a.x + a.w, b.x + b.w) - x0, h: max(a.y + a.h, b.y + b.h) - y0)
                areas.remove(at: j)
                joined = true
                break search
            }
        }
    }
    return areas
}
