import Foundation
import IncidentStore
import VideoDecode

/// Redacted copies of clips: every other face and plate the incident detected in the clip's
/// time range is covered with a coarse mosaic, frame by frame, and the result re-encoded. The
/// detections come from the index (the same detectors, run when the footage was indexed), so
/// redaction needs no models and covers exactly what the index saw; between two sampled frames
/// a detection is held and grown to cover movement.
enum Redaction {
    static let hold = 0.6, grow = 0.4, cellsAcross = 6
    static let method = "mosaic of about \(cellsAcross) cells across each stored detection of another face or plate (from the index), grown by \(Int(grow * 100))% and held \(hold) s either side of its sampled frame; re-encoded"

    /// Decodes `clip`, covers the regions due at each frame, and encodes the result to `output`.
    static func redact(clip: String, clipStart: Double, regions: [TimedBox], output: String) throws -> (frames: Int, encoder: String) {
        let decoder = try VideoDecoder(path: clip)
        var writer: VideoWriter?
        var frames = 0
        try decoder.decode { f in
            var image = try f.image(.rgb)
            let t = clipStart + f.time
            for r in regions where abs(r.pts - t) <= hold { mosaic(&image, r.box) }
            if writer == nil { writer = try VideoWriter(path: output, width: image.width, height: image.height) }
            try writer!.write(image, at: f.time)
            frames += 1
            return true
        }
        guard let writer else { throw EvidenceError(clip, "no frame could be decoded to redact") }
        try writer.finish()
        return (frames, writer.encoderDescription)
    }

    /// Replaces each cell of the grown box with its mean colour.
    static func mosaic(_ image: inout Image, _ box: PixelRect) {
        let gx = Int(Double(box.w) * grow / 2), gy = Int(Double(box.h) * grow / 2)
        let b = PixelRect(x: box.x - gx, y: box.y - gy, w: box.w + 2 * gx, h: box.h + 2 * gy).clamped(width: image.width, height: image.height)
        guard !b.isEmpty else { return }
        let cell = max(4, b.w / cellsAcross)
        for cy in stride(from: b.y, to: b.y + b.h, by: cell) {
            for cx in stride(from: b.x, to: b.x + b.w, by: cell) {
                let x1 = min(cx + cell, b.x + b.w), y1 = min(cy + cell, b.y + b.h)
                var sum = (0, 0, 0)
                for y in cy..<y1 { for x in cx..<x1 { let i = (y * image.width + x) * 3; sum.0 += Int(image.pixels[i]); sum.1 += Int(image.pixels[i + 1]); sum.2 += Int(image.pixels[i + 2]) } }
                let n = (x1 - cx) * (y1 - cy)
                for y in cy..<y1 { for x in cx..<x1 { let i = (y * image.width + x) * 3; image.pixels[i] = UInt8(sum.0 / n); image.pixels[i + 1] = UInt8(sum.1 / n); image.pixels[i + 2] = UInt8(sum.2 / n) } }
            }
        }
    }
}
