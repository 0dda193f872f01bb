import Foundation
import Testing

@Suite struct FaceCommandTests {
    @Test func facesJSONHasTheDocumentedFields() throws {
        let r = try CLI.run(["faces", "--json", CLI.dlibFaces + "/2008_002506.jpg"])
        #expect(r.status == 0, "\(r.stderr)")
        let faces = try CLI.json(r.stdout)
        #expect(faces.count == 3)
        for f in faces {
            for key in ["file", "time", "box", "score", "landmarks", "quality", "embedding", "detector", "model"] {
                #expect(f[key] != nil, "missing \(key)")
            }
            #expect((f["embedding"] as? [Double])?.count == 128)
            #expect((f["landmarks"] as? [[String: Double]])?.count == 5)
            #expect((f["model"] as? String)?.hasPrefix("dlib-resnet-v1@") == true)
        }
    }

    @Test func facesOnVideoAndBadFilesGoOn() throws {
        let r = try CLI.run(["faces", "--every", "4", "/nonexistent.jpg", CLI.sample("archive/CAM01/2026-11-20/140000.mp4")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/nonexistent.jpg: no such file"))
        #expect(r.stdout.isEmpty, "no faces on the synthetic street")
    }

    @Test func compareSaysSameOrDifferentAndRefusesAmbiguity() throws {
        let johns = "/usr/share/doc/libdlib19.1/examples/johns"
        let same = try CLI.run(["face-compare", "--json",
                                johns + "/John_Salley/000179_02159509.jpg", johns + "/John_Salley/000183_02159543.jpg"])
        let s = try CLI.json(same.stdout).first
        #expect(s?["same"] as? Bool == true && (s?["threshold"] as? Double ?? 0) > 0.59)
        let diff = try CLI.run(["face-compare", "--json",
                                johns + "/John_Salley/000179_02159509.jpg", johns + "/John_Simm/" + (try FileManager.default.contentsOfDirectory(atPath: johns + "/John_Simm").sorted().first!)])
        #expect(try CLI.json(diff.stdout).first?["same"] as? Bool == false)

        let several = try CLI.run(["face-compare", CLI.dlibFaces + "/2008_002506.jpg", CLI.dlibFaces + "/2008_002506.jpg"])
        #expect(several.status == 1 && several.stderr.contains("faces found; pass --largest"), "\(several.stderr)")
        let none = try CLI.run(["face-compare", "--largest", CLI.dlibFaces + "/2008_002506.jpg", CLI.sample("stills/plate.png")])
        #expect(none.status == 1 && none.stderr.contains("plate.png: no face found"))
    }
}

@Suite struct FaceBadInputTests {
    @Test func corruptEmptyAndNonImageFilesAreNamedAndSkipped() throws {
        let dir = try CLI.tempDir()
        let cut = dir.appendingPathComponent("cut.jpg")
        let photo = try Data(contentsOf: URL(fileURLWithPath: CLI.dlibFaces + "/2008_002506.jpg"))
        try photo.prefix(300).write(to: cut)
        let empty = dir.appendingPathComponent("empty.png")
        try Data().write(to: empty)
        let r = try CLI.run(["faces", "--json", cut.path, empty.path, CLI.dlibFaces + "/2008_002506.jpg"])
        #expect(r.status == 2)
        let errors = r.stderr.split(separator: "\n")
        #expect(errors.count == 2 && errors.contains { $0.contains("cut.jpg") } && errors.contains { $0.contains("empty.png") }, "\(r.stderr)")
        #expect(try CLI.json(r.stdout).count == 3, "the good photo still gives its 3 faces")
    }
}
