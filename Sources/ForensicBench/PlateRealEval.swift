import Foundation
import Indexing
import RecognitionKit
import VideoDecode

/// One labelled plate of a real photo set (`labels.csv`: region,image,x,y,w,h,plate,plate_with_year).
struct RealPlateLabel {
    let region: String, image: String, box: PixelRect
    /// Every reading that counts as right (a Punjab plate with or without its small year); empty
    /// for a plate nobody could read (it counts as a plate to find, not to read).
    let texts: Set<String>
}

func loadRealLabels(_ dir: String) throws -> [RealPlateLabel] {
    let csv = try String(contentsOfFile: dir + "/labels.csv", encoding: .utf8)
    // Lines may end in CRLF ("\r\n" is one Character in Swift, so split on newlines, not "\n").
    return csv.split(whereSeparator: \.isNewline).dropFirst().map { line in
        let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return RealPlateLabel(region: f[0], image: dir + "/" + f[1],
                              box: PixelRect(x: Int(f[2])!, y: Int(f[3])!, w: Int(f[4])!, h: Int(f[5])!),
                              texts: Set([f[6], f.count > 7 ? f[7] : ""].filter { !$0.isEmpty }))
    }
}

/// The stage of the text-detector pipeline that lost a plate, in pipeline order.
enum PlateStage: String, CaseIterable {
    case text = "no text box over the plate"
    case shape = "boxes over it ruled out by shape"
    case lines = "no line read in its panel"
    case reader = "reader misread the lines"
    case joining = "lines read, registration joined wrong"
    case plateLike = "registration read, not reported (plate-like rule or confidence)"
    case correction = "read right, then corrected wrong"
    case otherBox = "read right in another box than the one reported"
}

/// Whether `box` lies over the plate `label`: most of the box on the plate, or most of the plate under the box.
func over(_ box: PixelRect, _ label: PixelRect) -> Bool {
    let w = min(box.x + box.w, label.x + label.w) - max(box.x, label.x)
    let h = min(box.y + box.h, label.y + label.h) - max(box.y, label.y)
    guard w > 0, h > 0 else { return false }
    let inter = Double(w * h)
    return inter >= 0.5 * Double(box.w * box.h) || inter >= 0.5 * Double(label.w * label.h)
}

/// `make eval` on real photos: every plate through the text-detector pipeline's stages, the stage
/// that lost each miss named, and per region: found (a plate reported over it), read exactly,
/// false plates per photo, and how many plates each stage lost.
/// Usage: `plates-real DIR [v6|v4] [--plates] [--image NAME] [--region R]` (`--plates`: a line per plate and false
/// plate; `--image`: one photo's stages; `--region`: correct every photo toward R's formats, not its own region's).
func plateRealEval(_ a: [String]) throws {
    guard let dir = a.first else { throw CocoaError(.featureUnsupported) }
    guard FileManager.default.fileExists(atPath: dir + "/labels.csv") else {
        print("real plate photos: \(dir)/labels.csv not found; skipped")
        return
    }
    let version = a.dropFirst().compactMap(PlateOCRVersion.init(rawValue:)).first ?? .v6
    let perPlate = a.contains("--plates")
    let labels = try loadRealLabels(dir)
    let models = try PlateModels(detectors: [.text], ocr: version, precision: evalPrecision)
    let recognizer = try PlateRecognizer(models: models)
    // As `forensic plates` looks at a photo: large ones in tiles too.
    recognizer.tileLargePictures = true

    struct Tally { var plates = 0, withText = 0, seen = 0, found = 0, exact = 0, photos = 0, falsePlates = 0; var lost: [PlateStage: Int] = [:]; var ms = 0.0 }
    var tallies: [String: Tally] = [:]
    var order: [String] = []
    let only = a.firstIndex(of: "--image").map { a[$0 + 1] }
    let forcedRegion = a.firstIndex(of: "--region").map { a[$0 + 1] }
    for (image, group) in Dictionary(grouping: labels, by: \.image).sorted(by: { $0.key < $1.key }) {
        if let only, !image.hasSuffix("/" + only) { continue }
        let region = group[0].region
        if !order.contains(region) { order.append(region) }
        var t = tallies[region] ?? Tally()
        // Each region's photos corrected toward that region's formats, as an operator there
        // would run it (`--region`); regions without formats keep every read as read.
        recognizer.grammar = try models.grammar.preferring(region: forcedRegion ?? (models.grammar.regions.contains(region) ? region : "any"))
        let picture = try StillImage.load(image)
        let t0 = Date()
        let trace = try recognizer.trace(picture)
        t.ms += Date().timeIntervalSince(t0) * 1000
        if only != nil {
            print("picture \(picture.width)x\(picture.height); text regions: \(trace.textRegions)")
            for c in trace.candidates {
                print("  text box \(c.textBox) plate \(c.detection.map { "\($0.box) from \($0.textRegions)" } ?? "ruled out") lines \(c.lines) read \(c.read?.text ?? "none")")
            }
        }
        t.photos += 1
        let reads = trace.candidates.compactMap(\.read)
        let falsePlates = reads.filter { r in !group.contains { over(r.box, $0.box) } }
        t.falsePlates += falsePlates.count
        if perPlate, !falsePlates.isEmpty {
            print("  \(region) \(URL(fileURLWithPath: image).lastPathComponent) false plates: \(falsePlates.map { "\($0.text) at \($0.box.x),\($0.box.y) (\($0.confidence))" }.joined(separator: ", "))")
        }
        for label in group {
            t.plates += 1
            let mine = trace.candidates.filter { c in over(c.textBox, label.box) || c.detection.map { over($0.box, label.box) } == true }
            let reported = mine.compactMap(\.read)
            let found = !reported.isEmpty
            let exact = !label.texts.isEmpty && reported.contains { label.texts.contains($0.text) }
            t.found += found ? 1 : 0
            t.withText += label.texts.isEmpty ? 0 : 1
            t.exact += exact ? 1 : 0
            t.seen += trace.textRegions.contains { over($0, label.box) } ? 1 : 0
            var stage: PlateStage? = nil
            if !exact && !label.texts.isEmpty {
                let formed = mine.filter { $0.detection != nil }
                let truthIn = { (s: String) in label.texts.contains { s.contains($0) } }
                if !trace.textRegions.contains(where: { over($0, label.box) }) { stage = .text }
                else if formed.isEmpty { stage = .shape }
                else if formed.allSatisfy({ $0.lines.isEmpty }) { stage = .lines }
                else if formed.contains(where: { label.texts.contains($0.registration) }) {
                    let right = formed.first { label.texts.contains($0.registration) }!
                    stage = right.read == nil ? .plateLike : (label.texts.contains(right.read!.raw) && right.read!.text != right.read!.raw ? .correction : .otherBox)
                }
                else if formed.contains(where: { truthIn($0.lines.joined()) }) { stage = .joining }
                else { stage = .reader }
                t.lost[stage!, default: 0] += 1
            }
            if perPlate {
                let lines = mine.filter { $0.detection != nil }.map { "[" + $0.lines.joined(separator: "/") + "]" }.joined(separator: " ")
                print("  \(region) \(URL(fileURLWithPath: image).lastPathComponent) \(label.texts.sorted().first ?? "?") "
                      + "→ \(reported.map(\.text).joined(separator: ",").isEmpty ? "∅" : reported.map(\.text).joined(separator: ","))"
                      + (exact ? " exact" : stage.map { " LOST: \($0.rawValue)" } ?? "") + (lines.isEmpty ? "" : " lines \(lines)"))
            }
        }
        tallies[region] = t
    }
    print(String(format: "%-6@ %6@ %9@ %9@ %9@ %8@ %10@ %8@", "region", "plates", "text seen", "found", "exact", "of read", "false/img", "ms/img"))
    for region in order {
        let t = tallies[region]!
        let n = Double(t.plates)
        print(String(format: "%-6@ %6d %8.1f%% %8.1f%% %9d %7.1f%% %10.2f %8.0f", region, t.plates, 100 * Double(t.seen) / n,
                     100 * Double(t.found) / n, t.exact, 100 * Double(t.exact) / Double(max(t.withText, 1)),
                     Double(t.falsePlates) / Double(t.photos), t.ms / Double(t.photos)))
    }
    print("plates lost, by the stage that lost them:")
    for stage in PlateStage.allCases {
        let counts = order.map { "\($0) \(tallies[$0]!.lost[stage] ?? 0)" }.joined(separator: ", ")
        print("  \(stage.rawValue): \(counts)")
    }
}

/// The index cascade's plate glance (issue 21) on the real photos, each seen as one video frame
/// is: how many labelled plates the full look finds and reads exactly, and how many the glance
/// alone does (a look between full ones), with the milliseconds each costs. The periodic full
/// look must carry the difference.
func plateGlanceEval(_ a: [String]) throws {
    guard let dir = a.first, FileManager.default.fileExists(atPath: dir + "/labels.csv") else {
        print("real plate photos: labels.csv not found; skipped")
        return
    }
    let glance = a.dropFirst().first.flatMap(Double.init) ?? IndexOptions().plateGlance
    let labels = try loadRealLabels(dir)
    let models = try PlateModels(detectors: [.text], ocr: .v6, precision: evalPrecision)
    let recognizer = try PlateRecognizer(models: models)
    struct Tally { var plates = 0, full = 0, fullExact = 0, glanced = 0, glancedExact = 0; var fullMs = 0.0, glanceMs = 0.0, photos = 0 }
    var tallies: [String: Tally] = [:]
    for (image, group) in Dictionary(grouping: labels, by: \.image).sorted(by: { $0.key < $1.key }) {
        let region = group[0].region
        var t = tallies[region] ?? Tally()
        recognizer.grammar = try models.grammar.preferring(region: models.grammar.regions.contains(region) ? region : "any")
        let picture = try StillImage.load(image)
        var t0 = Date()
        let full = try recognizer.detect(picture).compactMap { try recognizer.read(picture, at: $0) }
        t.fullMs += Date().timeIntervalSince(t0) * 1000
        t0 = Date()
        let glanced = try recognizer.detectByGlance(picture, glance: glance).compactMap { try recognizer.read(picture, at: $0) }
        t.glanceMs += Date().timeIntervalSince(t0) * 1000
        t.photos += 1
        for label in group {
            t.plates += 1
            let f = full.filter { over($0.box, label.box) }, g = glanced.filter { over($0.box, label.box) }
            t.full += f.isEmpty ? 0 : 1
            t.glanced += g.isEmpty ? 0 : 1
            t.fullExact += f.contains { label.texts.contains($0.text) } ? 1 : 0
            t.glancedExact += g.contains { label.texts.contains($0.text) } ? 1 : 0
        }
        tallies[region] = t
    }
    print("glance at \(glance) of the text detector's scale (\(evalPrecision.rawValue)); found = a read over the labelled plate")
    print("region  plates  found full/glance  exact full/glance  ms a photo full/glance")
    for (region, t) in tallies.sorted(by: { $0.key < $1.key }) {
        print(String(format: "%-6@ %7d %9d / %-7d %9d / %-7d %10.0f / %.0f", region as NSString, t.plates, t.full, t.glanced, t.fullExact, t.glancedExact,
                     t.fullMs / Double(t.photos), t.glanceMs / Double(t.photos)))
    }
}
