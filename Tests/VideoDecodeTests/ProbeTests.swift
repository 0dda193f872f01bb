import Foundation
import Testing
@testable import VideoDecode

@Suite struct ProbeTests {
    @Test func probesTheBundledSamples() throws {
        let mp4 = try MediaProbe.probe(Fixtures.cam01)
        #expect(mp4.container.contains("mp4"))
        #expect(mp4.codec == "h264")
        #expect(mp4.width == 1280 && mp4.height == 720)
        #expect(abs((mp4.frameRate ?? 0) - 25) < 0.001)
        #expect(abs((mp4.durationSeconds ?? 0) - 12) < 0.05)
        #expect(mp4.frameCount == 300 && mp4.frameCountExact)
        #expect(mp4.keyframeIntervalFrames == 50)
        #expect(abs((mp4.keyframeIntervalSeconds ?? 0) - 2) < 0.001)
        #expect(mp4.audioStreams == 1)

        let ts = try MediaProbe.probe(Fixtures.cam02)
        #expect(ts.container == "mpegts")
        #expect(!ts.frameCountExact)
        #expect(ts.frameCount == 300)

        let hevc = try MediaProbe.probe(Fixtures.cam03)
        #expect(hevc.codec == "hevc" && hevc.width == 640)
        #expect(hevc.keyframeIntervalFrames == 250)
    }

    @Test(arguments: [("formats/mjpeg.avi", "mjpeg", "avi"), ("formats/mpeg4.mov", "mpeg4", "mov"),
                      ("formats/flv1.flv", "flv1", "flv"), ("stills/plate.png", "png", "png")])
    func probesOtherCodecs(file: String, codec: String, container: String) throws {
        let info = try MediaProbe.probe(Fixtures.sample(file))
        #expect(info.codec == codec)
        #expect(info.container.contains(container))
    }

    @Test func readsCreationTimeMetadata() throws {
        let dir = try Fixtures.tempDir()
        let path = dir.appendingPathComponent("meta.mp4").path
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=160x120:r=25", "-t", "1", "-c:v", "libx264",
                             "-metadata", "creation_time=2026-11-20T09:00:00.000000Z", "-metadata", "title=gate 4", path])
        let info = try MediaProbe.probe(path)
        #expect(info.creationTime == "2026-11-20T09:00:00.000000Z")
        #expect(info.metadata["title"] == "gate 4")
    }
}
