import Foundation

/// Plate formats and OCR-confusion-aware correction toward them. Formats rank candidates and
/// fix letter/digit confusions; a clean read that fits no format is kept, not dropped.
public struct PlateGrammar: Sendable {
    public struct Format: Sendable, Codable, Equatable {
        public var name: String
        /// `L` letter, `D` digit, anything else a separator shown in `display`.
        public var pattern: String
        public var note: String?
        var slots: [Character] { pattern.filter { $0 == "L" || $0 == "D" } }
    }

    public struct Confusion: Sendable, Codable, Equatable {
        public var letter: Character
        public var digit: Character
        public var cost: Double

        enum CodingKeys: String, CodingKey { case letter, digit, cost }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            letter = try c.decode(String.self, forKey: .letter).first ?? "?"
            digit = try c.decode(String.self, forKey: .digit).first ?? "?"
            cost = try c.decode(Double.self, forKey: .cost)
        }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(String(letter), forKey: .letter)
            try c.encode(String(digit), forKey: .digit)
            try c.encode(cost, forKey: .cost)
        }
    }

    public var formats: [Format]
    public var confusions: [Confusion]

    private struct File: Codable { var formats: [Format]; var confusions: [Confusion] }

    /// The formats shipped with forensic (Pakistani formats first).
    public static func bundled() throws -> PlateGrammar {
        guard let url = Bundle.module.url(forResource: "plate-formats", withExtension: "json") else {
            throw RecognitionError(.modelMissing, file: "plate-formats.json", reason: "bundled plate formats missing from the build")
        }
        return try load(url.path)
    }

    /// Formats from a user-edited JSON file (same shape as the bundled `plate-formats.json`).
    public static func load(_ path: String) throws -> PlateGrammar {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecognitionError(.invalidInput, file: path, reason: "cannot read plate formats file")
        }
        do {
            let f = try JSONDecoder().decode(File.self, from: data)
            for format in f.formats where format.slots.isEmpty {
                throw RecognitionError(.invalidInput, file: path, reason: "format '\(format.name)' has no L or D in pattern '\(format.pattern)'")
            }
            return PlateGrammar(formats: f.formats, confusions: f.confusions)
        } catch let e as RecognitionError {
            throw e
        } catch {
            throw RecognitionError(.invalidInput, file: path, reason: "malformed plate formats JSON: \(error)")
        }
    }

    /// Upper case, letters and digits only.
    public static func normalise(_ text: String) -> String {
        String(text.uppercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) })
    }

    /// `text` laid out per `format` (separators inserted); nil if it does not fit.
    public func display(_ text: String, as format: Format) -> String? {
        let chars = Array(text)
        guard chars.count == format.slots.count else { return nil }
        var out = "", i = 0
        for p in format.pattern {
            if p == "L" || p == "D" {
                let c = chars[i]; i += 1
                guard (p == "L") == c.isLetter else { return nil }
                out.append(c)
            } else {
                out.append(p)
            }
        }
        return out
    }

    public struct Fit: Sendable, Equatable {
        public var text: String
        public var format: Format
        public var cost: Double
    }

    /// Every format the text can be corrected into, cheapest first. `confidences` (per character,
    /// 0–1) make a doubtful character cheaper to change than a certain one.
    public func fits(_ text: String, confidences: [Double]? = nil) -> [Fit] {
        let chars = Array(text)
        var out: [Fit] = []
        for (rank, format) in formats.enumerated() {
            let slots = format.slots
            guard slots.count == chars.count else { continue }
            var fixed = "", cost = 0.0, ok = true, swaps = 0
            for (i, c) in chars.enumerated() {
                let wantLetter = slots[i] == "L"
                if c.isLetter == wantLetter { fixed.append(c); continue }
                let swap = wantLetter ? confusions.filter { $0.digit == c }.min { $0.cost < $1.cost }.map { ($0.letter, $0.cost) }
                                      : confusions.filter { $0.letter == c }.min { $0.cost < $1.cost }.map { ($0.digit, $0.cost) }
                swaps += 1
                // More than one change in four characters makes anything a plate ("PIZZA" → "PIZ24").
                guard let (replacement, base) = swap, swaps <= max(1, chars.count / 4) else { ok = false; break }
                fixed.append(replacement)
                cost += base * (0.5 + (confidences?[i] ?? 0.5))
            }
            // Earlier formats are more common: a tiny tie-break keeps their order.
            if ok { out.append(Fit(text: fixed, format: format, cost: cost + Double(rank) * 0.001)) }
        }
        return out.sorted { $0.cost < $1.cost }
    }

    /// The best fit of a run of characters inside `text` when the whole does not fit: a text line
    /// can pick up a stray mark or a neighbouring word beside the plate. Each dropped character
    /// costs 1, so a whole-text fit always wins.
    public func embeddedFit(_ text: String, confidences: [Double]? = nil) -> (fit: Fit, range: Range<Int>)? {
        let chars = Array(text)
        let lengths = Set(formats.map { $0.slots.count }).filter { $0 < chars.count && $0 >= 5 }.sorted(by: >)
        var best: (fit: Fit, range: Range<Int>)? = nil
        for n in lengths {
            for start in 0...(chars.count - n) {
                let r = start..<(start + n)
                guard var fit = fits(String(chars[r]), confidences: confidences.map { Array($0[r]) }).first else { continue }
                fit.cost += Double(chars.count - n)
                if best == nil || fit.cost < best!.fit.cost { best = (fit, r) }
            }
        }
        return best
    }

    /// Whether a read that fits no format could still be a plate (foreign, diplomatic, vanity,
    /// old). `fromPlateDetector`: the region was found by a plate detector, so a short or
    /// digit-free read is allowed; from a generic text finder, short numbers and words are what
    /// signs and shop fronts bring, so at least 5 characters with 2 digits are asked for.
    public static func plausiblePlate(_ text: String, fromPlateDetector: Bool) -> Bool {
        guard (2...10).contains(text.count) else { return false }
        let digits = text.filter(\.isNumber).count
        return fromPlateDetector ? text.count >= 3 : text.count >= 5 && digits >= 2
    }
}
