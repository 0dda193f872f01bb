import Foundation
import GRDB

/// A sighting on a suspect's route, in time order.
public struct RouteStop: Sendable, Codable {
    /// The plate sighting's or face track's id.
    public var id: Int64
    /// The plate as read, or the face's distance.
    public var label: String
    public var at: CameraTime
    /// Seconds since the previous stop left its camera.
    public var sincePrevious: Double?
    /// Straight-line kilometres from the previous camera (when both have coordinates).
    public var kmFromPrevious: Double?
    /// `list/entry` of the watchlist hits on it.
    public var watchlist: String?

    public init(id: Int64, label: String, at: CameraTime, watchlist: String? = nil) {
        self.id = id; self.label = label; self.at = at; self.watchlist = watchlist
    }
    var first: Date { at.timeUTC ?? .distantPast }
    var last: Date { at.untilUTC ?? first }
}

/// Great-circle distance in kilometres.
public func haversineKm(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
    let r = 6371.0, rad = Double.pi / 180
    let dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad
    let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dLon / 2) * sin(dLon / 2)
    return 2 * r * asin(min(1, a.squareRoot()))
}

public enum Route {
    /// Orders stops by time and fills in the gaps and distances between consecutive ones.
    public static func build(_ stops: [RouteStop]) -> [RouteStop] {
        var out = stops.filter { $0.at.timeUTC != nil }.sorted { ($0.first, $0.at.day ?? "", $0.id) < ($1.first, $1.at.day ?? "", $1.id) }
        for i in out.indices.dropFirst() {
            let p = out[i - 1]
            out[i].sincePrevious = (out[i].first.timeIntervalSince(p.last) * 10).rounded() / 10
            if let a = p.at.latitude, let b = p.at.longitude, let c = out[i].at.latitude, let d = out[i].at.longitude {
                out[i].kmFromPrevious = (haversineKm(a, b, c, d) * 100).rounded() / 100
            }
        }
        return out
    }

    /// An SVG picture: one row per camera, time across, each stop a dot joined in time order.
    public static func svg(_ stops: [RouteStop], title: String, zone: TimeZone) -> String {
        let cameras = stops.reduce(into: [String]()) { if !$0.contains($1.at.camera) { $0.append($1.at.camera) } }
        guard let t0 = stops.map(\.first).min(), let t1 = stops.map(\.last).max() else {
            return "<svg xmlns='http://www.w3.org/2000/svg' width='400' height='60'><text x='10' y='30'>no sightings</text></svg>"
        }
        let left = 220.0, width = 900.0, rowH = 50.0, top = 60.0
        let span = max(t1.timeIntervalSince(t0), 1)
        func x(_ d: Date) -> Double { left + width * d.timeIntervalSince(t0) / span }
        func y(_ cam: String) -> Double { top + rowH * Double(cameras.firstIndex(of: cam)!) + rowH / 2 }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "'", with: "&apos;")
        }
        let fmt = DateFormatter()
        fmt.timeZone = zone
        fmt.dateFormat = "HH:mm:ss"
        let h = top + rowH * Double(cameras.count) + 50
        var s = "<svg xmlns='http://www.w3.org/2000/svg' width='\(Int(left + width + 60))' height='\(Int(h))' font-family='sans-serif' font-size='13'>\n"
        s += "<rect width='100%' height='100%' fill='white'/>\n<text x='10' y='25' font-size='16' font-weight='bold'>\(esc(title))</text>\n"
        for (i, cam) in cameras.enumerated() {
            let yy = top + rowH * Double(i) + rowH / 2
            let name = stops.first { $0.at.camera == cam }.map { "\(cam) \($0.at.cameraName == cam ? "" : $0.at.cameraName)" } ?? cam
            s += "<line x1='\(left)' y1='\(yy)' x2='\(left + width)' y2='\(yy)' stroke='#ddd'/>\n"
            s += "<text x='10' y='\(yy + 4)'>\(esc(name))</text>\n"
        }
        var path = ""
        for (i, st) in stops.enumerated() {
            path += (i == 0 ? "M" : "L") + String(format: "%.1f,%.1f ", x(st.first), y(st.at.camera))
        }
        s += "<path d='\(path)' fill='none' stroke='#c0392b' stroke-width='2'/>\n"
        for st in stops {
            let x0 = x(st.first), x1 = max(x(st.last), x0 + 4)
            s += String(format: "<rect x='%.1f' y='%.1f' width='%.1f' height='12' fill='#c0392b'/>\n", x0, y(st.at.camera) - 6, x1 - x0)
            s += String(format: "<text x='%.1f' y='%.1f' font-size='11'>%@</text>\n", x0, y(st.at.camera) - 10, esc(fmt.string(from: st.first)))
        }
        s += "<text x='\(left)' y='\(h - 15)' font-size='11'>\(esc(isoTime(t0, zone)))</text>\n"
        s += "<text x='\(left + width - 150)' y='\(h - 15)' font-size='11'>\(esc(isoTime(t1, zone)))</text>\n</svg>\n"
        return s
    }
}

/// Another plate seen near the target's sightings.
public struct ConvoyCandidate: Sendable, Codable {
    public var text: String
    public var display: String
    /// Cameras where both were seen within the window.
    public var cameras: [String]
    public var coSightings: Int
    /// Mean |time difference| to the target at those sightings.
    public var meanGapSeconds: Double
}

extension Incident {
    /// Plates seen at the same cameras within `window` seconds of the target's sightings, ranked by
    /// the number of cameras shared, then co-sightings, then closeness in time.
    /// Only the target's sightings within the filter's cameras and times count.
    public func convoy(plate: String, window: Double = 60, minCameras: Int = 2, filter: SearchFilter = SearchFilter()) throws -> [ConvoyCandidate] {
        let (cond, args) = filter.sql()
        return try db.read { db in
            let targets = try Row.fetchAll(db, sql: """
                SELECT s.camera_id, s.first_utc, s.last_utc FROM plate_sighting s LEFT JOIN camera c ON c.id = s.camera_id
                WHERE s.text = ? AND s.first_utc IS NOT NULL AND \(cond)
                """, arguments: StatementArguments([plate]) + args)
            var byText: [String: (display: String, cameras: Set<String>, count: Int, gaps: Double)] = [:]
            for t in targets {
                let cam: String = t["camera_id"], a: Double = t["first_utc"], b: Double = t["last_utc"]
                let others = try Row.fetchAll(db, sql: """
                    SELECT text, display, first_utc, last_utc FROM plate_sighting
                    WHERE camera_id = ? AND text != ? AND last_utc >= ? AND first_utc <= ?
                    """, arguments: [cam, plate, a - window, b + window])
                for o in others {
                    let text: String = o["text"]
                    let gap = abs((o["first_utc"] as Double) - a)
                    var e = byText[text] ?? (o["display"], [], 0, 0)
                    e.cameras.insert(cam); e.count += 1; e.gaps += gap
                    byText[text] = e
                }
            }
            return byText.filter { $0.value.cameras.count >= minCameras }
                .map { ConvoyCandidate(text: $0.key, display: $0.value.display, cameras: $0.value.cameras.sorted(),
                                       coSightings: $0.value.count, meanGapSeconds: ($0.value.gaps / Double($0.value.count) * 10).rounded() / 10) }
                .sorted { ($1.cameras.count, $1.coSightings, $0.meanGapSeconds) < ($0.cameras.count, $0.coSightings, $1.meanGapSeconds) }
        }
    }
}
