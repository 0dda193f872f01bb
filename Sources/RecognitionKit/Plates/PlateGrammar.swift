import Foundation

/// Plate formats and OCR-confusion-aware correction toward them. Formats are a preference that
/// ranks readings, never a filter: a correction only swaps a doubtful letter for the digit it is
/// confused with (or back), never adds or drops a character, and the raw read is always kept.
public struct PlateGrammar: Sendable {
    public struct Format: Sendable, Codable, Equatable {
        public var name: String
        /// `L` letter, `D` digit, anything else a separator shown in `display`.
        public var pattern: String
        public var note: String?
        /// Region code (`pk`, `us`, …); when absent, the name's part before the first `-`, lower case.
        public var region: String?
        var slots: [Character] { pattern.filter { $0 == "L" || $0 == "D" } }
        public var regionCode: String { region ?? name.split(separator: "-").first.map { $0.lowercased() } ?? name.lowercased() }
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
    /// Regions whose formats may correct a read (`nil`: every format's region). Formats of other
    /// regions still name and lay out a read that fits them as it is.
    public var correctingRegions: Set<String>?
    /// A character read with at least this confidence, whose runner-up is not the swap, is left as read.
    public static let sureConfidence = 0.9

    private struct File: Codable { var formats: [Format]; var confusions: [Confusion] }

    public init(formats: [Format], confusions: [Confusion], correctingRegions: Set<String>? = nil) {
        self.formats = formats; self.confusions = confusions; self.correctingRegions = correctingRegions
    }

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

    /// Region codes the formats name, in file order.
    public var regions: [String] { formats.map(\.regionCode).reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }

    /// This grammar with corrections limited to `region`'s formats (`any`: no corrections, reads
    /// are kept as read). Throws for a region no format names.
    public func preferring(region: String) throws -> PlateGrammar {
        var g = self
        let r = region.lowercased()
        if r == "any" { g.correctingRegions = []; return g }
        guard regions.contains(r) else {
            throw RecognitionError(.invalidInput, file: "--region", reason: "no plate format for region '\(region)' (known: \((regions + ["any"]).joined(separator: ", ")))")
        }
        g.correctingRegions = [r]
        return g
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

    /// Every format the text fits as read or after swapping doubtful characters for their
    /// letter/digit confusion, cheapest first. Only substitutions: at most one per four characters,
    /// and only at a position the reader was unsure of (confidence under `sureConfidence`, or the
    /// swap was its runner-up); without confidences every position counts as unsure.
    public func fits(_ text: String, confidences: [Double]? = nil, runnersUp: [Character?]? = nil) -> [Fit] {
        let chars = Array(text)
        var out: [Fit] = []
        for (rank, format) in formats.enumerated() {
            let slots = format.slots
            guard slots.count == chars.count else { continue }
            let mayCorrect = correctingRegions.map { $0.contains(format.regionCode) } ?? true
            var fixed = "", cost = 0.0, ok = true, swaps = 0
            for (i, c) in chars.enumerated() {
                let wantLetter = slots[i] == "L"
                if c.isLetter == wantLetter { fixed.append(c); continue }
                let swap = wantLetter ? confusions.filter { $0.digit == c }.min { $0.cost < $1.cost }.map { ($0.letter, $0.cost) }
                                      : confusions.filter { $0.letter == c }.min { $0.cost < $1.cost }.map { ($0.digit, $0.cost) }
                swaps += 1
                let confidence = confidences?[i] ?? 0.5
                let unsure = confidence < Self.sureConfidence || (swap != nil && runnersUp?[i] == swap!.0)
                // More than one change in four characters makes anything a plate ("PIZZA" → "PIZ24").
                guard mayCorrect, unsure, let (replacement, base) = swap, swaps <= max(1, chars.count / 4) else { ok = false; break }
                fixed.append(replacement)
                cost += base * (0.5 + confidence)
            }
            // Earlier formats are more common: a tiny tie-break keeps their order.
            if ok { out.append(Fit(text: fixed, format: format, cost: cost + Double(rank) * 0.001)) }
        }
        return out.sorted { $0.cost < $1.cost }
    }

    /// Whether a read that fits no format could still be a plate (foreign, diplomatic, vanity,
    /// old). `fromPlateDetector`: the region was found by a plate detector, so a short or
    /// digit-free read is allowed; from a text detector, which finds every sign, a plate-like read
    /// is 5–8 letters and digits with at least one of each (on real photos this kept the plates
    /// and cut false regions from 1–2.4 to 0.04–0.10 per photo).
    public static func plausiblePlate(_ text: String, fromPlateDetector: Bool) -> Bool {
        if fromPlateDetector { return (3...10).contains(text.count) }
        return (5...8).contains(text.count) && text.contains(where: \.isLetter) && text.contains(where: \.isNumber)
    }
}
