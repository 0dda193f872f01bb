import Foundation
import VideoDecode

/// One read text line: characters with confidences and each position's runner-up.
public struct TextLineRead: Sendable, Equatable {
    /// One read character.
    public struct Glyph: Sendable, Equatable {
        public var value: Character
        public var confidence: Double
        /// The best other plate character at this position and its probability.
        public var alternative: Character?
        public var alternativeConfidence: Double
        public init(value: Character, confidence: Double, alternative: Character?, alternativeConfidence: Double) {
            self.value = value; self.confidence = confidence; self.alternative = alternative; self.alternativeConfidence = alternativeConfidence
        }
    }
    public var characters: [Glyph]
    public init(characters: [Glyph]) { self.characters = characters }
    public var text: String { String(characters.map(\.value)) }
    public var confidence: Double { characters.isEmpty ? 0 : characters.map(\.confidence).reduce(0, +) / Double(characters.count) }
}

/// PP-OCR's text recogniser (v6 or v4; Apache-2.0): input [N,3,48,W] BGR, (x/255-0.5)/0.5, right-padded;
/// output [N, W/8, classes] softmax; CTC greedy decoding. Its character list (v4: 6,623, v6: 18,708; Chinese and
/// Latin) lives in the ONNX metadata key `character`; classes = blank + list + space.
/// Decoding runs over the full list (it beat masking the alphabet by 0–3 points); only plate characters (A–Z, 0–9) are then kept.
public final class CTCTextReader {
    public static let height = 48
    public let model: InferenceModel
    private let request: InferenceModel.Request
    /// Class index → character (index 0 is the CTC blank).
    private let classes: [Character]
    /// Class indices of A–Z and 0–9 (upper and lower case letters both map to upper case).
    private let plateClasses: [Int]

    public init(model: InferenceModel, characters: [Character]) throws {
        self.model = model
        request = try model.makeRequest()
        let all: [Character] = ["\u{0}"] + characters + [" "]
        classes = all
        plateClasses = all.indices.filter { i in i > 0 && all[i].isASCII && (all[i].isLetter || all[i].isNumber) }
    }

    /// The character list from the model file's metadata.
    public static func characters(fromModelAt path: String) throws -> [Character] {
        guard let list = try ONNXMetadata.read(path)["character"] else {
            throw RecognitionError(.modelCorrupt, file: path, reason: "no `character` list in the model metadata")
        }
        return list.split(separator: "\n", omittingEmptySubsequences: false).map { $0.first ?? " " }
    }

    /// Reads each RGB line image; all are batched into one inference.
    public func read(_ lines: [Image]) throws -> [TextLineRead] {
        guard !lines.isEmpty else { return [] }
        let h = Self.height
        let widths = lines.map { min(640, max(8, Int((Double(h) * Double($0.width) / Double(max($0.height, 1))).rounded(.up)))) }
        let batchWidth = max(320, ((widths.max() ?? 320) + 7) / 8 * 8)
        var input = [Float](repeating: 0, count: lines.count * 3 * h * batchWidth)
        for (i, line) in lines.enumerated() {
            let resized = try line.resized(width: widths[i], height: h, format: .rgb)
            var one = [Float](repeating: 0, count: 3 * h * batchWidth)
            TensorPacking.write(resized, into: &one, width: batchWidth, height: h, order: .bgr, mean: 0.5, std: 0.5)
            input.replaceSubrange((i * one.count)..<((i + 1) * one.count), with: one)
        }
        let out = try request.run([Tensor(shape: [lines.count, 3, h, batchWidth], floats: input)])
        guard let probs = out.first, probs.shape.count == 3, probs.shape[2] == classes.count else {
            throw RecognitionError(.inference, file: model.path,
                                   reason: "recogniser output \(out.first?.shape ?? []) does not match \(classes.count) classes")
        }
        let steps = probs.shape[1], nClasses = probs.shape[2]
        let v = probs.floats
        return (0..<lines.count).map { i in
            // Only the steps covering the real (unpadded) width carry text.
            let used = min(steps, (widths[i] + 7) / 8 + 1)
            return decode(v, offset: i * steps * nClasses, steps: used, classes: nClasses)
        }
    }

    private func decode(_ v: [Float], offset: Int, steps: Int, classes nClasses: Int) -> TextLineRead {
        var chars: [TextLineRead.Glyph] = []
        var previous = 0
        for t in 0..<steps {
            let row = offset + t * nClasses
            var best = 0
            var bestP: Float = -1
            for c in 0..<nClasses where v[row + c] > bestP { bestP = v[row + c]; best = c }
            defer { previous = best }
            guard best != 0 else { continue }
            let isPlate = classes[best].isASCII && (classes[best].isLetter || classes[best].isNumber)
            if best == previous, isPlate, var last = chars.popLast() {
                last.confidence = max(last.confidence, Double(bestP))
                chars.append(last)
                continue
            }
            guard isPlate else { continue }
            // Runner-up among plate characters (a different letter/digit), for alternatives.
            var alt = -1
            var altP: Float = -1
            let bestUpper = Character(classes[best].uppercased())
            for c in plateClasses where v[row + c] > altP && Character(classes[c].uppercased()) != bestUpper {
                altP = v[row + c]; alt = c
            }
            chars.append(.init(value: bestUpper, confidence: Double(bestP),
                               alternative: alt >= 0 ? Character(classes[alt].uppercased()) : nil,
                               alternativeConfidence: Double(max(altP, 0))))
        }
        return TextLineRead(characters: chars)
    }
}
