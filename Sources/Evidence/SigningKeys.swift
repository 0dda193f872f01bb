import Crypto
import Foundation

/// Ed25519 keys for signing bundle manifests, as PEM files OpenSSL reads (PKCS#8 private,
/// SubjectPublicKeyInfo public), so a court can check a signature with `openssl pkeyutl`.
/// swift-crypto 3 has no PEM for Ed25519: both DER forms are a fixed prefix (RFC 8410) and the
/// 32 key bytes, written here.
public enum SigningKeys {
    static let privatePrefix: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
    static let publicPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// Writes a new key pair: the private key at `path` (0600, refused when either file exists)
    /// and the public key at `path.pub`. Returns the public key's fingerprint.
    @discardableResult
    public static func create(at path: String) throws -> String {
        let pubPath = path + ".pub"
        for p in [path, pubPath] where FileManager.default.fileExists(atPath: p) {
            throw EvidenceError(p, "already exists; keys are never overwritten")
        }
        let key = Curve25519.Signing.PrivateKey()
        let pem = pemText("PRIVATE KEY", privatePrefix + Array(key.rawRepresentation))
        // O_EXCL with 0600 from the start: the private key is never readable by others, not even briefly.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw EvidenceError(path, "cannot create: \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data(pem.utf8))
        try handle.close()
        try Data(publicPEM(key.publicKey).utf8).write(to: URL(fileURLWithPath: pubPath), options: .withoutOverwriting)
        return fingerprint(key.publicKey)
    }

    public static func publicPEM(_ key: Curve25519.Signing.PublicKey) -> String {
        pemText("PUBLIC KEY", publicPrefix + Array(key.rawRepresentation))
    }

    /// SHA-256 (hex) of the public key's DER form, what
    /// `openssl pkey -pubin -in KEY.pem -outform DER | sha256sum` prints: the manifest names it.
    public static func fingerprint(_ key: Curve25519.Signing.PublicKey) -> String {
        SHA256.hash(data: publicPrefix + Array(key.rawRepresentation)).map { String(format: "%02x", $0) }.joined()
    }

    public static func loadPrivate(_ path: String) throws -> Curve25519.Signing.PrivateKey {
        let der = try derBytes(path, label: "PRIVATE KEY")
        guard der.count == 48, Array(der.prefix(16)) == privatePrefix else { throw EvidenceError(path, "not an Ed25519 private key (PKCS#8 PEM)") }
        return try Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32))
    }

    public static func loadPublic(_ path: String) throws -> Curve25519.Signing.PublicKey {
        let der = try derBytes(path, label: "PUBLIC KEY")
        guard der.count == 44, Array(der.prefix(12)) == publicPrefix else { throw EvidenceError(path, "not an Ed25519 public key (PEM)") }
        return try Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32))
    }

    static func pemText(_ label: String, _ der: [UInt8]) -> String {
        "-----BEGIN \(label)-----\n" + Data(der).base64EncodedString(options: .lineLength64Characters) + "\n-----END \(label)-----\n"
    }

    static func derBytes(_ path: String, label: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvidenceError(path, "cannot read the key file") }
        guard let text = String(data: data, encoding: .utf8),
              let begin = text.range(of: "-----BEGIN \(label)-----"), let end = text.range(of: "-----END \(label)-----"),
              begin.upperBound <= end.lowerBound,
              let der = Data(base64Encoded: text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }) else {
            throw EvidenceError(path, "not a PEM \(label.lowercased()) file")
        }
        return Array(der)
    }
}
