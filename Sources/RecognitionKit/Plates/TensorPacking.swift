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
