import Foundation
import VideoDecode

/// `platerec` (PyPI 0.0.3; no licence stated): reads a whole plate crop. A MobileNetV2 encoder
/// turns the crop (RGB, 224×224 without keeping the aspect, ImageNet mean/std) into a context
/// vector; a small GPT decoder emits tokens greedily from `<` until `>` (at most 32), as the
/// package's own Python does. Country tags (`[br]`, …) and spaces are not plate characters and
/// are dropped.
public final class PlaterecReader {
    public static let inputSize = 224
    public static let maxTokens = 32
    public let encoder: InferenceModel
    public let decoder: InferenceModel
    private let encoderRequest: InferenceModel.Request
    private let decoderRequest: InferenceModel.Request
    private let vocabulary: Vocabulary
    /// Decoder input positions of the token ids and of the encoder's context.
    private let idsInput: Int, contextInput: Int

    /// The tokenizer file: token list and the start/stop tokens.
    public struct Vocabulary: Sendable {
        public var tokens: [String]
        public var start: Int
        public var stop: Int

        public init(tokenizerAt path: String) throws {
            struct File: Decodable { let tokens: [String]; let stoi: [String: Int] }
            let file: File
            do {
                file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw RecognitionError(.modelCorrupt, file: path, reason: "unreadable tokenizer (re-run `\(ModelStore.setupCommand)`)")
            }
            guard let start = file.stoi["<"], let stop = file.stoi[">"], file.tokens.indices.contains(start),
                  file.tokens.indices.contains(stop) else {
                throw RecognitionError(.modelCorrupt, file: path, reason: "tokenizer has no `<` and `>` tokens")
            }
            tokens = file.tokens; self.start = start; self.stop = stop
        }
    }

    public init(encoder: InferenceModel, decoder: InferenceModel, vocabulary: Vocabulary) throws {
        self.encoder = encoder
        self.decoder = decoder
        self.vocabulary = vocabulary
        encoderRequest = try encoder.makeRequest()
        decoderRequest = try decoder.makeRequest()
        guard let ids = decoder.inputNames.firstIndex(of: "input"), let context = decoder.inputNames.firstIndex(of: "context") else {
            throw RecognitionError(.modelCorrupt, file: decoder.path, reason: "decoder inputs are \(decoder.inputNames), expected input and context")
        }
        idsInput = ids; contextInput = context
    }

    /// Reads one plate crop (RGB) as a single line of characters.
    public func read(_ crop: Image) throws -> TextLineRead {
        let n = Self.inputSize
        let resized = try crop.resized(width: n, height: n, format: .rgb)
        var pixels = [Float](repeating: 0, count: 3 * n * n)
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        for c in 0..<3 {
            for i in 0..<(n * n) {
                pixels[c * n * n + i] = (Float(resized.pixels[i * 3 + c]) / 255 - mean[c]) / std[c]
            }
        }
        guard let context = try encoderRequest.run([Tensor(shape: [1, 3, n, n], floats: pixels)]).first else {
            throw RecognitionError(.inference, file: encoder.path, reason: "encoder gave no output")
        }
        var ids: [Int64] = [Int64(vocabulary.start)]
        var glyphs: [TextLineRead.Glyph] = []
        for _ in 0..<Self.maxTokens {
            var inputs = [Tensor](repeating: context, count: 2)
            inputs[idsInput] = Tensor(shape: [1, ids.count], int64s: ids)
            inputs[contextInput] = context
            guard let logits = try decoderRequest.run(inputs).first, logits.shape.count == 3,
                  logits.shape[2] == vocabulary.tokens.count else {
                throw RecognitionError(.inference, file: decoder.path, reason: "unexpected decoder output")
            }
            let v = logits.shape[2]
            let last = Array(logits.floats[((logits.shape[1] - 1) * v)..<(logits.shape[1] * v)])
            let top = last.max() ?? 0
            let exps = last.map { exp(Double($0 - top)) }
            let total = exps.reduce(0, +)
            let probs = exps.map { $0 / total }
            let best = probs.indices.max { probs[$0] < probs[$1] }!
            if best == vocabulary.stop { break }
            ids.append(Int64(best))
            let token = vocabulary.tokens[best]
            guard token.count == 1, let ch = token.first, ch.isASCII, ch.isLetter || ch.isNumber else { continue }
            // Runner-up among plate characters, for the candidate list.
            let alt = probs.indices
                .filter { $0 != best && vocabulary.tokens[$0].count == 1 && vocabulary.tokens[$0].first!.isASCII
                    && (vocabulary.tokens[$0].first!.isLetter || vocabulary.tokens[$0].first!.isNumber) }
                .max { probs[$0] < probs[$1] }
            glyphs.append(.init(value: ch, confidence: probs[best], alternative: alt.map { vocabulary.tokens[$0].first! },
                                alternativeConfidence: alt.map { probs[$0] } ?? 0))
        }
        return TextLineRead(characters: glyphs)
    }
}
