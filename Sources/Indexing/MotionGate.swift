import VideoDecode

/// Cheap change detection on small gray frames: finds the part of the picture that moved since
/// the last sampled frame, so the recognisers skip still scenes and look only where something
/// changed. Works on a coarse grid so sensor noise and compression flicker do not count.
public struct MotionGate: Sendable {
    /// A pixel changed if its gray level moved by more than this.
    public var pixelThreshold: Int = 18
    /// A grid cell is active if more than this fraction of its pixels changed.
    public var cellFraction: Double = 0.02
    public var columns = 16, rows = 9
    private var previous: Image?

    public init() {}

    /// The changed region as a fraction of the frame (x, y, w, h in 0…1), or nil for a still scene.
    /// The first frame counts as all changed.
    public mutating func changedRegion(_ gray: Image) -> (x: Double, y: Double, w: Double, h: Double)? {
        defer { previous = gray }
        guard let prev = previous, prev.width == gray.width, prev.height == gray.height else { return (0, 0, 1, 1) }
        let w = gray.width, h = gray.height
        var counts = [Int](repeating: 0, count: columns * rows)
        prev.pixels.withUnsafeBufferPointer { a in
            gray.pixels.withUnsafeBufferPointer { b in
                for y in 0..<h {
                    let cy = y * rows / h
                    for x in 0..<w where abs(Int(a[y * w + x]) - Int(b[y * w + x])) > pixelThreshold {
                        counts[cy * columns + x * columns / w] += 1
                    }
                }
            }
        }
        let cellPixels = Double(w * h) / Double(columns * rows)
        var minC = columns, maxC = -1, minR = rows, maxR = -1
        for r in 0..<rows {
            for c in 0..<columns where Double(counts[r * columns + c]) > cellFraction * cellPixels {
                minC = min(minC, c); maxC = max(maxC, c); minR = min(minR, r); maxR = max(maxR, r)
            }
        }
        guard maxC >= 0 else { return nil }
        // One cell of margin: the moving object's edges and what it carries (a plate below a bonnet).
        minC = max(0, minC - 1); minR = max(0, minR - 1); maxC = min(columns - 1, maxC + 1); maxR = min(rows - 1, maxR + 1)
        return (Double(minC) / Double(columns), Double(minR) / Double(rows),
                Double(maxC - minC + 1) / Double(columns), Double(maxR - minR + 1) / Double(rows))
    }
}
