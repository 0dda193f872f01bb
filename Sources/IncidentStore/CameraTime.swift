import Foundation
import GRDB

/// Where and when something was seen: the one camera-and-time value every result carries
/// (plate and face matches, watchlist hits, route stops, export items).
public struct CameraTime: Sendable, Codable, Equatable {
    public var camera: String
    public var cameraName: String
    public var site: String
    public var zone: String
    public var latitude: Double?
    public var longitude: Double?
    /// First and last moment seen (nil when the file's start time is unknown).
    public var timeUTC: Date?
    public var untilUTC: Date?
    /// `timeUTC` in the incident's zone, ISO 8601 with its offset: what an investigator reads.
    public var timeLocal: String?
    /// The source file (as catalogued) and the stream time of the best view in it, seconds.
    public var file: String
    public var pts: Double
    /// The archive index's day file it came from (set by searches over an index).
    public var day: String?

    public init(camera: String, cameraName: String = "", site: String = "", zone: String = "", latitude: Double? = nil,
                longitude: Double? = nil, timeUTC: Date?, untilUTC: Date?, timeZone: TimeZone, file: String, pts: Double, day: String? = nil) {
        self.camera = camera; self.cameraName = cameraName; self.site = site; self.zone = zone
        self.latitude = latitude; self.longitude = longitude; self.timeUTC = timeUTC; self.untilUTC = untilUTC
        self.timeLocal = timeUTC.map { isoTime($0, timeZone) }; self.file = file; self.pts = pts; self.day = day
    }

    /// Columns every query that builds one selects (`CameraTime.columns`), from a sighting or
    /// track table `s`, its source file `f` and its camera `c`.
    static let columns = "s.camera_id AS at_camera, c.name AS at_camera_name, c.site AS at_site, c.zone AS at_zone, "
        + "c.latitude AS at_latitude, c.longitude AS at_longitude, s.first_utc AS at_first, s.last_utc AS at_last, "
        + "f.path AS at_file, s.best_pts AS at_pts"
    static let joins = "JOIN source_file f ON f.id = s.file_id LEFT JOIN camera c ON c.id = s.camera_id"

    init(_ r: Row, zone: TimeZone) {
        self.init(camera: r["at_camera"] ?? "", cameraName: r["at_camera_name"] ?? "", site: r["at_site"] ?? "",
                  zone: r["at_zone"] ?? "", latitude: r["at_latitude"], longitude: r["at_longitude"],
                  timeUTC: (r["at_first"] as Double?).map(Date.init(timeIntervalSince1970:)),
                  untilUTC: (r["at_last"] as Double?).map(Date.init(timeIntervalSince1970:)),
                  timeZone: zone, file: r["at_file"], pts: r["at_pts"])
    }
}
