import Foundation
import Testing

@Suite struct PlateCommandTests {
    @Test func platesJSONHasTheDocumentedFields() throws {
        let r = try CLI.run(["plates", "--json", CLI.sample("stills/plate.png")])
        #expect(r.status == 0, "\(r.stderr)")
        let plates = try CLI.json(r.stdout)
        #expect(plates.count == 1)
        let p = try #require(plates.first)
        for key in ["file", "time", "box", "text", "raw", "display", "confidence", "candidates", "detector", "reader", "model",
                    "character_confidences", "lines", "format"] {
            #expect(p[key] != nil, "missing \(key)")
        }
        #expect(p["text"] as? String == "ABC1234" && p["display"] as? String == "ABC-1234")
        let box = try #require(p["box"] as? [String: Int])
        #expect(Set(box.keys) == ["x", "y", "w", "h"])
        #expect((p["candidates"] as? [[String: Any]])?.first?["text"] as? String == "ABC1234")
    }

    @Test func readsPlatesInFootageWithTimes() throws {
        let r = try CLI.run(["plates", "--json", "--every", "1", CLI.sample("archive/CAM01/2026-11-20/140000.mp4")])
        #expect(r.status == 0, "\(r.stderr)")
        let plates = try CLI.json(r.stdout)
        let times = plates.filter { $0["text"] as? String == "BKN123" }.compactMap { $0["time"] as? Double }
        // BKN-123 crosses 2–8 s; the plate is fully in frame for most of it.
        #expect(times.count >= 3, "\(plates.map { ($0["text"] ?? "", $0["time"] ?? "") })")
        #expect(times.allSatisfy { $0 >= 2 && $0 <= 8 })
    }

    @Test func badInputsGiveOneLineErrorsAndTheRestGoOn() throws {
        let dir = try CLI.tempDir()
        let empty = dir.appendingPathComponent("empty.jpg").path
        try Data().write(to: URL(fileURLWithPath: empty))
        let text = dir.appendingPathComponent("notes.jpg").path
        try Data("not a picture".utf8).write(to: URL(fileURLWithPath: text))
        let huge = dir.appendingPathComponent("huge.png").path
        try hugePNGHeader(width: 20000, height: 20000).write(to: URL(fileURLWithPath: huge))
        let r = try CLI.run(["plates", "--json", empty, text, huge, CLI.sample("stills/plate.png")])
        #expect(r.status == 2)
        let errors = r.stderr.split(separator: "\n")
        #expect(errors.count == 3, "\(r.stderr)")
        #expect(errors.contains { $0.contains("empty.jpg") && $0.contains("empty") })
        #expect(errors.contains { $0.contains("notes.jpg") })
        #expect(errors.contains { $0.contains("huge.png") })
        #expect(try CLI.json(r.stdout).count == 1, "the good file is still read")
    }

    @Test func missingModelsNameTheSetupCommand() throws {
        let r = try CLI.run(["plates", "--models", "/nonexistent", CLI.sample("stills/plate.png")])
        #expect(r.status == 1)
        #expect(r.stderr.contains("/nonexistent/") && r.stderr.contains("make setup"))
    }

    /// A PNG whose header claims the given size, with no pixel data: decoders must refuse it
    /// without allocating width × height × 3 bytes.
    func hugePNGHeader(width: UInt32, height: UInt32) -> Data {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
        func crc(_ bytes: [UInt8]) -> UInt32 {
            var c: UInt32 = 0xffff_ffff
            for b in bytes {
                c ^= UInt32(b)
                for _ in 0..<8 { c = c & 1 != 0 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
            }
            return ~c
        }
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let t = Array(type.utf8)
            return be(UInt32(body.count)) + t + body + be(crc(t + body))
        }
        let ihdr = be(width) + be(height) + [8, 2, 0, 0, 0]
        return Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] + chunk("IHDR", ihdr) + chunk("IEND", []))
    }
}

@Suite struct PlateRegionTests {
    @Test func anUnknownRegionIsRefusedInOneLine() throws {
        let r = try CLI.run(["plates", "--region", "zz", CLI.sample("stills/plate.png")])
        #expect(r.status == 1 && r.stdout.isEmpty)
        #expect(r.stderr.contains("region 'zz'") && r.stderr.contains("pk") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }
}

@Suite struct CorruptModelTests {
    @Test func aCorruptModelFileIsNamedWithTheFix() throws {
        // A model directory whose recogniser is garbage.
        let dir = try CLI.tempDir()
        let models = CLI.root.appendingPathComponent("models")
        for sub in ["ppocr6", "platedet/artifacts"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        for f in ["ppocr6/PP-OCRv6_det_small.onnx", "platedet/artifacts/platedet.onnx"] {
            try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(f), withDestinationURL: models.appendingPathComponent(f))
        }
        try Data("not an onnx model".utf8).write(to: dir.appendingPathComponent("ppocr6/PP-OCRv6_rec_small.onnx"))
        let r = try CLI.run(["plates", "--models", dir.path, CLI.sample("stills/plate.png")])
        #expect(r.status == 1)
        #expect(r.stderr.contains("PP-OCRv6_rec_small.onnx") && r.stderr.contains("make setup"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}
