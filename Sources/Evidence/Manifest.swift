import Crypto
import Foundation

/// `manifest.json`: every file of a bundle with its hash, and for derived files how they were
/// made. `manifest.sig` is an Ed25519 signature over these exact bytes; `public-key.pem` the key.
public struct Manifest: Codable, Sendable, Equatable {
    public var format = "forensic-evidence-bundle"
    public var version = 1
    public var created: String
    public var tool: Tool
    public var incident: IncidentIdentity
    public var request: Request
    public var signer: Signer
    public var custody: CustodyHead
    public var items: [Item]
    public var files: [File]

    public struct Tool: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        /// Model fingerprints and settings of the runs that indexed the exported files.
        public var runs: [Run]
    }

    public struct Run: Codable, Sendable, Equatable {
        public var id: Int64
        public var toolVersion: String
        public var models: String
        public var parameters: String
        public var finished: String?
        enum CodingKeys: String, CodingKey { case id, models, parameters, finished; case toolVersion = "tool_version" }
    }

    public struct IncidentIdentity: Codable, Sendable, Equatable {
        public var name: String
        public var file: String
        public var created: String
        public var createdBy: String
        public var from: String
        public var to: String
        public var timeZone: String
        enum CodingKeys: String, CodingKey { case name, file, created, from, to; case createdBy = "created_by", timeZone = "time_zone" }
    }

    public struct Request: Codable, Sendable, Equatable {
        public var commandLine: [String]
        public var asked: [String]
        public var paddingSeconds: Double
        public var originalsIncluded: Bool
        public var redacted: Bool
        enum CodingKeys: String, CodingKey {
            case asked, redacted
            case commandLine = "command_line", paddingSeconds = "padding_seconds", originalsIncluded = "originals_included"
        }
    }

    public struct Signer: Codable, Sendable, Equatable {
        public var operatorName: String
        public var host: String
        public var publicKeySHA256: String
        enum CodingKeys: String, CodingKey { case host; case operatorName = "operator", publicKeySHA256 = "public_key_sha256" }
    }

    /// The custody log's length and last hash: a truncated log cannot pass for a whole one.
    public struct CustodyHead: Codable, Sendable, Equatable {
        public var entries: Int
        public var lastHash: String
        enum CodingKeys: String, CodingKey { case entries; case lastHash = "last_hash" }
    }

    /// One thing asked for: a plate sighting or a face track, with where and when.
    public struct Item: Codable, Sendable, Equatable {
        public var id: String
        public var kind: String          // plate | face
        public var label: String
        public var camera: String
        public var cameraName: String
        public var site: String
        public var zone: String
        public var firstUTC: String?
        public var lastUTC: String?
        public var firstSeconds: Double
        public var lastSeconds: Double
        public var bestSeconds: Double
        public var original: String      // SHA-256 of the source file
        public var watchlist: [String]
        public var files: [String]
        /// A face found by a photo: the photo as bundled (`probe/…`) and the descriptor distance to it.
        public var matchedPhoto: String?
        public var distance: Double?
        enum CodingKeys: String, CodingKey {
            case id, kind, label, camera, site, zone, original, watchlist, files, distance
            case matchedPhoto = "matched_photo"
            case cameraName = "camera_name", firstUTC = "first_utc", lastUTC = "last_utc"
            case firstSeconds = "first_seconds", lastSeconds = "last_seconds", bestSeconds = "best_seconds"
        }
    }

    public struct File: Codable, Sendable, Equatable {
        public var path: String
        public var role: String          // original | derived | report | custody
        public var size: Int64
        public var sha256: String
        /// False for an original left out with `--no-originals`: referenced by path, size and hash.
        public var included: Bool
        public var sourcePath: String?
        public var derivation: Derivation?
        enum CodingKeys: String, CodingKey { case path, role, size, sha256, included, derivation; case sourcePath = "source_path" }
    }

    public struct Derivation: Codable, Sendable, Equatable {
        public var method: String        // stream-copy | frame | crop | annotated-frame | redacted
        public var source: String        // bundle path of the original
        public var sourceSHA256: String
        public var fromSeconds: Double
        public var toSeconds: Double
        public var parameters: [String: String]
        enum CodingKeys: String, CodingKey {
            case method, source, parameters
            case sourceSHA256 = "source_sha256", fromSeconds = "from_seconds", toSeconds = "to_seconds"
        }
    }

    public func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self)
    }
}

func sha256Hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

func isoUTC(_ seconds: Double?) -> String? {
    guard let seconds else { return nil }
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date(timeIntervalSince1970: seconds))
}
