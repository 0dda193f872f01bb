import Foundation
import GRDB

/// Where and when to look (all optional, combinable).
public struct SearchFilter: Sendable {
    public var cameras: [String]?
    public var sites: [String]?
    public var zones: [String]?
    public var from: Date?
    public var to: Date?
    public init(cameras: [String]? = nil, sites: [String]? = nil, zones: [String]? = nil, from: Date? = nil, to: Date? = nil) {
        self.cameras = cameras; self.sites = sites; self.zones = zones; self.from = from; self.to = to
    }

    /// The cameras the camera, site and zone filters allow together; nil when none is set.
    func cameraSet(_ db: Database) throws -> Set<String>? {
        guard cameras != nil || sites != nil || zones != nil else { return nil }
        var allowed = cameras.map(Set.init)
        for (column, values) in [("site", sites), ("zone", zones)] {
            guard let values else { continue }
            let ids = try String.fetchAll(db, sql: "SELECT id FROM camera WHERE \(column) IN (\(values.map { _ in "?" }.joined(separator: ",")))",
                                          arguments: StatementArguments(values))
            allowed = allowed.map { $0.intersection(ids) } ?? Set(ids)
        }
        return allowed
    }

    /// SQL conditions over `s` (a sighting/track table with camera_id, first_utc, last_utc) and `c` (camera).
    func sql() -> (String, StatementArguments) {
        var parts: [String] = []
        var args = StatementArguments()
        func list(_ column: String, _ values: [String]?) {
            guard let values, !values.isEmpty else { return }
            parts.append("\(column) IN (\(values.map { _ in "?" }.joined(separator: ",")))")
            args += StatementArguments(values)
        }
        list("s.camera_id", cameras); list("c.site", sites); list("c.zone", zones)
        if let from { parts.append("s.last_utc >= ?"); args += [from.timeIntervalSince1970] }
        if let to { parts.append("s.first_utc <= ?"); args += [to.timeIntervalSince1970] }
        return (parts.isEmpty ? "1" : parts.joined(separator: " AND "), args)
    }
}

/// One plate sighting that matched a query.
public struct PlateHit: Sendable, Codable {
    public var sightingID: Int64
    public var at: CameraTime
    public var text: String
    public var display: String
    /// The stored text that matched (the vote, a read, or a candidate of a read).
    public var matched: String
    public var match: String            // exact | wildcard | fuzzy | any
    /// Weighted edit distance between the query and `matched` (0 for exact and wildcard).
    public var distance: Double
    public var confidence: Double
    public var reads: Int
    /// `list/entry` of the watchlist hits on this sighting, space-separated (set by searches).
    public var watchlist: String?
}

extension PlateHit {
    /// Best first: exact and wildcard before near misses, nearer first, surer first, then in time order.
    public static func ranking(_ a: PlateHit, _ b: PlateHit) -> Bool {
        func key(_ h: PlateHit) -> (Int, Double, Double, Double) {
            (h.match == "fuzzy" ? 1 : 0, h.distance, -h.confidence, h.at.timeUTC?.timeIntervalSince1970 ?? 0)
        }
        return key(a) < key(b)
    }
}

/// A page of plate matches and how many there were in all.
public struct PlateMatches: Sendable, Codable {
    public var hits: [PlateHit]
    /// Every match found before paging; `totalIsLowerBound` when the search stopped counting.
    public var total: Int
    public var totalIsLowerBound: Bool

    public init(hits: [PlateHit], total: Int, totalIsLowerBound: Bool) {
        self.hits = hits; self.total = total; self.totalIsLowerBound = totalIsLowerBound
    }
}

/// Plate patterns: letters, digits, `?` (one character) and `*` (any run); spaces and dashes ignored.
public struct PlatePattern: Sendable, Equatable {
    public let normalised: String
    public var isWildcard: Bool { normalised.contains("?") || normalised.contains("*") }
    /// `*` alone: every plate seen (a listing, in time order).
    public var isEverything: Bool { normalised == "*" }

    public init(_ raw: String) throws {
        let upper = raw.uppercased()
        guard upper.count <= 32 else { throw StoreError(file: "query", reason: "plate pattern is longer than 32 characters") }
        var out = ""
        for ch in upper {
            if ch == " " || ch == "-" || ch == "." { continue }
            guard ch.isASCII, ch.isLetter || ch.isNumber || ch == "?" || ch == "*" else {
                throw StoreError(file: "query", reason: "plate pattern may hold only letters, digits, '?', '*', spaces and dashes; '\(ch)' is not allowed")
            }
            out.append(ch)
        }
        guard out.contains(where: { $0.isLetter || $0.isNumber }) || out == "*" else {
            throw StoreError(file: "query", reason: "plate pattern needs at least one letter or digit, or is '*' (every plate)")
        }
        normalised = out
    }
}

/// OCR-confusion-aware edit distance: substituting characters OCR confuses (0/O/D/Q, 1/I/L/T,
/// 2/Z, 5/S, 6/G, 8/B, 4/A, 7/T, U/V) costs 0.4; any other edit costs 1.
public func plateDistance(_ a: String, _ b: String) -> Double {
    let a = Array(a), b = Array(b)
    if a.isEmpty || b.isEmpty { return Double(max(a.count, b.count)) }
    var row = (0...b.count).map(Double.init)
    for i in 1...a.count {
        var prev = row[0]
        row[0] = Double(i)
        for j in 1...b.count {
            let cur = row[j]
            let sub = a[i - 1] == b[j - 1] ? 0 : (PlateCanon.confusable(a[i - 1], b[j - 1]) ? 0.4 : 1)
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + sub)
            prev = cur
        }
    }
    return row[b.count]
}

/// Folds characters OCR confuses into one representative, so every confusion variant of a plate
/// has the same folded form and near-miss search is an index lookup.
public enum PlateCanon {
    static let classes: [Set<Character>] = [["0", "O", "D", "Q"], ["1", "I", "L"], ["7", "T"], ["2", "Z"], ["5", "S"],
                                            ["6", "G"], ["8", "B"], ["4", "A"], ["U", "V"]]
    private static let representative: [Character: Character] = {
        var m: [Character: Character] = [:]
        for c in classes { let r = c.sorted().first!; for ch in c { m[ch] = r } }
        return m
    }()

    public static func fold(_ text: String) -> String { String(text.map { representative[$0] ?? $0 }) }

    /// `text` with each 1 read as 1 or T and each T as T or 1 (the one confusion `fold` cannot
    /// join: 1 folds with I and L, T with 7); at most the first four such characters vary.
    public static func oneTVariants(_ text: String) -> [String] {
        var out = [""]
        var varied = 0
        for ch in text {
            if (ch == "1" || ch == "T") && varied < 4 {
                varied += 1
                out = out.flatMap { [$0 + "1", $0 + "T"] }
            } else {
                out = out.map { $0 + String(ch) }
            }
        }
        return out
    }

    /// `text` with each one character removed (the one-deletion keys near misses and the watchlist
    /// matcher look up), duplicates kept.
    public static func deletions(_ text: String) -> [String] {
        text.indices.map { i in var d = text; d.remove(at: i); return d }
    }

    static func confusable(_ x: Character, _ y: Character) -> Bool {
        representative[x] != nil && representative[x] == representative[y] || (x == "1" || x == "T") && (y == "T" || y == "1")
    }
}

extension Incident {
    /// The most sightings one search builds: beyond it a search reports a lower bound.
    public static let plateSearchCap = 50_000

    /// Sightings matching a plate pattern: exact (or wildcard) hits first, then fuzzy hits within
    /// `maxDistance` ranked by distance, unless `fuzzy` is false; `*` alone lists every sighting
    /// in time order. At most `limit`, best first.
    public func searchPlates(_ pattern: PlatePattern, filter: SearchFilter = SearchFilter(), fuzzy: Bool = true,
                             maxDistance: Double = 1.5, limit: Int = Incident.plateSearchCap) throws -> [PlateHit] {
        let (where_, whereArgs) = filter.sql()
        let zone = config.zone
        return try db.read { db in
            var hits: [Int64: PlateHit] = [:]
            let q = pattern.normalised
            func hit(_ r: Row, matched: String, match: String, distance: Double) -> PlateHit {
                PlateHit(sightingID: r["id"], at: CameraTime(r, zone: zone), text: r["text"], display: r["display"], matched: matched,
                         match: match, distance: (distance * 10).rounded() / 10, confidence: r["confidence"], reads: r["reads"])
            }
            if pattern.isEverything {
                return try Row.fetchAll(db, sql: """
                    SELECT s.id, s.text, s.display, s.confidence, s.reads, \(CameraTime.columns)
                    FROM plate_sighting s \(CameraTime.joins)
                    WHERE \(where_) ORDER BY s.first_utc, s.id LIMIT ?
                    """, arguments: whereArgs + [limit]).map { hit($0, matched: $0["text"], match: "any", distance: 0) }
            }
            /// Adds the sightings whose texts satisfy `condition`, with how they matched.
            func collect(_ condition: String, _ args: StatementArguments, kind: String, distance: (String) -> Double?) throws {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT s.id, s.text, s.display, s.confidence, s.reads, t.text AS matched, \(CameraTime.columns)
                    FROM plate_text t JOIN plate_sighting s ON s.id = t.sighting_id \(CameraTime.joins)
                    WHERE \(condition) AND \(where_)
                    LIMIT ?
                    """, arguments: args + whereArgs + [min(limit, Self.plateSearchCap) * 20])
                for r in rows {
                    let id: Int64 = r["id"]
                    let matched: String = r["matched"]
                    guard let d = distance(matched) else { continue }
                    // Keep the best way each sighting matched.
                    if let old = hits[id], old.distance <= d { continue }
                    hits[id] = hit(r, matched: matched, match: d == 0 ? kind : "fuzzy", distance: d)
                }
            }
            /// The longest run of plain characters in a GLOB pattern, quoted for FTS (nil if under 3).
            func ftsLiteral(_ glob: String) -> String? {
                let run = glob.split(whereSeparator: { $0 == "?" || $0 == "*" }).map(String.init).max { $0.count < $1.count } ?? ""
                return run.count >= 3 ? "\"\(run)\"" : nil
            }
            if pattern.isWildcard {
                // A literal run of 3+ characters narrows through the trigram index first.
                if let lit = ftsLiteral(q) {
                    try collect("t.id IN (SELECT rowid FROM plate_text_fts WHERE plate_text_fts MATCH ?) AND t.text GLOB ?",
                                ["text : " + lit, q], kind: "wildcard") { _ in 0 }
                } else {
                    try collect("t.text GLOB ?", [q], kind: "wildcard") { _ in 0 }
                }
            } else {
                try collect("t.text = ?", [q], kind: "exact") { _ in 0 }
                if fuzzy && q.count >= 3 {
                    let score: (String) -> Double? = { t in let d = plateDistance(q, t); return d <= maxDistance ? d : nil }
                    // 1/T is a confusion across two folding classes: the query is looked up as
                    // each way of reading its 1s and Ts.
                    for variant in PlateCanon.oneTVariants(q) {
                        let canon = PlateCanon.fold(variant)
                        // Every confusion variant shares the folded form: one index lookup.
                        try collect("t.canon = ?", [canon], kind: "fuzzy", distance: score)
                        guard maxDistance >= 1 else { continue }
                        if hasPlateKeys {
                            // One other character wrong, dropped or added, by B-tree lookups: a read one
                            // shorter is one of the query's deletions; a read with one more or one other
                            // character shares a deletion key with the query (or has the query as one).
                            let deletions = Set(PlateCanon.deletions(canon)).sorted()
                            let marks = deletions.map { _ in "?" }.joined(separator: ",")
                            try collect("t.canon IN (\(marks))", StatementArguments(deletions), kind: "fuzzy", distance: score)
                            try collect("t.id IN (SELECT text_id FROM plate_key WHERE key IN (?, \(marks)))",
                                        StatementArguments([canon] + deletions), kind: "fuzzy", distance: score)
                        } else {
                            // A file from before the keys: one other wrong character, the folded form with
                            // that position open, through the trigram index.
                            let chars = Array(canon)
                            for i in chars.indices {
                                var g = chars.map(String.init)
                                g[i] = "?"
                                let glob = g.joined()
                                guard let lit = ftsLiteral(glob) else { continue }
                                try collect("t.id IN (SELECT rowid FROM plate_text_fts WHERE plate_text_fts MATCH ?) AND t.canon GLOB ?",
                                            ["canon : " + lit, glob], kind: "fuzzy", distance: score)
                            }
                        }
                    }
                }
            }
            return Array(hits.values.sorted(by: PlateHit.ranking).prefix(limit))
        }
    }
}
