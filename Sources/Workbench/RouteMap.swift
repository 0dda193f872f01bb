import Foundation
import IncidentStore

/// A route drawn on the cameras' own coordinates (no map tiles: the archive is offline): each
/// camera a labelled dot, the stops joined in time order, each stop linking to its sighting.
enum RouteMap {
    static func svg(_ stops: [RouteStop], caseIndex: Int) -> String {
        let placed = stops.filter { $0.at.latitude != nil && $0.at.longitude != nil }
        guard !placed.isEmpty else {
            return "<svg xmlns='http://www.w3.org/2000/svg' width='400' height='60'><text x='10' y='35'>No stop has coordinates.</text></svg>"
        }
        let lats = placed.map { $0.at.latitude! }, lons = placed.map { $0.at.longitude! }
        // Equirectangular around the middle latitude: true to shape over a city.
        let midLat = (lats.min()! + lats.max()!) / 2 * .pi / 180
        let spanX = max((lons.max()! - lons.min()!) * cos(midLat), 0.002), spanY = max(lats.max()! - lats.min()!, 0.002)
        let width = 900.0, height = max(240, min(700, width * spanY / spanX)), margin = 60.0
        func x(_ lon: Double) -> Double { margin + (lon - lons.min()!) * cos(midLat) / spanX * (width - 2 * margin) }
        func y(_ lat: Double) -> Double { height - margin - (lat - lats.min()!) / spanY * (height - 2 * margin) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "'", with: "&apos;")
        }
        var out = "<svg xmlns='http://www.w3.org/2000/svg' id='route-map' width='\(Int(width))' height='\(Int(height))' font-family='sans-serif' font-size='12'>"
        out += "<rect width='100%' height='100%' fill='#f4f7fb'/>"
        let path = placed.map { String(format: "%.1f,%.1f", x($0.at.longitude!), y($0.at.latitude!)) }.joined(separator: " ")
        out += "<polyline points='\(path)' fill='none' stroke='#c0392b' stroke-width='3' stroke-dasharray='6 3'/>"
        var labelled = Set<String>()
        for (n, st) in placed.enumerated() {
            let cx = x(st.at.longitude!), cy = y(st.at.latitude!)
            let link = "/subject?" + Pages.subjectQuery(caseIndex, "plate", st.id, st.at.day).replacingOccurrences(of: "&", with: "&amp;")
            out += "<a href='\(link)'><circle class='stop' cx='\(String(format: "%.1f", cx))' cy='\(String(format: "%.1f", cy))' r='9' fill='#c0392b'>"
            out += "<title>\(esc("\(st.at.camera) \(st.at.timeLocal ?? "")"))</title></circle>"
            out += "<text x='\(String(format: "%.1f", cx - 4))' y='\(String(format: "%.1f", cy + 4))' fill='#fff' font-size='11'>\(n + 1)</text></a>"
            if labelled.insert(st.at.camera).inserted {
                // Labels on the right half read leftwards, so none runs off the picture.
                let right = cx > width * 0.55
                out += "<text x='\(String(format: "%.1f", right ? cx - 12 : cx + 12))' y='\(String(format: "%.1f", cy - 10))'"
                    + "\(right ? " text-anchor='end'" : "")>\(esc("\(st.at.camera) \(st.at.cameraName)"))</text>"
            }
        }
        return out + "</svg>"
    }
}
