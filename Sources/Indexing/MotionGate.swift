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

    /// A part of the frame, as fractions of its width and height (0…1).
    public struct Region: Sendable, Equatable {
        public var x: Double, y: Double, w: Double, h: Double
        public init(x: Double, y: Double, w: Double, h: Double) { self.x = x; self.y = y; self.w = w; self.h = h }
        public static let whole = Region(x: 0, y: 0, w: 1, h: 1)
    }

    /// The parts of the picture that changed since the last sampled frame (each with one grid
    /// cell of margin; parts whose margins touch are one part), or nil for a still scene. The
    /// first frame counts as all changed. Two cars far apart are two parts, not the box around both.
    public mutating func changedRegions(_ gray: Image) -> [Region]? {
        defer { previous = gray }
        guard let prev = previous, prev.width == gray.width, prev.height == gray.height else { return [.whole] }
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
        // One cell of margin around each active cell: the moving object's edges and what it
        // carries (a plate below a bonnet).
        var boxes: [(c0: Int, r0: Int, c1: Int, r1: Int)] = []
        for r in 0..<rows {
            for c in 0..<columns where Double(counts[r * columns + c]) > cellFraction * cellPixels {
                boxes.append((max(0, c - 1), max(0, r - 1), min(columns - 1, c + 1), min(rows - 1, r + 1)))
            }
        }
        guard !boxes.isEmpty else { return nil }
        // Join boxes that overlap or touch until none do.
        var joined = true
        while joined {
            joined = false
            outer: for i in boxes.indices {
                for j in boxes.indices where j > i
                    && boxes[i].c0 <= boxes[j].c1 + 1 && boxes[j].c0 <= boxes[i].c1 + 1
                    && boxes[i].r0 <= boxes[j].r1 + 1 && boxes[j].r0 <= boxes[i].r1 + 1 {
                    let a = boxes[i], b = boxes[j]
                    boxes[i] = (min(a.c0, b.c0), min(a.r0, b.r0), max(a.c1, b.c1), max(a.r1, b.r1))
                    boxes.remove(at: j)
                    joined = true
                    break outer
                }
            }
        }
        return boxes.map { b in
            Region(x: Double(b.c0) / Double(columns), y: Double(b.r0) / Double(rows),
                   w: Double(b.c1 - b.c0 + 1) / Double(columns), h: Double(b.r1 - b.r0 + 1) / Double(rows))
        }
    }
}
