import Foundation
import Testing
@testable import VideoDecode

@Suite struct DecodeTests {
    /// 2 s at 25 fps, GOP 10, whose stream starts 3.5 s into the container timeline.
    static func offsetClip() throws -> String {
        let dir = try Fixtures.tempDir()
        let path = dir.appendingPathComponent("offset.mkv").path
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25", "-t", "2", "-c:v", "libx264",
                             "-g", "10", "-keyint_min", "10", "-sc_threshold", "0", "-bf", "2",
                             "-output_ts_offset", "3.5", path])
        return path
    }

    @Test func everyFrameHasExactTimesFromTheStreamStart() throws {
        let path = try Self.offsetClip()
        #expect(abs((try MediaProbe.probe(path).startTimeSeconds ?? 0) - 3.5) < 0.001)
        var times: [Double] = [], indices: [Int] = []
        let stats = try VideoDecoder(path: path).decode { f in
            times.append(f.time); indices.append(f.index); return true
        }
        #expect(stats.framesDecoded == 50)
        #expect(indices == Array(0..<50))
        for (k, t) in times.enumerated() { #expect(abs(t - Double(k) / 25) < 1e-6, "frame \(k) at \(t)") }
    }

    @Test(arguments: ["libx264", "libx265"])
    func quietGOPsAreLookedAtThroughTheirKeyframeOnly(codec: String) throws {
        // 20 s of a still street (GOP 2 s) with a box crossing from 8 to 11 s.
        let path = try Fixtures.tempDir().appendingPathComponent("still-\(codec).mp4").path
        let gop = codec == "libx265" ? ["-x265-params", "keyint=50:min-keyint=50:scenecut=0:log-level=error"]
                                     : ["-g", "50", "-keyint_min", "50", "-sc_threshold", "0"]
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25,trim=duration=0.04,loop=loop=-1:size=1,setpts=N/25/TB",
                             "-f", "lavfi", "-i", "color=c=red:s=40x30:r=25", "-filter_complex",
                             "[0][1]overlay=x='(t-8)*100':y=100:enable='between(t,8,11)'", "-t", "20", "-c:v", codec] + gop
                            + ["-pix_fmt", "yuv420p", path])
        var gated: [Double] = []
        let stats = try VideoDecoder(path: path, options: DecodeOptions(policy: .perSecond(1), skipQuietGOPs: true)).decode { f in
            gated.append(f.time); return true
        }
        var full: [Double] = []
        let fullStats = try VideoDecoder(path: path, options: DecodeOptions(policy: .perSecond(1))).decode { f in
            full.append(f.time); return true
        }
        #expect(full.count == 20)
        #expect(stats.quietGOPs >= 5 && stats.activeGOPs >= 2, "\(stats)")
        #expect(stats.framesDecoded < fullStats.framesDecoded / 2, "\(stats.framesDecoded) of \(fullStats.framesDecoded) decoded")
        // While the box moves, every second is still looked at; while nothing moves, every keyframe.
        for t in [8.0, 9.0, 10.0] { #expect(gated.contains { abs($0 - t) < 0.05 }, "\(t) s missing from \(gated)") }
        for t in stride(from: 0.0, through: 18.0, by: 2.0) { #expect(gated.contains { abs($0 - t) < 0.05 }, "keyframe \(t) s missing") }
    }

    @Test func perSecondSamplingPicksEvenlySpacedFrames() throws {
        let path = try Self.offsetClip()
        var picked: [(Int, Double)] = []
        try VideoDecoder(path: path, options: DecodeOptions(policy: .perSecond(5))).decode { f in
            picked.append((f.index, f.time)); return true
        }
        #expect(picked.map(\.0) == [0, 5, 10, 15, 20, 25, 30, 35, 40, 45])
        for (i, t) in picked { #expect(abs(t - Double(i) / 25) < 1e-6) }
    }

    @Test func keyframePolicyDecodesOnlyKeyframes() throws {
        let path = try Self.offsetClip()
        var picked: [(Int, Double, Bool)] = []
        let stats = try VideoDecoder(path: path, options: DecodeOptions(policy: .keyframes)).decode { f in
            picked.append((f.index, f.time, f.isKeyframe)); return true
        }
        #expect(picked.map(\.0) == [0, 10, 20, 30, 40])
        #expect(picked.allSatisfy { $0.2 })
        #expect(stats.framesDecoded == 5)
    }

    @Test func skippingNonReferenceFramesDecodesFewer() throws {
        let path = try Self.offsetClip()
        let all = try VideoDecoder(path: path).decode { _ in true }
        let refs = try VideoDecoder(path: path, options: DecodeOptions(skipNonReference: true)).decode { _ in true }
        #expect(refs.framesDecoded < all.framesDecoded)
        #expect(refs.framesDecoded > 5)
    }

    @Test func scalesKeepingAspectAndCropsFullResolution() throws {
        // CAM01: BKN-123's yellow plate (240x62 at x = car + 90, y = 515) crosses 2–8 s.
        var checked = false
        try VideoDecoder(path: Fixtures.cam01, options: DecodeOptions(policy: .perSecond(1))).decode { f in
            guard f.time >= 5 else { return true }
            let small = try f.image(.gray, maxWidth: 640)
            #expect(small.width == 640 && small.height == 360 && small.pixels.count == 640 * 360)
            let rgb = try f.image(.rgb)
            #expect(rgb.width == 1280 && rgb.pixels.count == 1280 * 720 * 3)
            // At t = 5 the car's x is -420 + 1700 * 3/6 = 430: the plate is at (520…760, 515…577).
            let plate = try f.crop(PixelRect(x: 540, y: 519, w: 40, h: 4), .rgb)
            #expect(plate.width == 40 && plate.height == 4)
            let (r, g, b) = (Int(plate.pixels[0]), Int(plate.pixels[1]), Int(plate.pixels[2]))
            #expect(r > 200 && g > 170 && b < 80, "expected plate yellow, got \(r),\(g),\(b)")
            let up = try f.crop(PixelRect(x: 520, y: 515, w: 240, h: 62), .gray, width: 480, height: 124)
            #expect(up.width == 480 && up.height == 124)
            #expect(throws: DecodeError.self) { try f.crop(PixelRect(x: 5000, y: 0, w: 10, h: 10), .gray) }
            checked = true
            return false
        }
        #expect(checked)
    }

    @Test func decodesHEVCAndOtherCodecs() throws {
        for file in [Fixtures.cam03, Fixtures.sample("formats/mjpeg.avi"), Fixtures.sample("formats/mpeg4.mov"),
                     Fixtures.sample("formats/flv1.flv")] {
            let stats = try VideoDecoder(path: file).decode { _ in true }
            #expect(stats.framesDecoded >= 30, "\(file)")
            #expect(stats.corruptPackets == 0)
        }
    }

    @Test func loadsStillImages() throws {
        let png = try StillImage.load(Fixtures.sample("stills/plate.png"))
        #expect(png.width == 800 && png.height == 450 && png.format == .rgb)
        let dir = try Fixtures.tempDir()
        for ext in ["jpg", "bmp"] {
            let path = dir.appendingPathComponent("p.\(ext)").path
            try Fixtures.ffmpeg(["-i", Fixtures.sample("stills/plate.png"), path])
            let img = try StillImage.load(path, as: .gray, maxWidth: 400)
            #expect(img.width == 400 && img.height == 225 && img.format == .gray)
        }
    }
}
