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
    public var camera: String
    public var cameraName: String
    public var site: String
    public var zone: String
    public var latitude: Double?
    public var longitude: Double?
    public var firstUTC: Date?
    public var lastUTC: Date?
    public var text: String
    public var display: String
    /// The stored text that matched (the vote, a read, or a candidate of a read).
    public var matched: String
    public var match: String            // exact | wildcard | fuzzy
    /// Weighted edit distance between the query and `matched` (0 for exact and wildcard).
    public var distance: Double
    public var confidence: Double
    public var file: String
    public var pts: Double
    public var reads: Int
}

/// Plate patterns: letters, digits, `?` (one character) and `*` (any run); spaces and dashes ignored.
public struct PlatePattern: Sendable, Equatable {
    public let normalised: String
    public var isWildcard: Bool { normalised.contains("?") || normalised.contains("*") }

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
        guard out.contains(where: { $0.isLetter || $0.isNumber }) else {
            throw StoreError(file: "query", reason: "plate pattern needs at least one letter or digit")
        }
        normalised = out
    }
}

/// OCR-confusion-aware edit distance: substituting characters OCR confuses (0/O/D/Q, 1/I/L/T,
/// 2/Z, 5/S, 6/G, 8/B, 4/A, 7/T) costs 0.4; any other edit costs 1.
public func plateDistance(_ a: String, _ b: String) -> Double {
    let a = Array(a), b = Array(b)
    if a.isEmpty || b.isEmpty { return Double(max(a.count, b.count)) }
    var row = (0...b.count).map(Double.init)
    for i in 1...a.count {
        var prev = row[0]
        row[0] = Double(i)
        for j in 1...b.count {
            let cur = row[j]
            let sub = a[i - 1] == b[j - 1] ? 0 : (confusable(a[i - 1], b[j - 1]) ? 0.4 : 1)
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + sub)
            prev = cur
        }
    }
    return row[b.count]
}

private let confusionClasses: [Set<Character>] = [["0", "O", "D", "Q"], ["1", "I", "L", "T"], ["2", "Z"], ["5", "S"],
                                                   ["6", "G"], ["8", "B"], ["4", "A"], ["7", "T"], ["U", "V"]]
private func confusable(_ x: Character, _ y: Character) -> Bool { confusionClasses.contains { $0.contains(x) && $0.contains(y) } }

extension Incident {
    /// Sightings matching a plate pattern: exact (or wildcard) hits first, then fuzzy hits within
    /// `maxDistance` ranked by distance, unless `fuzzy` is false.
    public func searchPlates(_ pattern: PlatePattern, filter: SearchFilter = SearchFilter(), fuzzy: Bool = true,
                             maxDistance: Double = 1.5, limit: Int = 200) throws -> [PlateHit] {
        let (where_, whereArgs) = filter.sql()
        return try db.read { db in
            var hits: [Int64: PlateHit] = [:]
            // Matching texts (text → matched form, kind, distance); parameterised throughout.
            var matches: [(text: String, kind: String, distance: Double)] = []
            let q = pattern.normalised
            if pattern.isWildcard {
                // A literal run of 3+ characters narrows through the trigram index first.
                let literal = q.split(whereSeparator: { $0 == "?" || $0 == "*" }).map(String.init).max { $0.count < $1.count } ?? ""
                let sql = literal.count >= 3
                    ? "SELECT DISTINCT text FROM plate_text WHERE id IN (SELECT rowid FROM plate_text_fts WHERE plate_text_fts MATCH ?) AND text GLOB ?"
                    : "SELECT DISTINCT text FROM plate_text WHERE text GLOB ?"
                let args: StatementArguments = literal.count >= 3 ? ["\"\(literal)\"", q] : [q]
                matches = try String.fetchAll(db, sql: sql, arguments: args).map { ($0, "wildcard", 0) }
            } else {
                matches = try String.fetchAll(db, sql: "SELECT DISTINCT text FROM plate_text WHERE text = ?", arguments: [q]).map { ($0, "exact", 0) }
                if fuzzy && q.count >= 3 {
                    // Candidates share a trigram with the query; then ranked by confusion-aware distance.
                    let grams = Set((0...(q.count - 3)).map { i -> String in
                        let s = q.index(q.startIndex, offsetBy: i); return "\"" + String(q[s..<q.index(s, offsetBy: 3)]) + "\"" })
                    let candidates = try String.fetchAll(db, sql: """
                        SELECT DISTINCT text FROM plate_text WHERE id IN (SELECT rowid FROM plate_text_fts WHERE plate_text_fts MATCH ?)
                        """, arguments: [grams.sorted().joined(separator: " OR ")])
                    for c in candidates where c != q && abs(c.count - q.count) <= Int(maxDistance) {
                        let d = plateDistance(q, c)
                        if d <= maxDistance { matches.append((c, "fuzzy", (d * 10).rounded() / 10)) }
                    }
                }
            }
            for m in matches {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT s.*, t.text AS matched, f.path AS path, c.name AS camera_name, c.site, c.zone, c.latitude, c.longitude
                    FROM plate_text t JOIN plate_sighting s ON s.id = t.sighting_id
                    JOIN source_file f ON f.id = s.file_id LEFT JOIN camera c ON c.id = s.camera_id
                    WHERE t.text = ? AND \(where_)
                    LIMIT ?
                    """, arguments: [m.text] + whereArgs + [limit])
                for r in rows {
                    let id: Int64 = r["id"]
                    // Keep the best way each sighting matched.
                    if let old = hits[id], old.distance <= m.distance { continue }
                    hits[id] = PlateHit(sightingID: id, camera: r["camera_id"] ?? "", cameraName: r["camera_name"] ?? "",
                                        site: r["site"] ?? "", zone: r["zone"] ?? "", latitude: r["latitude"], longitude: r["longitude"],
                                        firstUTC: (r["first_utc"] as Double?).map(Date.init(timeIntervalSince1970:)),
                                        lastUTC: (r["last_utc"] as Double?).map(Date.init(timeIntervalSince1970:)),
                                        text: r["text"], display: r["display"], matched: m.text, match: m.kind, distance: m.distance,
                                        confidence: r["confidence"], file: r["path"], pts: r["best_pts"], reads: r["reads"])
                }
            }
            return hits.values.sorted {
                ($0.distance, $1.confidence, $0.firstUTC ?? .distantPast) < ($1.distance, $0.confidence, $1.firstUTC ?? .distantPast)
            }.prefix(limit).map { $0 }
        }
    }
}
