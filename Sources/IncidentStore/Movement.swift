import Foundation
import GRDB

/// A sighting on a suspect's route, in time order.
public struct RouteStop: Sendable, Codable {
    public var camera: String
    public var cameraName: String
    public var site: String
    public var latitude: Double?
    public var longitude: Double?
    public var firstUTC: Date
    public var lastUTC: Date
    public var id: Int64
    public var label: String
    public var file: String
    public var pts: Double
    /// Seconds since the previous stop left its camera.
    public var sincePrevious: Double?
    /// Straight-line kilometres from the previous camera (when both have coordinates).
    public var kmFromPrevious: Double?
    /// The day file it came from, when following across an archive index.
    public var day: String?

    public init(camera: String, cameraName: String, site: String, latitude: Double?, longitude: Double?,
                firstUTC: Date, lastUTC: Date, id: Int64, label: String, file: String, pts: Double) {
        self.camera = camera; self.cameraName = cameraName; self.site = site; self.latitude = latitude
        self.longitude = longitude; self.firstUTC = firstUTC; self.lastUTC = lastUTC; self.id = id
        self.label = label; self.file = file; self.pts = pts
    }
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
        var out = stops.sorted { $0.firstUTC < $1.firstUTC }
        for i in out.indices.dropFirst() {
            let p = out[i - 1]
            out[i].sincePrevious = out[i].firstUTC.timeIntervalSince(p.lastUTC)
            if let a = p.latitude, let b = p.longitude, let c = out[i].latitude, let d = out[i].longitude {
                out[i].kmFromPrevious = (haversineKm(a, b, c, d) * 100).rounded() / 100
            }
        }
        return out
    }

    /// An SVG picture: one row per camera, time across, each stop a dot joined in time order.
    public static func svg(_ stops: [RouteStop], title: String, zone: TimeZone) -> String {
        let cameras = stops.reduce(into: [String]()) { if !$0.contains($1.camera) { $0.append($1.camera) } }
        guard let t0 = stops.map(\.firstUTC).min(), let t1 = stops.map(\.lastUTC).max() else {
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
            let name = stops.first { $0.camera == cam }.map { "\($0.camera) \($0.cameraName == $0.camera ? "" : $0.cameraName)" } ?? cam
            s += "<line x1='\(left)' y1='\(yy)' x2='\(left + width)' y2='\(yy)' stroke='#ddd'/>\n"
            s += "<text x='10' y='\(yy + 4)'>\(esc(name))</text>\n"
        }
        var path = ""
        for (i, st) in stops.enumerated() {
            path += (i == 0 ? "M" : "L") + String(format: "%.1f,%.1f ", x(st.firstUTC), y(st.camera))
        }
        s += "<path d='\(path)' fill='none' stroke='#c0392b' stroke-width='2'/>\n"
        for st in stops {
            let x0 = x(st.firstUTC), x1 = max(x(st.lastUTC), x0 + 4)
            s += String(format: "<rect x='%.1f' y='%.1f' width='%.1f' height='12' fill='#c0392b'/>\n", x0, y(st.camera) - 6, x1 - x0)
            s += String(format: "<text x='%.1f' y='%.1f' font-size='11'>%@</text>\n", x0, y(st.camera) - 10, esc(fmt.string(from: st.firstUTC)))
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
    /// Mean |time difference| to the target at those sightings, seconds.
    public var meanGap: Double
}

extension Incident {
    /// Plates seen at the same cameras within `window` seconds of the target's sightings, ranked by
    /// the number of cameras shared, then co-sightings, then closeness in time.
    public func convoy(plate: String, window: Double = 60, minCameras: Int = 2) throws -> [ConvoyCandidate] {
        try db.read { db in
            let targets = try Row.fetchAll(db, sql: "SELECT camera_id, first_utc, last_utc FROM plate_sighting WHERE text = ? AND first_utc IS NOT NULL",
                                           arguments: [plate])
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
                                       coSightings: $0.value.count, meanGap: ($0.value.gaps / Double($0.value.count) * 10).rounded() / 10) }
                .sorted { ($1.cameras.count, $1.coSightings, $0.meanGap) < ($0.cameras.count, $0.coSightings, $1.meanGap) }
        }
    }
}
