import Foundation
import Synchronization
import RecognitionKit
import VideoDecode

let dlibExamples = "/usr/share/doc/libdlib19.1/examples"

/// Face detection recall on dlib's testing.xml (faces ≥ 40 px), HOG at 0/1 upsampling, MMOD and CenterFace.
func faceEval() throws {
    let engine = try FaceEngine(loadMMOD: true, loadCenterFace: true, precision: evalPrecision)
    print(String(format: "%@ %8@ %8@ %8@ %9@ %9@", "detector".padding(toLength: 22, withPad: " ", startingAt: 0), "faces", "found", "recall", "false pos", "ms/image"))
    for (label, options) in detectorChoices + [("MMOD, no upsampling", FaceOptions(detector: .mmod, upsample: 0))] {
        let r = try FaceDetectionEval.run(dataset: dlibExamples + "/faces/testing.xml", options: options, engine: engine)
        print(String(format: "%@ %8d %8d %7.1f%% %9d %9.0f", label.padding(toLength: 22, withPad: " ", startingAt: 0), r.labelled, r.found, 100 * r.recall, r.falsePositives,
                     1000 * r.seconds / Double(max(r.images, 1))))
    }
}

let detectorChoices: [(String, FaceOptions)] = [
    ("HOG, no upsampling", FaceOptions(upsample: 0)), ("HOG, upsample 1", FaceOptions(upsample: 1)),
    ("CenterFace", FaceOptions(detector: .centerface)),
]

/// Faces at CCTV size. (1) Frames of a face clip at three sizes (subfolders of FRAMES_DIR, named by
/// size, largest first): faces found at each, per detector. (2) dlib's 55 "johns" photos (5 people),
/// each on a plain 3× canvas scaled so the face is 40, 60 or 80 px wide: all 1,485 pairs verified at
/// the 0.6 threshold, a photo whose face is not found making each of its pairs wrong.
func faceSmall(_ args: [String]) throws {
    let engine = try FaceEngine(loadCenterFace: true, precision: evalPrecision)
    if let dir = args.first {
        let sizes = try FileManager.default.contentsOfDirectory(atPath: dir).sorted { Int($0.prefix { $0.isNumber }) ?? 0 > Int($1.prefix { $0.isNumber }) ?? 0 }
        print("faces found in the clip's frames (" + sizes.joined(separator: " / ") + "), ms per frame")
        // Last row: CenterFace shown each frame at half size (what index's default 960 px does to 1080p).
        let choices: [(String, (Image) -> FaceOptions)] = detectorChoices.map { c in (c.0, { _ in c.1 }) }
            + [("CenterFace, half", { FaceOptions(detector: .centerface, maxSide: max($0.width, $0.height) / 2) })]
        for (label, options) in choices {
            var cells: [String] = []
            for size in sizes {
                let frames = try FileManager.default.contentsOfDirectory(atPath: dir + "/" + size).filter { $0.hasSuffix(".png") }.sorted()
                var found = 0
                let t0 = Date()
                for f in frames {
                    let image = try StillImage.load(dir + "/" + size + "/" + f)
                    found += try engine.detections(in: image, options: options(image)).count
                }
                cells.append(String(format: "%4d (%4.0f ms)", found, Date().timeIntervalSince(t0) * 1000 / Double(max(frames.count, 1))))
            }
            print(label.padding(toLength: 20, withPad: " ", startingAt: 0) + cells.joined(separator: "  "))
        }
    }
    let base = dlibExamples + "/johns"
    var photos: [(person: String, image: Image)] = []
    for person in try FileManager.default.contentsOfDirectory(atPath: base).sorted() {
        for f in try FileManager.default.contentsOfDirectory(atPath: base + "/" + person).sorted() where f.hasSuffix(".jpg") {
            photos.append((person, try StillImage.load(base + "/" + person + "/" + f, as: .rgb)))
        }
    }
    print("verification of \(photos.count) photos' pairs with the face N px wide: found, pairs right")
    for (label, options) in detectorChoices {
        var cells: [String] = []
        for faceWidth in [40, 60, 80] {
            var embeddings: [[Float]?] = []
            for p in photos {
                // A dlib chip is the face plus 25% each side: the face is ~100 of its 150 px.
                let canvas = onCanvas(p.image, factor: 3)
                let side = canvas.width * faceWidth / 100
                let small = try canvas.resized(width: side, height: side)
                let faces = try engine.faces(in: small, options: options)
                embeddings.append(faces.max { $0.box.w < $1.box.w }?.embedding)
            }
            var right = 0, total = 0
            for i in photos.indices {
                for j in photos.indices where j > i {
                    total += 1
                    guard let a = embeddings[i], let b = embeddings[j] else { continue }
                    if (faceDistance(a, b) < FaceEngine.samePersonThreshold) == (photos[i].person == photos[j].person) { right += 1 }
                }
            }
            cells.append(String(format: "%3d px: %2d/%d %5.1f%%", faceWidth, embeddings.compactMap { $0 }.count, photos.count,
                                100 * Double(right) / Double(total)))
        }
        print(label.padding(toLength: 20, withPad: " ", startingAt: 0) + cells.joined(separator: "  "))
    }
}

/// `image` centred on a mid-gray canvas `factor` times its size.
func onCanvas(_ image: Image, factor: Int) -> Image {
    let w = image.width * factor, h = image.height * factor
    var pixels = [UInt8](repeating: 128, count: w * h * 3)
    let x0 = (w - image.width) / 2, y0 = (h - image.height) / 2
    for y in 0..<image.height {
        let src = y * image.width * 3, dst = ((y0 + y) * w + x0) * 3
        pixels.replaceSubrange(dst..<(dst + image.width * 3), with: image.pixels[src..<(src + image.width * 3)])
    }
    return Image(width: w, height: h, format: .rgb, pixels: pixels)
}

/// ms per detection at three sizes (HOG with and without upsampling), per descriptor, and
/// faces per second with 1 and 2 workers.
func faceSpeed() throws {
    let engine = try FaceEngine(loadCenterFace: true)
    let int8 = try FaceEngine(loadCenterFace: true, precision: .int8)
    let photo = try StillImage.load(dlibExamples + "/faces/2008_002506.jpg")
    func time(_ n: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        let t0 = Date()
        for _ in 0..<n { try body() }
        return Date().timeIntervalSince(t0) * 1000 / Double(n)
    }
    for (w, h) in [(640, 360), (1280, 720), (1920, 1080)] {
        let img = try photo.resized(width: w, height: h)
        let plain = try time(3) { _ = try engine.detections(in: img, options: FaceOptions(upsample: 0)) }
        let up = try time(1) { _ = try engine.detections(in: img, options: FaceOptions(upsample: 1)) }
        let cnn = try time(3) { _ = try engine.detections(in: img, options: FaceOptions(detector: .centerface)) }
        let cnn8 = try time(3) { _ = try int8.detections(in: img, options: FaceOptions(detector: .centerface)) }
        print(String(format: "detect %dx%d  HOG %.1f  HOG upsample 1 %.1f  CenterFace %.1f  CenterFace int8 %.1f", w, h, plain, up, cnn, cnn8))
    }
    let faces = try engine.faces(in: photo)
    let chips = faces.map(\.chip)
    let per = try time(5) { _ = try engine.describe(chips: chips) } / Double(chips.count)
    print(String(format: "descriptor %.1f", per))
    // Throughput: full pipeline on the 500x375 photo (3 faces), 1 and 2 workers, 6 s each.
    for workers in [1, 2] {
        let engines = try (0..<workers).map { _ in try engine.clone() }
        FaceEngine.setBLASThreads(workers > 1 ? 1 : ProcessInfo.processInfo.activeProcessorCount)
        let counter = Counter()
        let t0 = Date()
        DispatchQueue.concurrentPerform(iterations: workers) { i in
            while Date().timeIntervalSince(t0) < 6 {
                let n = (try? engines[i].faces(in: photo).count) ?? 0
                counter.add(n)
            }
        }
        print(String(format: "throughput %d %.1f", workers, Double(counter.value) / Date().timeIntervalSince(t0)))
    }
}

final class Counter: Sendable {
    private let n = Mutex(0)
    func add(_ k: Int) { n.withLock { $0 += k } }
    var value: Int { n.withLock { $0 } }
}
