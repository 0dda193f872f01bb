import Foundation
import IncidentStore
import Nightly
import Synchronization

/// What an investigator searches: one incident file, or an archive index folder whose day files
/// a query's time window chooses (new nightly days are found at each query). Every front end
/// (the CLI, the workbench) asks its questions through a scope; none runs SQL or ranks rows.
public final class Scope: Sendable {
    public let path: String
    /// The incident's name, or "archive index FOLDER".
    public let title: String
    /// The zone times without an offset are read in, and local times are written in.
    public let zone: TimeZone
    public let cameras: [Camera]
    public let mode: Incident.AccessMode
    private let incident: Incident?
    private let index: ArchiveIndex?
    /// An archive index's day files opened so far, kept open: a long-lived scope (the workbench)
    /// pays for opening each day file once, not at every query.
    private let openDays = Mutex<[String: Incident]>([:])

    public var isArchiveIndex: Bool { index != nil }

    /// Opens an incident file or an archive index; read-only unless the caller writes (hits found
    /// by a watchlist check).
    public init(path: String, mode: Incident.AccessMode = .readOnly) throws {
        self.path = path
        self.mode = mode
        if ArchiveIndex.isIndex(path) {
            let index = try ArchiveIndex(path: path)
            self.index = index
            incident = nil
            title = "archive index \(URL(fileURLWithPath: path).lastPathComponent)"
            zone = index.zone
            cameras = index.cameras
        } else {
            let incident = try Incident(path: path, mode: mode)
            self.incident = incident
            index = nil
            title = incident.config.name
            zone = incident.config.zone
            cameras = try incident.cameras()
        }
    }

    /// The files a query over `from`–`to` reads: the incident, or the day files in that window
    /// (each labelled with its day), less the days whose plate-key summary holds none of
    /// `plateKeys` (a plate search's lookups) — those are not even opened.
    public func files(from: Date? = nil, to: Date? = nil, plateKeys: [String]? = nil) throws -> [(day: String?, incident: Incident)] {
        if let incident { return [(nil, incident)] }
        let index = index!
        // The days are listed at each query (a nightly run adds them); only new ones are opened.
        var days = try index.days(from: from, to: to)
        if let plateKeys { days = days.filter { PlateKeySummary.mayHold(index.dayPath($0), anyOf: plateKeys) } }
        let known = openDays.withLock { $0 }
        let opened = try inParallel(days.filter { known[$0] == nil }) { ($0, try Incident(path: index.dayPath($0), mode: mode)) }
        let all = openDays.withLock { cache in
            for (day, file) in opened where cache[day] == nil { cache[day] = file }
            return cache
        }
        return days.map { (Optional($0), all[$0]!) }
    }

    /// A filter as an investigator typed it: names in any case, times with or without an offset.
    public struct FilterText: Sendable {
        public var cameras: [String]?
        public var sites: [String]?
        public var zones: [String]?
        public var from: String?
        public var to: String?
        public init(cameras: [String]? = nil, sites: [String]? = nil, zones: [String]? = nil, from: String? = nil, to: String? = nil) {
            self.cameras = cameras; self.sites = sites; self.zones = zones; self.from = from; self.to = to
        }
    }

    /// The filter `text` means in this scope: names matched to its cameras' own spelling, times
    /// without an offset read in its zone (`readInZone` says so, for the front end to tell).
    /// - Throws: `FilterError` for an unknown camera, site or zone (with the names that exist), a
    ///   `from` after `to`, or a time that is not one (with an example).
    public func filter(_ text: FilterText) throws -> (filter: SearchFilter, readInZone: Bool) {
        var local = false
        func time(_ s: String?, _ name: String) throws -> Date? {
            guard let s else { return nil }
            guard let t = parseSearchTime(s, zone: zone) else {
                throw FilterError(description: "--\(name) '\(s)' is not a time: write 2026-11-20T14:01 (read in \(zone.identifier)) or 2026-11-20T14:01:00+05:00")
            }
            local = local || !t.hadOffset
            return t.date
        }
        let raw = SearchFilter(cameras: text.cameras, sites: text.sites, zones: text.zones, from: try time(text.from, "from"), to: try time(text.to, "to"))
        return (try raw.resolved(against: cameras), local)
    }
}
