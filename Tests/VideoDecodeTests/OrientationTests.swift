import Foundation
import Testing
@testable import VideoDecode

@Suite struct OrientationTests {
    /// A 3x2 gray picture with every pixel distinct: 1 2 3 / 4 5 6.
    static let picture = Image(width: 3, height: 2, format: .gray, pixels: [1, 2, 3, 4, 5, 6])

    @Test(arguments: [
        (1, 3, [1, 2, 3, 4, 5, 6]), (2, 3, [3, 2, 1, 6, 5, 4]), (3, 3, [6, 5, 4, 3, 2, 1]), (4, 3, [4, 5, 6, 1, 2, 3]),
        (5, 2, [1, 4, 2, 5, 3, 6]), (6, 2, [4, 1, 5, 2, 6, 3]), (7, 2, [6, 3, 5, 2, 4, 1]), (8, 2, [3, 6, 2, 5, 1, 4]),
    ])
    func everyEXIFOrientationTurnsThePictureUpright(orientation: Int, width: Int, pixels: [UInt8]) {
        let upright = Self.picture.oriented(exif: orientation)
        #expect(upright.width == width && upright.pixels == pixels, "orientation \(orientation): \(upright.pixels)")
    }

    @Test func aPortraitPhoneJPEGIsLoadedUpright() throws {
        // A 64x32 picture, white on its left half, stored as taken by a phone held upright: the
        // pixels sideways (32x64) with EXIF orientation 6 ("turn a quarter clockwise to view").
        let dir = try Fixtures.tempDir()
        let stored = dir.appendingPathComponent("stored.jpg").path
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "color=c=black:s=64x32", "-vf", "drawbox=x=0:y=0:w=32:h=32:c=white:t=fill,transpose=2",
                             "-frames:v", "1", "-q:v", "2", stored])
        var jpeg = try Data(contentsOf: URL(fileURLWithPath: stored))
        jpeg.insert(contentsOf: Self.exifSegment(orientation: 6), at: 2)   // after SOI
        let photo = dir.appendingPathComponent("portrait.jpg").path
        try jpeg.write(to: URL(fileURLWithPath: photo))

        let image = try StillImage.load(photo, as: .gray)
        #expect(image.width == 64 && image.height == 32)
        #expect(image.pixels[16 * 64 + 8] > 200 && image.pixels[16 * 64 + 56] < 50, "white must be on the left once upright")
    }

    /// An APP1 Exif segment holding one tag, Orientation (0x0112), little-endian TIFF.
    static func exifSegment(orientation: UInt16) -> [UInt8] {
        let tiff: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,            // "II", 42, IFD at 8
                             0x01, 0x00,                                                // one entry
                             0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00,            // 0x0112 SHORT ×1
                             UInt8(orientation & 0xFF), UInt8(orientation >> 8), 0x00, 0x00,
                             0x00, 0x00, 0x00, 0x00]                                    // no next IFD
        let body: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
        let length = body.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + body
    }
}

@Suite struct RotatedRectTests {
    @Test func theSmallestRectangleAroundATurnedOneIsItself() {
        let turned = RotatedRect(cx: 100, cy: 80, width: 120, height: 40, angle: -0.28)
        let found = RotatedRect.enclosing(turned.corners)
        #expect(abs(found.angle - turned.angle) < 1e-6 && abs(found.width - 120) < 1e-6 && abs(found.height - 40) < 1e-6, "\(found)")
        #expect(abs(found.cx - 100) < 1e-6 && abs(found.cy - 80) < 1e-6)
    }

    @Test func aLineTurnedNear45DegreesKeepsItsLengthAsItsWidth() {
        // A 120x40 line at -46 degrees: described within ±45° it would be 40 wide and 120 high.
        let line = RotatedRect(cx: 0, cy: 0, width: 120, height: 40, angle: -0.80)
        let found = RotatedRect.enclosing(line.corners)
        #expect(abs(found.width - 120) < 1e-6 && abs(found.angle + 0.80) < 1e-6, "\(found)")
        // An upright tall block (two lines, or one character) stays upright.
        let block = RotatedRect.enclosing(RotatedRect(cx: 0, cy: 0, width: 40, height: 120, angle: 0.1).corners)
        #expect(abs(block.angle - 0.1) < 1e-6 && abs(block.height - 120) < 1e-6, "\(block)")
    }

    @Test func aTurnedCropIsStraightened() {
        // A bright bar along a turned rectangle comes out as a bright straight crop.
        var pixels = [UInt8](repeating: 0, count: 200 * 200)
        let bar = RotatedRect(cx: 100, cy: 100, width: 120, height: 20, angle: 0.5)
        for y in 0..<200 { for x in 0..<200 {
            let dx = Double(x) + 0.5 - 100, dy = Double(y) + 0.5 - 100
            let u = dx * cos(0.5) + dy * sin(0.5), v = -dx * sin(0.5) + dy * cos(0.5)
            if abs(u) < 60 && abs(v) < 10 { pixels[y * 200 + x] = 255 }
        } }
        let crop = Image(width: 200, height: 200, format: .gray, pixels: pixels).cropped(bar.grown(by: -2))
        #expect(crop.width == 116 && crop.height == 16)
        #expect(crop.pixels.allSatisfy { $0 > 200 }, "min \(crop.pixels.min()!)")
    }
}
