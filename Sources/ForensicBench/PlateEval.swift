import Foundation
import Indexing
import RecognitionKit
import VideoDecode

struct PlateLabel {
    let file: String, text: String, box: PixelRect, lines: Int, condition: String, region: String, kind: String
}

func loadLabels(_ dir: String) throws -> [PlateLabel] {
    let csv = try String(contentsOfFile: dir + "/labels.csv", encoding: .utf8)
    return csv.split(separator: "\n").dropFirst().map { line in
        let f = line.split(separator: ",").map(String.init)
        return PlateLabel(file: dir + "/" + f[0], text: f[1],
                          box: PixelRect(x: Int(f[2])!, y: Int(f[3])!, w: Int(f[4])!, h: Int(f[5])!),
                          lines: Int(f[6])!, condition: f[7], region: f.count > 8 ? f[8] : "pk", kind: f.count > 9 ? f[9] : "pk")
    }
}

/// Detection recall (IoU ≥ 0.5), exact-plate read rate, the true plate among the candidates,
/// character accuracy and false plates per image, per OCR generation, detector and reader, overall
/// and per region, plate kind, condition and line count.
func plateEval(_ a: [String]) throws {
    guard let dir = a.first else { throw CocoaError(.featureUnsupported) }
    let rest = a.dropFirst()
    let kinds = rest.contains { PlateDetectorKind(rawValue: $0) != nil } ? rest.compactMap(PlateDetectorKind.init(rawValue:)) : PlateDetectorKind.allCases
    let readers = rest.contains { PlateReaderKind(rawValue: $0) != nil } ? rest.compactMap(PlateReaderKind.init(rawValue:)) : [.ppocr]
    let versions = rest.contains { PlateOCRVersion(rawValue: $0) != nil } ? rest.compactMap(PlateOCRVersion.init(rawValue:)) : [.v6]
    let labels = try loadLabels(dir)
    let env = ProcessInfo.processInfo.environment
    let threads = env["EVAL_THREADS"].flatMap { Int($0) }
    print("plate evaluation: \(labels.count) synthetic images (\(labels.filter { $0.lines == 2 }.count) two-line)")
    print(String(format: "%-4@ %-9@ %-9@ %-18@ %6@ %8@ %8@ %8@ %9@ %9@ %10@ %8@", "ocr", "detector", "reader", "subset", "images",
                 "iou>=.5", "iou>=.3", "exact", "findable", "char.acc", "false/img", "ms/img"))
    for version in versions {
        let models = try PlateModels(detectors: Set(kinds), readers: Set(readers), ocr: version, precision: evalPrecision, threads: threads)
        for kind in kinds { for readerKind in readers {
            let recognizer = try PlateRecognizer(models: models, detector: kind, reader: readerKind)
            if let side = env["EVAL_SIDE"].flatMap({ Int($0) }) { recognizer.detectionMaxSide = side; print("text detector input \(side) px") }
            if env["EVAL_TILES"] != nil { recognizer.tileLargePictures = true; print("large pictures also in tiles") }
            struct Row { var n = 0, detected = 0, found = 0, exact = 0, findable = 0, falsePlates = 0; var charAcc = 0.0, ms = 0.0 }
            var rows: [String: Row] = [:]
            var misses: [String] = []
            for label in labels {
                let image = try StillImage.load(label.file)
                let t0 = Date()
                let detections = try recognizer.detect(image)
                let reads = try detections.compactMap { try recognizer.read(image, at: $0) }
                let ms = Date().timeIntervalSince(t0) * 1000
                let detected = detections.contains { iou($0.box, label.box) >= 0.5 }
                let best = reads.filter { iou($0.box, label.box) > 0.1 }.max { iou($0.box, label.box) < iou($1.box, label.box) }
                let text = best?.text ?? ""
                let acc = max(0, 1 - Double(editDistance(text, label.text)) / Double(label.text.count))
                let falseReads = reads.filter { iou($0.box, label.box) <= 0.1 }
                let falsePlates = falseReads.count
                for f in falseReads { misses.append("\(URL(fileURLWithPath: label.file).lastPathComponent) false plate \(f.text) (\(f.confidence))") }
                if !detected, let d = detections.max(by: { iou($0.box, label.box) < iou($1.box, label.box) }) {
                    misses.append("\(URL(fileURLWithPath: label.file).lastPathComponent) box \(label.box) best \(d.box) iou \(String(format: "%.2f", iou(d.box, label.box)))")
                }
                if text != label.text { misses.append("\(URL(fileURLWithPath: label.file).lastPathComponent) \(label.text) → \(text.isEmpty ? "∅" : text) (raw \(best?.raw ?? "∅")) [\(label.kind), \(label.condition), \(label.box.h)px]") }
                // Findable: the true text is the read or one of its candidates (what search matches exactly).
                let findable = best.map { $0.text == label.text || $0.candidates.contains { $0.text == label.text } } ?? false
                for key in ["all", label.condition, label.lines == 2 ? "two-line" : "one-line", "region " + label.region, "kind " + label.kind] {
                    var r = rows[key] ?? Row()
                    r.n += 1; r.detected += detected ? 1 : 0; r.found += detections.contains { iou($0.box, label.box) >= 0.3 } ? 1 : 0; r.exact += text == label.text ? 1 : 0; r.findable += findable ? 1 : 0
                    r.charAcc += acc; r.falsePlates += falsePlates; r.ms += ms
                    rows[key] = r
                }
            }
            let grouped = rows.keys.filter { $0.hasPrefix("region ") }.sorted() + rows.keys.filter { $0.hasPrefix("kind ") }.sorted()
            for key in ["all", "one-line", "two-line", "clean", "blur", "noise", "night", "jpeg"] + grouped {
                guard let r = rows[key], r.n > 0 else { continue }
                let n = Double(r.n)
                print(String(format: "%-4@ %-9@ %-9@ %-18@ %6d %7.1f%% %7.1f%% %7.1f%% %8.1f%% %8.1f%% %10.2f %8.0f", version.rawValue, kind.rawValue,
                             readerKind.rawValue, key, r.n, 100 * Double(r.detected) / n, 100 * Double(r.found) / n, 100 * Double(r.exact) / n,
                             100 * Double(r.findable) / n, 100 * r.charAcc / n, Double(r.falsePlates) / n, r.ms / n))
            }
            if env["EVAL_MISSES"] != nil { misses.forEach { print("  miss: \($0)") } }
        } }
    }
}

/// What a sighting's vote adds over single frames. Each labelled picture is looked at LOOKS
/// times as a passing vehicle would be seen: a window around the plate, shifted and scaled a
/// little differently each time (as the plate moves through the view and the camera resamples
/// it). Prints, per set: plates read exactly by the most confident single look, by any look, and
/// by the character-wise vote over all looks (as `index` forms a sighting).
func plateVote(_ a: [String]) throws {
    guard let dir = a.first else { throw CocoaError(.featureUnsupported) }
    let looks = a.count > 1 ? Int(a[1]) ?? 5 : 5
    let labels = try loadLabels(dir)
    let recognizer = try PlateRecognizer(models: try PlateModels(detectors: [.text]))
    var bestSingle = 0, anySingle = 0, voted = 0, withReads = 0
    for label in labels {
        let image = try StillImage.load(label.file)
        var reads: [TimedPlateRead] = []
        for k in 0..<looks {
            // Scale from 0.75 to 1.05 of the picture, window offset by up to a plate height.
            let scale = 0.75 + 0.3 * Double(k) / Double(max(looks - 1, 1))
            let shift = (k % 2 == 0 ? 1 : -1) * label.box.h * k / max(looks, 1)
            let side = max(label.box.w, label.box.h) * 3
            let window = PixelRect(x: label.box.x + label.box.w / 2 - side / 2 + shift, y: label.box.y + label.box.h / 2 - side / 3 + shift,
                                   w: side, h: side * 2 / 3).clamped(width: image.width, height: image.height)
            var view = image.cropped(window)
            view = try view.resized(width: max(16, Int(Double(view.width) * scale)), height: max(16, Int(Double(view.height) * scale)))
            let here = try recognizer.recognize(view)
            // The read nearest the window's centre is this look's read of the plate.
            if let r = here.min(by: { abs($0.box.x + $0.box.w / 2 - view.width / 2) < abs($1.box.x + $1.box.w / 2 - view.width / 2) }) {
                reads.append(TimedPlateRead(pts: Double(k), read: r, crop: nil))
            }
        }
        guard !reads.isEmpty else { continue }
        withReads += 1
        if reads.max(by: { $0.read.confidence < $1.read.confidence })!.read.text == label.text { bestSingle += 1 }
        if reads.contains(where: { $0.read.text == label.text }) { anySingle += 1 }
        // All looks are one pass: one sighting, whatever the grouping's edit-distance rule would split.
        if Grouping.sightings(reads, maxGap: .infinity).max(by: { $0.reads.count < $1.reads.count })?.text == label.text { voted += 1 }
    }
    let n = Double(labels.count)
    print(String(format: "plates %d (read in some look: %d), looks %d: best single look %.1f%%, any look %.1f%%, vote %.1f%%",
                 labels.count, withReads, looks, 100 * Double(bestSingle) / n, 100 * Double(anySingle) / n, 100 * Double(voted) / n))
}

/// Milliseconds per detection on a 1080p frame, per plate read, and plates read per second.
func plateSpeed(_ a: [String]) throws {
    guard let file = a.first else { throw CocoaError(.featureUnsupported) }
    for precision in [InferencePrecision.f32, .bf16, .int8] {
        let models = try PlateModels(precision: precision)
        var frames: [Image] = []
        try VideoDecoder(path: file, options: DecodeOptions(policy: .perSecond(1))).decode { f in
            frames.append(try f.image(.rgb)); return frames.count < 6
        }
        for kind in PlateDetectorKind.allCases {
            let r = try PlateRecognizer(models: models, detector: kind)
            _ = try r.detect(frames[0])   // warm-up
            var detMs: [Double] = [], readMs: [Double] = []
            for f in frames {
                let t0 = Date()
                let dets = try r.detect(f)
                detMs.append(Date().timeIntervalSince(t0) * 1000)
                for d in dets {
                    let t1 = Date()
                    _ = try r.read(f, at: d)
                    readMs.append(Date().timeIntervalSince(t1) * 1000)
                }
            }
            func median(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.sorted()[v.count / 2] }
            print(String(format: "%@ %@ %.1f %.1f %d", models.recognizer.fingerprint, kind.rawValue,
                         median(detMs), median(readMs), readMs.count))
        }
    }
}

/// What each lever buys for finding plates in 1080p footage on one core: the text detector's
/// input size, and looking only where the picture changed since the last sampled frame (as
/// `index` does). Same frames, same process; prints "lever ms-per-sampled-frame plates-found".
func plateLevers(_ a: [String]) throws {
    guard let file = a.first else { throw CocoaError(.featureUnsupported) }
    let models = try PlateModels(detectors: [.text], threads: 1)
    let recognizer = try PlateRecognizer(models: models)
    // Frames one second apart, with the changed region the motion gate finds on each.
    var frames: [(image: Image, changed: PixelRect?)] = []
    var gate = MotionGate()
    try VideoDecoder(path: file, options: DecodeOptions(policy: .perSecond(1), skipNonReference: true)).decode { f in
        let image = try f.image(.rgb)
        let r = gate.changedRegions(try f.image(.gray, maxWidth: 160))?.reduce(nil as MotionGate.Region?) { u, b in
            guard let u else { return b }
            let x0 = min(u.x, b.x), y0 = min(u.y, b.y)
            return MotionGate.Region(x: x0, y: y0, w: max(u.x + u.w, b.x + b.w) - x0, h: max(u.y + u.h, b.y + b.h) - y0)
        }
        let roi = r.map { PixelRect(x: Int($0.x * Double(f.width)), y: Int($0.y * Double(f.height)),
                                    w: Int(($0.w * Double(f.width)).rounded(.up)), h: Int(($0.h * Double(f.height)).rounded(.up))) }
        frames.append((image, roi?.clamped(width: f.width, height: f.height)))
        return frames.count < 30
    }
    _ = try recognizer.detect(frames[0].image)   // warm-up
    func run(_ name: String, maxSide: Int, gated: Bool) throws {
        recognizer.detectionMaxSide = maxSide
        var found = 0, looked = 0
        let t0 = Date()
        for f in frames {
            if gated {
                guard let roi = f.changed else { continue }
                looked += roi.w * roi.h
                found += try recognizer.detect(f.image.cropped(roi)).count
            } else {
                looked += f.image.width * f.image.height
                found += try recognizer.detect(f.image).count
            }
        }
        let ms = Date().timeIntervalSince(t0) * 1000 / Double(frames.count)
        let share = Double(looked) / Double(frames.count * frames[0].image.width * frames[0].image.height)
        print(String(format: "%@ %.0f %d %.0f", name, ms, found, share * 100))
    }
    try run("whole-frame-1280", maxSide: 1280, gated: false)
    try run("whole-frame-960", maxSide: 960, gated: false)
    try run("whole-frame-640", maxSide: 640, gated: false)
    try run("changed-region-1280", maxSide: 1280, gated: true)
    try run("changed-region-960", maxSide: 960, gated: true)
}
