import Foundation
import Testing
import RecognitionKit
import VideoDecode

@Suite(.serialized) struct FaceTests {
    /// dlib's 5 Johns: aligned 150x150 chips. Every same-person pair must be under 0.6 and every
    /// different-person pair over it.
    @Test func johnsSeparateAtTheThreshold() throws {
        let base = Fixtures.dlibExamples + "/johns"
        var people: [(String, [Float])] = []
        for person in try FileManager.default.contentsOfDirectory(atPath: base).sorted() {
            let dir = base + "/" + person
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".jpg") }.sorted()
            let chips = try files.map { try StillImage.load(dir + "/" + $0, as: .rgb) }
            #expect(chips.allSatisfy { $0.width == 150 && $0.height == 150 })
            let ds = try Fixtures.withFaces { try $0.describe(chips: chips) }
            people += ds.map { (person, $0) }
        }
        #expect(people.count >= 50)
        var worstSame: Float = 0, bestDifferent: Float = 9
        for i in people.indices {
            for j in people.indices where j > i {
                let d = faceDistance(people[i].1, people[j].1)
                if people[i].0 == people[j].0 { worstSame = max(worstSame, d) } else { bestDifferent = min(bestDifferent, d) }
            }
        }
        #expect(worstSame < FaceEngine.samePersonThreshold, "largest same-person distance \(worstSame)")
        #expect(bestDifferent > FaceEngine.samePersonThreshold, "smallest different-person distance \(bestDifferent)")
    }

    @Test func centerFaceFindsTheLabelledFacesWithoutUpsampling() throws {
        let r = try Fixtures.withFaces { try FaceDetectionEval.run(dataset: Fixtures.dlibExamples + "/faces/testing.xml", options: FaceOptions(detector: .centerface), engine: $0) }
        print("CenterFace: recall \(r.recall) (\(r.found)/\(r.labelled) faces ≥ 40 px), \(r.falsePositives) false positives")
        #expect(r.labelled >= 10)
        #expect(r.recall >= 0.9)
        #expect(r.falsePositives <= 1)
    }

    /// int8 (issue 21): CenterFace quantised by `make setup` still finds dlib's labelled faces.
    @Test func int8CenterFaceFindsTheLabelledFaces() throws {
        let engine = try FaceEngine(models: Fixtures.models, precision: .int8)
        #expect(engine.fingerprint.contains("+int8"), "\(engine.fingerprint)")
        let r = try FaceDetectionEval.run(dataset: Fixtures.dlibExamples + "/faces/testing.xml", options: FaceOptions(detector: .centerface), engine: engine)
        #expect(r.labelled >= 10)
        #expect(r.recall >= 0.9, "recall \(r.recall)")
        #expect(r.falsePositives <= 1)
    }

    /// Faces at CCTV size: a John photographed at ~40 px wide (a 1080p camera's face at ~10 m) is
    /// found by CenterFace, where HOG without upsampling finds nothing, and is still the same
    /// person as his full-size photo: the detector was the cliff, not the descriptor.
    @Test func centerFaceFindsFortyPixelFacesThatStayTheSamePerson() throws {
        let dir = Fixtures.dlibExamples + "/johns/John_Salley/"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".jpg") }.sorted()
        let full = try StillImage.load(dir + files[0], as: .rgb)
        // On a plain canvas three times its size, scaled so the face (~100 of the chip's 150 px) is 40 px.
        var canvas = Image(width: 450, height: 450, format: .rgb, pixels: [UInt8](repeating: 128, count: 450 * 450 * 3))
        let other = try StillImage.load(dir + files[1], as: .rgb)
        for y in 0..<150 { for x in 0..<450 where x >= 150 && x < 300 {
            for c in 0..<3 { canvas.pixels[((150 + y) * 450 + x) * 3 + c] = other.pixels[(y * 150 + x - 150) * 3 + c] }
        } }
        let small = try canvas.resized(width: 180, height: 180)
        let (reference, hog, cnn) = try Fixtures.withFaces { e in
            (try e.describe(chips: [full])[0], try e.faces(in: small, options: FaceOptions(detector: .hog)),
             try e.faces(in: small, options: FaceOptions(detector: .centerface)))
        }
        #expect(hog.isEmpty, "HOG misses a 40 px face (why CenterFace)")
        #expect(cnn.count == 1)
        let d = faceDistance(try #require(cnn.first).embedding, reference)
        #expect(d < FaceEngine.samePersonThreshold, "distance \(d)")
    }

    @Test func hogWithUpsamplingFindsTheLabelledFaces() throws {
        let r = try Fixtures.withFaces { try FaceDetectionEval.run(dataset: Fixtures.dlibExamples + "/faces/testing.xml", options: FaceOptions(upsample: 1), engine: $0) }
        print("HOG upsample 1: recall \(r.recall) (\(r.found)/\(r.labelled) faces ≥ 40 px), \(r.falsePositives) false positives")
        #expect(r.labelled >= 10)
        #expect(r.recall >= 0.9)
    }

    @Test func transformedPhotoStaysTheSamePerson() throws {
        let photo = Fixtures.dlibExamples + "/faces/2008_002506.jpg"
        let dir = try Fixtures.tempDir()
        let variants: [(String, [String])] = [
            ("scaled.png", ["-vf", "scale=iw*1.5:-1"]),
            ("bright.png", ["-vf", "eq=brightness=0.12:contrast=0.85"]),
            ("lowq.jpg", ["-q:v", "20"]),
            ("rotated.png", ["-vf", "rotate=5*PI/180:fillcolor=gray"]),
        ]
        let original = try Fixtures.withFaces { try $0.faces(in: StillImage.load(photo), options: FaceOptions(upsample: 1)) }
        #expect(original.count == 3)
        for (name, filter) in variants {
            let path = dir.appendingPathComponent(name).path
            try Fixtures.ffmpeg(["-i", photo] + filter + [path])
            let faces = try Fixtures.withFaces { try $0.faces(in: StillImage.load(path), options: FaceOptions(upsample: 1)) }
            #expect(faces.count == original.count, "\(name)")
            for o in original {
                let best = faces.map { faceDistance($0.embedding, o.embedding) }.min() ?? 9
                #expect(best < FaceEngine.samePersonThreshold, "\(name): \(best)")
            }
        }
    }

    @Test func qualityMarksTinyFacesAsJunk() throws {
        let photo = try StillImage.load(Fixtures.dlibExamples + "/faces/2008_002506.jpg")
        let faces = try Fixtures.withFaces { try $0.faces(in: photo) }
        #expect(!faces.isEmpty)
        for f in faces {
            #expect(f.quality.interEyePixels > 20 && !f.quality.isJunk, "\(f.quality)")
            #expect(f.embedding.count == 128 && f.landmarks.count == 5)
        }
        // The same photo at a quarter size: faces ~25 px wide, eyes ~8 px apart.
        let small = try StillImage.load(Fixtures.dlibExamples + "/faces/2008_002506.jpg", maxWidth: 125)
        let tiny = try Fixtures.withFaces { try $0.faces(in: small, options: FaceOptions(upsample: 2)) }
        for f in tiny { #expect(f.quality.isJunk, "\(f.quality)") }
    }

    @Test func photoWithoutFacesGivesNone() throws {
        let faces = try Fixtures.withFaces { try $0.faces(in: StillImage.load(Fixtures.sample("stills/plate.png"))) }
        #expect(faces.isEmpty)
    }

    @Test func grayscalePhotoWorks() throws {
        let dir = try Fixtures.tempDir()
        let path = dir.appendingPathComponent("gray.jpg").path
        try Fixtures.ffmpeg(["-i", Fixtures.dlibExamples + "/faces/2008_002506.jpg", "-pix_fmt", "gray", path])
        let faces = try Fixtures.withFaces { try $0.faces(in: StillImage.load(path), options: FaceOptions(upsample: 1)) }
        #expect(faces.count == 3)
    }

    @Test func descriptorIndexFindsNearest() {
        var index = DescriptorIndex()
        var rng = SystemRandomNumberGenerator()
        var vectors: [[Float]] = []
        for i in 0..<2000 {
            let v = (0..<128).map { _ in Float.random(in: -0.2...0.2, using: &rng) }
            vectors.append(v)
            index.append(id: Int64(i), descriptor: v)
        }
        let query = vectors[1234].map { $0 + 0.001 }
        let top = index.nearest(to: query, k: 5)
        #expect(top.first?.id == 1234)
        #expect(top.count == 5)
        #expect(zip(top, top.dropFirst()).allSatisfy { $0.distance <= $1.distance })
        // Brute force agrees on the top 5.
        let brute = vectors.enumerated().map { (Int64($0.offset), faceDistance($0.element, query)) }
            .sorted { $0.1 < $1.1 }.prefix(5).map(\.0)
        #expect(top.map(\.id) == Array(brute))
        #expect(index.nearest(to: query, k: 5, maxDistance: 0.05).map(\.id) == [1234])
    }

    @Test func missingModelsNameTheFileAndTheFix() {
        do {
            _ = try FaceEngine(models: ModelStore(directory: "/nonexistent/models"))
            Issue.record("should fail")
        } catch let e as RecognitionError {
            #expect(e.kind == .modelMissing)
            #expect(e.description.contains("shape_predictor_5_face_landmarks.dat") && e.description.contains("make setup"))
        } catch { Issue.record("\(error)") }
    }
}
