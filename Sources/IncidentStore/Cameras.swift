import Foundation
import SwiftCSV

/// A camera of the registry.
public struct Camera: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var site: String
    public var zone: String
    public var latitude: Double?
    public var longitude: Double?

    public init(id: String, name: String, site: String = "", zone: String = "", latitude: Double? = nil, longitude: Double? = nil) {
        self.id = id; self.name = name; self.site = site; self.zone = zone
        self.latitude = latitude; self.longitude = longitude
    }
}

public enum CameraRegistry {
    /// Reads `id,name,site,zone,latitude,longitude` (header required; latitude/longitude may be
    /// empty). Every problem names the file and the line.
    public static func load(_ path: String) throws -> [Camera] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw StoreError(file: path, reason: "cannot read camera list (missing, or not UTF-8 text)")
        }
        let csv: CSV<Enumerated>
        do {
            csv = try CSV<Enumerated>(string: text, delimiter: .comma, loadColumns: false)
        } catch {
            throw StoreError(file: path, reason: "malformed CSV: \(error)")
        }
        let header = csv.header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let required = ["id", "name", "site", "zone", "latitude", "longitude"]
        guard header == required else {
            throw StoreError(file: path, reason: "header must be '\(required.joined(separator: ","))', found '\(csv.header.joined(separator: ","))'")
        }
        var cameras: [Camera] = []
        var seen = Set<String>()
        for (i, row) in csv.rows.enumerated() {
            let line = i + 2
            if row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard row.count == required.count else {
                throw StoreError(file: path, reason: "line \(line): expected 6 fields, found \(row.count)")
            }
            let f = row.map { $0.trimmingCharacters(in: .whitespaces) }
            guard !f[0].isEmpty, f[0].allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw StoreError(file: path, reason: "line \(line): camera id '\(f[0])' must be letters, digits, '-', '_' or '.'")
            }
            guard seen.insert(f[0]).inserted else { throw StoreError(file: path, reason: "line \(line): duplicate camera id '\(f[0])'") }
            func coordinate(_ s: String, _ name: String, _ range: ClosedRange<Double>) throws -> Double? {
                if s.isEmpty { return nil }
                guard let v = Double(s), range.contains(v) else {
                    throw StoreError(file: path, reason: "line \(line): \(name) '\(s)' is not a number in \(range)")
                }
                return v
            }
            cameras.append(Camera(id: f[0], name: f[1].isEmpty ? f[0] : f[1], site: f[2], zone: f[3],
                                  latitude: try coordinate(f[4], "latitude", -90...90),
                                  longitude: try coordinate(f[5], "longitude", -180...180)))
        }
        guard !cameras.isEmpty else { throw StoreError(file: path, reason: "no cameras listed") }
        return cameras
    }
}
