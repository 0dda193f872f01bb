import Foundation
import RecognitionKit
import VideoDecode

let dlibExamples = "/usr/share/doc/libdlib19.1/examples"

/// Face detection recall on dlib's testing.xml (faces ≥ 40 px), HOG at 0/1 upsampling and MMOD.
func faceEval() throws {
    let engine = try FaceEngine(loadMMOD: true)
    print(String(format: "%-22@ %8@ %8@ %8@ %9@", "detector", "faces", "found", "recall", "false pos"))
    for (label, options) in [("HOG, no upsampling", FaceOptions(upsample: 0)), ("HOG, upsample 1", FaceOptions(upsample: 1)),
                             ("MMOD, no upsampling", FaceOptions(detector: .mmod, upsample: 0))] {
        let r = try FaceDetectionEval.run(dataset: dlibExamples + "/faces/testing.xml", options: options, engine: engine)
        print(String(format: "%-22@ %8d %8d %7.1f%% %9d", label, r.labelled, r.found, 100 * r.recall, r.falsePositives))
    }
}

/// ms per detection at three sizes (HOG with and without upsampling), per descriptor, and
/// faces per second with 1 and 2 workers.
func faceSpeed() throws {
    let engine = try FaceEngine()
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
        print(String(format: "detect %dx%d %.1f %.1f", w, h, plain, up))
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

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add(_ k: Int) { lock.lock(); n += k; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
