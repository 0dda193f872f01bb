import Foundation
import Testing
@testable import VideoDecode

/// Each damaged input fails with a DecodeError that names the file, and the next file still works.
@Suite struct BadInputTests {
    let dir: URL
    init() throws { dir = try Fixtures.tempDir() }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func expectFailure(_ file: String, _ kind: DecodeError.Kind, reasonContains: String? = nil) {
        do {
            _ = try MediaProbe.probe(file)
            Issue.record("\(file) should not probe")
        } catch let e as DecodeError {
            #expect(e.kind == kind, "\(e)")
            #expect(e.description.contains(file), "message must name the file: \(e)")
            if let r = reasonContains { #expect(e.reason.localizedCaseInsensitiveContains(r), "\(e)") }
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
        // The process survives and handles the next file.
        #expect((try? MediaProbe.probe(Fixtures.cam01)) != nil)
    }

    @Test func zeroByteFile() throws {
        try Data().write(to: URL(fileURLWithPath: path("empty.mp4")))
        expectFailure(path("empty.mp4"), .empty, reasonContains: "empty")
    }

    @Test func textRenamedAsMP4() throws {
        try Data("this is not a video\n".utf8).write(to: URL(fileURLWithPath: path("notes.mp4")))
        expectFailure(path("notes.mp4"), .open, reasonContains: "invalid data")
    }

    @Test func mp4TruncatedBeforeItsIndex() throws {
        // ffmpeg writes the moov index at the end: keep the first 60% and it is gone.
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.cam01))
        try data.prefix(data.count * 6 / 10).write(to: URL(fileURLWithPath: path("cut.mp4")))
        expectFailure(path("cut.mp4"), .open)
        #expect(throws: DecodeError.self) { try VideoDecoder(path: path("cut.mp4")) }
    }

    @Test func damagedMatroskaWithoutStreamParametersFailsOnce() throws {
        // A fuzzed copy of the CAM03 sample: avformat_find_stream_info fails. The context used to
        // be freed in init and again in deinit (SIGSEGV); now the probe fails with one error.
        let file = Fixtures.root.appendingPathComponent("Tests/fixtures/probe-crash-find-stream-info.mkv").path
        expectFailure(file, .open)
        #expect(throws: DecodeError.self) { try VideoDecoder(path: file) }
    }

    @Test func unsupportedCodec() throws {
        // A Matroska file whose codec ID no decoder knows.
        let src = path("src.mkv")
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=160x120:r=25", "-t", "1", "-c:v", "libx264", src])
        var data = try Data(contentsOf: URL(fileURLWithPath: src))
        let id = Data("V_MPEG4/ISO/AVC".utf8)
        let range = try #require(data.range(of: id))
        data.replaceSubrange(range, with: Data("V_QQQQQ/ISO/AVC".utf8))
        try data.write(to: URL(fileURLWithPath: path("odd.mkv")))
        expectFailure(path("odd.mkv"), .unsupportedCodec, reasonContains: "no decoder")
        #expect(throws: DecodeError.self) { try VideoDecoder(path: path("odd.mkv")) }
    }

    @Test func audioOnlyFileHasNoVideo() throws {
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=300", "-t", "1", path("tone.m4a")])
        expectFailure(path("tone.m4a"), .noVideoStream)
    }

    @Test func directoryAndMissingPath() throws {
        expectFailure(dir.path, .notAFile, reasonContains: "directory")
        expectFailure(path("nope.mp4"), .notFound)
        try FileManager.default.createSymbolicLink(atPath: path("dangling.mp4"), withDestinationPath: path("gone.mp4"))
        expectFailure(path("dangling.mp4"), .notFound)
    }

    @Test(.enabled(if: getuid() != 0, "root can read any file"))
    func unreadableFile() throws {
        try FileManager.default.copyItem(atPath: Fixtures.cam01, toPath: path("locked.mp4"))
        chmod(path("locked.mp4"), 0)
        expectFailure(path("locked.mp4"), .unreadable)
    }

    @Test func tsWithGarbageInTheMiddleDecodesOnAndCounts() throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.cam02))
        // Overwrite 40 KB in the middle with a repeating junk pattern (deterministic).
        let start = data.count / 3
        for i in 0..<40_000 { data[start + i] = UInt8(truncatingIfNeeded: i &* 131 &+ 7) }
        try data.write(to: URL(fileURLWithPath: path("damaged.ts")))
        let clean = try VideoDecoder(path: Fixtures.cam02).decode { _ in true }
        let stats = try VideoDecoder(path: path("damaged.ts")).decode { _ in true }
        #expect(stats.corruptPackets + stats.concealedFrames > 0, "damage must be counted: \(stats)")
        #expect(stats.framesDecoded > clean.framesDecoded / 2, "decoding goes on after the damage")
        #expect(stats.lastFrameTime ?? 0 > 11, "reached the end of the file")
    }

    @Test func truncatedTSDecodesWhatIsThere() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.cam02))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path("half.ts")))
        let stats = try VideoDecoder(path: path("half.ts")).decode { _ in true }
        #expect(stats.framesDecoded > 50 && stats.framesDecoded < 300)
    }

    @Test func badStills() throws {
        try Data("GIF89a nonsense".utf8).write(to: URL(fileURLWithPath: path("bad.jpg")))
        #expect(throws: DecodeError.self) { try StillImage.load(path("bad.jpg")) }
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: Fixtures.sample("stills/plate.png")))
        try jpeg.prefix(200).write(to: URL(fileURLWithPath: path("cut.png")))
        do {
            _ = try StillImage.load(path("cut.png"))
            Issue.record("a 200-byte PNG should not decode")
        } catch let e as DecodeError {
            #expect(e.description.contains("cut.png"))
        }
    }

    @Test func hugeImageIsRefusedBeforeDecoding() throws {
        // A 12000x12000 PNG of one colour is small on disk but 144 MP.
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "color=c=gray:s=12000x12000", "-frames:v", "1", path("huge.png")])
        do {
            _ = try StillImage.load(path("huge.png"))
            Issue.record("should refuse")
        } catch let e as DecodeError {
            #expect(e.kind == .tooLarge && e.description.contains("huge.png"))
        }
    }
}
