import Crypto
import Evidence
import Foundation
import IncidentStore

extension Scope {
    /// Writes a signed evidence bundle of what `request` names, the sightings of its plate and the
    /// face tracks like its photo found by this layer's own searches (as `search` finds them).
    /// Export appends its custody entry to the incident: the scope must be an incident opened to write.
    /// - Parameter face: the probe photo's descriptor, and the distance within which a track is that person.
    public func export(_ request: ExportRequest, face: (embedding: [Float], threshold: Float)? = nil, to output: String,
                       key: Curve25519.Signing.PrivateKey) throws -> ExportSummary {
        guard !isArchiveIndex, mode == .readWrite, let (_, incident) = try files().first else {
            throw FilterError(description: "export takes an incident file opened to write (its custody entry); an archive index's day file is one")
        }
        var request = request
        if let plate = request.plate {
            let found = try plates(PlateQuery(pattern: try PlatePattern(plate), nearMisses: false, limit: Incident.plateSearchCap))
            guard !found.hits.isEmpty else { throw EvidenceError(path, "no sighting of plate \(plate)") }
            request.plateSightings = found.hits.map(\.sightingID)
        }
        if let face {
            let found = try faces(like: face.embedding, threshold: face.threshold, top: 10_000)
            guard !found.isEmpty else {
                throw EvidenceError(request.facePhoto ?? "photo", "no face track in \(path) within \(face.threshold) of this face")
            }
            for h in found { request.faceDistances[h.faceTrackID] = h.distance }
        }
        return try BundleExporter.export(incident, request, to: output, key: key)
    }
}
