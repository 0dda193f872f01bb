import Foundation

/// A filter that names something the scope does not have, or a window that cannot hold anything:
/// refused rather than answered with "no matches", which an investigator would take as "never there".
public struct FilterError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(description: String) { self.description = description }
}

extension SearchFilter {
    /// This filter with camera, site and zone names matched case-insensitively to the scope's own
    /// spelling (`cam01` is `CAM01`).
    /// - Throws: `FilterError` naming an unknown camera, site or zone with the names that exist,
    ///   or a `from` after `to`.
    public func resolved(against cameras: [Camera]) throws -> SearchFilter {
        if let from, let to, from > to {
            throw FilterError(description: "--from is after --to: nothing can match (swap them?)")
        }
        func resolve(_ wanted: [String]?, _ kind: String, _ known: [String]) throws -> [String]? {
            guard let wanted else { return nil }
            let names = known.filter { !$0.isEmpty }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            return try wanted.map { name in
                guard let match = names.first(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) else {
                    throw FilterError(description: "unknown \(kind) '\(name)' (known: \(names.sorted().joined(separator: ", ")))")
                }
                return match
            }
        }
        var out = self
        out.cameras = try resolve(self.cameras, "camera", cameras.map(\.id))
        out.sites = try resolve(sites, "site", cameras.map(\.site))
        out.zones = try resolve(zones, "zone", cameras.map(\.zone))
        return out
    }
}

/// Reads a time an investigator typed: ISO 8601 with an offset (`2026-11-20T14:01:00+05:00`, `…Z`),
/// or without one (`2026-11-20T14:01`, `2026-11-20 14:01:30`, `2026-11-20`), which is read in `zone`
/// (the incident's or archive index's). `hadOffset` says which it was, so the caller can say so.
public func parseSearchTime(_ text: String, zone: TimeZone) -> (date: Date, hadOffset: Bool)? {
    if let d = parseISOTime(text) { return (d, true) }
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = zone
    for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
        f.dateFormat = format
        if let d = f.date(from: text) { return (d, false) }
    }
    return nil
}
