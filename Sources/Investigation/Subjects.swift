import Foundation
import IncidentStore

/// A plate sighting or face track opened on its own: where and when, every read, its picture.
public struct SubjectDetail: Sendable, Codable {
    public var kind: String
    public var id: Int64
    public var label: String
    public var at: CameraTime
    public var firstPTS: Double
    public var lastPTS: Double
    public var watchlist: [String]
    /// Plates: every read of the sighting.
    public var reads: [PlateReadRecord]
    /// The original's path on this machine (for its clip), and whether it is still there.
    public var source: String
}

extension Scope {
    /// The incident file a sighting id belongs to: the incident, or the index's file of `day`.
    public func incident(day: String?) throws -> Incident {
        let files = try self.files()
        guard let file = files.first(where: { $0.day == day }) ?? (isArchiveIndex ? nil : files.first) else {
            throw FilterError(description: "no day file \(day ?? "(none given)") in \(path)")
        }
        return file.incident
    }

    /// A sighting (`kind` plate) or face track (`kind` face) with its reads.
    public func subject(kind: EvidenceItem.Kind, id: Int64, day: String?) throws -> SubjectDetail {
        let file = try incident(day: day)
        guard let item = try file.evidenceItems(sightings: kind == .plate ? [id] : [], faceTracks: kind == .face ? [id] : []).first else {
            throw StoreError(file: file.path, reason: "\(kind == .plate ? "sighting" : "face track") \(id) does not exist")
        }
        var at = item.at
        at.day = day
        return SubjectDetail(kind: kind.rawValue, id: id, label: item.label, at: at, firstPTS: item.firstPTS, lastPTS: item.lastPTS,
                             watchlist: item.watchlist, reads: kind == .plate ? try file.reads(ofSighting: id) : [],
                             source: URL(fileURLWithPath: file.config.archive).appendingPathComponent(item.at.file).path)
    }

    /// The stored JPEG of a sighting (plate crop) or face track (aligned face).
    public func picture(kind: EvidenceItem.Kind, id: Int64, day: String?) throws -> Data? {
        let file = try incident(day: day)
        return kind == .plate ? try file.picture(sighting: id) : try file.picture(faceTrack: id)
    }
}
