import Foundation
import Testing
@testable import VideoDecode

@Suite struct ClipTests {
    /// Every video packet of the clip must occur, byte for byte, in the source.
    func assertPayloadsIdentical(source: String, clip: String) throws {
        var sourcePayloads = Set<[UInt8]>()
        try PacketReader.forEachPacket(source) { if $0.isVideo { sourcePayloads.insert($0.payload) } }
        var clipPackets = 0
        try PacketReader.forEachPacket(clip) { p in
            guard p.isVideo else { return }
            clipPackets += 1
            #expect(sourcePayloads.contains(p.payload), "clip packet \(clipPackets) differs from the source")
        }
        #expect(clipPackets > 0)
    }

    @Test(arguments: ["mp4", "mkv"])
    func mp4StreamCopyIsBitExact(ext: String) throws {
        let out = try Fixtures.tempDir().appendingPathComponent("clip.\(ext)").path
        let r = try ClipExporter.export(Fixtures.cam01, from: 3.1, to: 6.5, output: out)
        #expect(abs(r.startTime - 2.0) < 1e-6, "starts at the keyframe at or before 3.1 s (GOP 2 s)")
        #expect(r.endTime >= 6.5 - 0.04)
        // 2.0 … 6.5 s at 25 fps is 113 frames; B-frame reordering may add one or two.
        #expect((113...116).contains(r.videoPackets))
        try assertPayloadsIdentical(source: Fixtures.cam01, clip: out)
        let info = try MediaProbe.probe(out)
        #expect(info.audioStreams == 1)
        let decoded = try VideoDecoder(path: out).decode { _ in true }
        #expect(decoded.corruptPackets == 0 && decoded.framesDecoded == r.videoPackets)
    }

    @Test func mpegTSStaysTSAndBitExact() throws {
        let out = try Fixtures.tempDir().appendingPathComponent("clip.ts").path
        let r = try ClipExporter.export(Fixtures.cam02, from: 4.5, to: 7, output: out)
        #expect(abs(r.startTime - 4.0) < 1e-6, "TS seeks land late; the clip must still start at 4 s")
        try assertPayloadsIdentical(source: Fixtures.cam02, clip: out)
        let decoded = try VideoDecoder(path: out).decode { _ in true }
        #expect(decoded.corruptPackets == 0 && decoded.concealedFrames == 0)
    }

    @Test func rejectsAnEmptyRange() throws {
        let out = try Fixtures.tempDir().appendingPathComponent("clip.mp4").path
        #expect(throws: DecodeError.self) { try ClipExporter.export(Fixtures.cam01, from: 5, to: 4, output: out) }
        #expect(throws: DecodeError.self) { try ClipExporter.export(Fixtures.cam01, from: 50, to: 60, output: out) }
    }
}
