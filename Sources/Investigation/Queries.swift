import Foundation
import IncidentStore
import Nightly
import RecognitionKit
import Watchlists

/// A plate search: a pattern (`BKN123`, `BKN-12?`, `*KN1*`, or `*` for every plate), where and
/// when, and which page.
public struct PlateQuery: Sendable {
    public var pattern: PlatePattern
    public var filter: SearchFilter
    /// Near misses (OCR confusions, one other wrong character) after exact and wildcard matches.
    public var nearMisses: Bool
    public var limit: Int
    public var offset: Int

    public init(pattern: PlatePattern, filter: SearchFilter = SearchFilter(), nearMisses: Bool = true, limit: Int = 200, offset: Int = 0) {
        self.pattern = pattern; self.filter = filter; self.nearMisses = nearMisses; self.limit = limit; self.offset = offset
    }
}

/// What to follow from camera to camera.
public enum TrackTarget: Sendable {
    /// A plate: exact, with OCR confusions (distance ≤ 0.5) included.
    case plate(PlatePattern)
    /// A face descriptor and the distance at or under which a track is that person.
    case face([Float], threshold: Float)
}

/// An audit log and where its hash chain breaks.
public struct AuditReport: Sendable, Codable {
    public var entries: [AuditEntry]
    public var problems: [String]

    /// The entries, each marked `ok` or not, and where the chain breaks.
    public init(checking entries: [AuditEntry]) {
        let problems = Audit.problems(in: entries)
        let broken = Set(problems.map(\.id))
        self.entries = entries.map { e in var e = e; e.ok = !broken.contains(e.id); return e }
        self.problems = problems.map(\.reason)
    }
}

extension Scope {
    /// Plate sightings over every file in the window: one ranking across days (exact and wildcard
    /// first, then near misses by distance; `*` in time order), paged, with each page's watchlist
    /// labels.
    public func plates(_ q: PlateQuery) throws -> PlateMatches {
        let files = try files(from: q.filter.from, to: q.filter.to, plateKeys: PlateKeySummary.probes(for: q.pattern, nearMisses: q.nearMisses))
        let found = try inParallel(files) { day, store in
            try store.searchPlates(q.pattern, filter: q.filter, fuzzy: q.nearMisses).map { h in var h = h; h.at.day = day; return h }
        }
        let everything = found.flatMap { $0 }.sorted(by: q.pattern.isEverything ? Self.inTimeOrder : PlateHit.ranking)
        var page = Array(everything.dropFirst(q.offset).prefix(q.limit))
        for (day, store) in files {
            let ids = page.indices.filter { page[$0].at.day == day }
            let labels = try store.watchlistLabels(sightings: ids.map { page[$0].sightingID })
            for i in ids { page[i].watchlist = labels[page[i].sightingID] ?? "" }
        }
        return PlateMatches(hits: page, total: everything.count,
                            totalIsLowerBound: found.contains { $0.count >= Incident.plateSearchCap })
    }

    private static func inTimeOrder(_ a: PlateHit, _ b: PlateHit) -> Bool {
        (a.at.timeUTC ?? .distantPast, a.at.day ?? "", a.sightingID) < (b.at.timeUTC ?? .distantPast, b.at.day ?? "", b.sightingID)
    }

    /// Face tracks within `threshold` of `embedding`, nearest first, the `top` nearest over every
    /// file in the window, with their watchlist labels.
    public func faces(like embedding: [Float], threshold: Float = FaceEngine.samePersonThreshold, top: Int = 10,
                      filter: SearchFilter = SearchFilter()) throws -> [FaceHit] {
        let files = try files(from: filter.from, to: filter.to)
        let found = try inParallel(files) { day, store -> [FaceHit] in
            let hits = try store.searchFaces(embedding, threshold: threshold, top: top, filter: filter)
            let labels = try store.watchlistLabels(faceTracks: hits.map(\.faceTrackID))
            return hits.map { h in var h = h; h.at.day = day; h.watchlist = labels[h.faceTrackID] ?? ""; return h }
        }
        return Array(found.flatMap { $0 }
            .sorted { ($0.distance, $0.at.timeUTC ?? .distantPast) < ($1.distance, $1.at.timeUTC ?? .distantPast) }
            .prefix(top))
    }

    /// A vehicle's or person's route: every sighting in time order, with the gap and distance
    /// from the stop before.
    public func route(of target: TrackTarget, filter: SearchFilter = SearchFilter()) throws -> [RouteStop] {
        var stops: [RouteStop] = []
        var keys: [String]?
        if case .plate(let pattern) = target { keys = PlateKeySummary.probes(for: pattern, nearMisses: true) }
        for (day, store) in try files(from: filter.from, to: filter.to, plateKeys: keys) {
            switch target {
            case .plate(let pattern):
                let hits = try store.searchPlates(pattern, filter: filter, maxDistance: 0.5)
                let labels = try store.watchlistLabels(sightings: hits.map(\.sightingID))
                stops += hits.map { h in
                    var at = h.at; at.day = day
                    return RouteStop(id: h.sightingID, label: h.display, at: at, watchlist: labels[h.sightingID] ?? "")
                }
            case .face(let embedding, let threshold):
                let hits = try store.searchFaces(embedding, threshold: threshold, top: 10_000, filter: filter)
                let labels = try store.watchlistLabels(faceTracks: hits.map(\.faceTrackID))
                stops += hits.map { h in
                    var at = h.at; at.day = day
                    return RouteStop(id: h.faceTrackID, label: String(format: "d=%.2f", h.distance), at: at, watchlist: labels[h.faceTrackID] ?? "")
                }
            }
        }
        return Route.build(stops)
    }

    /// Plates seen near `plate` at `minCameras` or more cameras, across every file in the window
    /// (a plate beside the target on two days at two cameras shares two).
    public func convoy(plate: PlatePattern, window: Double = 60, minCameras: Int = 2, filter: SearchFilter = SearchFilter()) throws -> [ConvoyCandidate] {
        guard !plate.isWildcard else { throw FilterError(description: "convoy needs a full plate, not a pattern") }
        let files = try files(from: filter.from, to: filter.to)
        var merged: [String: ConvoyCandidate] = [:]
        for (_, store) in files {
            // Each file's candidates at any number of cameras, combined, then the cut.
            for c in try store.convoy(plate: plate.normalised, window: window, minCameras: files.count > 1 ? 1 : minCameras, filter: filter) {
                guard var m = merged[c.text] else { merged[c.text] = c; continue }
                m.meanGapSeconds = ((m.meanGapSeconds * Double(m.coSightings) + c.meanGapSeconds * Double(c.coSightings))
                                    / Double(m.coSightings + c.coSightings) * 10).rounded() / 10
                m.coSightings += c.coSightings
                m.cameras = Array(Set(m.cameras).union(c.cameras)).sorted()
                merged[c.text] = m
            }
        }
        return merged.values.filter { $0.cameras.count >= minCameras }
            .sorted { ($1.cameras.count, $1.coSightings, $0.meanGapSeconds, $0.text) < ($0.cameras.count, $0.coSightings, $1.meanGapSeconds, $1.text) }
    }

    /// Watchlist hits in time order over every file in the window; with `stills`, each carries its
    /// JPEG in `stillData`.
    public func hits(filter: SearchFilter = SearchFilter(), list: String? = nil, stills: Bool = false) throws -> [WatchlistHit] {
        try files(from: filter.from, to: filter.to).flatMap { day, store in
            try store.hits(filter: filter, list: list, stills: stills).map { h in var h = h; h.at.day = day; return h }
        }
    }

    /// An incident's audit log (its chain of custody) and where the hash chain breaks.
    public func audit() throws -> AuditReport {
        guard let file = try files().first, !isArchiveIndex else {
            throw FilterError(description: "the audit log belongs to an incident file; give one (a day file of the index is one)")
        }
        return AuditReport(checking: try file.incident.auditEntries())
    }

    /// What an incident holds and how it was made.
    public func info() throws -> IncidentInfo {
        guard let file = try files().first, !isArchiveIndex else {
            throw FilterError(description: "info describes an incident file; give one (a day file of the index is one)")
        }
        return try file.incident.info()
    }
}

/// The one JSON form of every result, for every front end: keys in snake case from the Codable
/// types, sorted; times ISO 8601.
public func resultEncoder(pretty: Bool = false) -> JSONEncoder {
    let e = JSONEncoder()
    e.keyEncodingStrategy = .convertToSnakeCase
    e.dateEncodingStrategy = .iso8601
    e.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
    return e
}

extension Scope {
    /// Checks the files in the window against `watchlist` (those not yet checked against the lists
    /// as they stand; every one with `recheck`). Needs a scope opened to write.
    public func checkWatchlist(_ watchlist: Watchlist, recheck: Bool = false, faceThreshold: Float = FaceEngine.samePersonThreshold,
                               filter: SearchFilter = SearchFilter()) throws -> [HitCheckSummary] {
        try checkAgainst(watchlist, try files(from: filter.from, to: filter.to).map(\.incident), recheck: recheck, faceThreshold: faceThreshold)
    }
}

/// Checks incident or day files against a watchlist, each left settled (nothing pending in its
/// -wal): what `index` and `nightly` do after indexing, and `hits --watchlist`.
public func checkAgainst(_ watchlist: Watchlist, _ files: [Incident], recheck: Bool = false,
                         faceThreshold: Float = FaceEngine.samePersonThreshold) throws -> [HitCheckSummary] {
    try files.map { file in
        let summary = try watchlist.check(file, recheck: recheck, faceThreshold: faceThreshold)
        try file.settle()
        return summary
    }
}
