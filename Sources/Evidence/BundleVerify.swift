import Crypto
import Foundation
import IncidentStore
import VideoDecode
import ZIPFoundation

/// One verdict of `verify`: what was checked, whether it passed, and why not.
public struct VerifyCheck: Codable, Sendable, Equatable {
    public var item: String
    public var ok: Bool
    public var detail: String
    public init(_ item: String, _ ok: Bool, _ detail: String) { self.item = item; self.ok = ok; self.detail = detail }
}

/// Checks a bundle (folder or zip) with nothing but the bundle: no incident file, no models.
public enum BundleVerifier {
    static let unsigned: Set<String> = ["manifest.json", "manifest.sig", "public-key.pem"]

    /// Every check, in order: signature and key, manifest completeness, each file's hash, files
    /// not in the manifest, the custody chain, each clip's packets against its original.
    public static func verify(_ bundle: String, expectedKey: Curve25519.Signing.PublicKey? = nil) throws -> [VerifyCheck] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: bundle, isDirectory: &isDirectory) else { throw EvidenceError(bundle, "no such bundle") }
        if isDirectory.boolValue { return try verifyFolder(URL(fileURLWithPath: bundle)) { expectedKey } }
        // A zip: entries are checked for escaping paths before anything is written, then unpacked privately.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("forensic-verify-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: bundle), accessMode: .read) } catch {
            throw EvidenceError(bundle, "not a folder or a zip file")
        }
        var checks: [VerifyCheck] = []
        for entry in archive {
            let parts = entry.path.split(separator: "/")
            if entry.path.hasPrefix("/") || parts.contains("..") || entry.type == .symlink {
                checks.append(VerifyCheck(entry.path, false, "zip entry is an absolute path, leaves the bundle, or is a link"))
            }
        }
        guard checks.isEmpty else { return checks }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Entry by entry, without the zip's own CRC check: an altered file is then named by the
        // manifest's hash check; one that cannot be unpacked at all is named here.
        for entry in archive {
            do { _ = try archive.extract(entry, to: scratch.appendingPathComponent(entry.path), skipCRC32: true) } catch {
                checks.append(VerifyCheck(entry.path, false, "cannot be unpacked from the zip (damaged or altered): \(error)"))
            }
        }
        // The bundle's own folder inside the zip (or the zip's root).
        let top = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
        let root = top.count == 1 && !FileManager.default.fileExists(atPath: scratch.appendingPathComponent("manifest.json").path)
            ? scratch.appendingPathComponent(top[0]) : scratch
        return checks + (try verifyFolder(root) { expectedKey })
    }

    static func verifyFolder(_ root: URL, expectedKey: () -> Curve25519.Signing.PublicKey?) throws -> [VerifyCheck] {
        var checks: [VerifyCheck] = []
        func check(_ item: String, _ ok: Bool, _ detail: String) { checks.append(VerifyCheck(item, ok, detail)) }
        let fm = FileManager.default
        func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

        // Signature over the manifest's exact bytes, by the bundled key; the key against the expected one.
        guard let manifestData = fm.contents(atPath: path("manifest.json")) else {
            check("manifest.json", false, "missing: this is not an evidence bundle, or its manifest was deleted")
            return checks
        }
        let key = try? SigningKeys.loadPublic(path("public-key.pem"))
        if let expected = expectedKey() {
            check("public-key.pem", key?.rawRepresentation == expected.rawRepresentation,
                  key == nil ? "missing or unreadable" : key!.rawRepresentation == expected.rawRepresentation
                    ? "is the expected key (\(SigningKeys.fingerprint(expected)))"
                    : "is not the expected key: bundle key \(SigningKeys.fingerprint(key!)), expected \(SigningKeys.fingerprint(expected))")
        } else {
            check("public-key.pem", key != nil, key.map { "readable Ed25519 key \(SigningKeys.fingerprint($0)) (pass --key to check it is the one you expect)" } ?? "missing or unreadable")
        }
        let signature = fm.contents(atPath: path("manifest.sig"))
        let signed = key.map { k in signature.map { k.isValidSignature($0, for: manifestData) } ?? false } ?? false
        check("manifest.sig", signed, signature == nil ? "missing" : signed ? "valid signature of manifest.json" : "does not match manifest.json and public-key.pem (manifest changed or signed by another key)")

        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: manifestData) } catch {
            check("manifest.json", false, "not a readable manifest: \(error)")
            return checks
        }
        if let key { check("manifest.json", manifest.signer.publicKeySHA256 == SigningKeys.fingerprint(key),
                           manifest.signer.publicKeySHA256 == SigningKeys.fingerprint(key) ? "names the bundled key as its signer" : "names signer key \(manifest.signer.publicKeySHA256), not the bundled one") }

        // Each file against the manifest; anything else present is flagged.
        var listed = Set<String>()
        for f in manifest.files {
            listed.insert(f.path)
            guard !f.path.hasPrefix("/"), !f.path.split(separator: "/").contains("..") else {
                check(f.path, false, "manifest path leaves the bundle"); continue
            }
            guard f.included else { check(f.path, true, "not included: referenced original \(f.sourcePath ?? "") (\(f.size) bytes, SHA-256 \(f.sha256))"); continue }
            guard fm.fileExists(atPath: path(f.path)) else { check(f.path, false, "missing (deleted or renamed)"); continue }
            let hash = try sha256(of: path(f.path))
            check(f.path, hash == f.sha256, hash == f.sha256 ? "SHA-256 matches" : "SHA-256 \(hash) differs from the manifest's \(f.sha256) (changed)")
        }
        let enumerator = fm.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey])
        while let url = enumerator?.nextObject() as? URL {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
            guard values.isRegularFile == true || values.isSymbolicLink == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            if !listed.contains(relative) && !unsigned.contains(relative) { check(relative, false, "present but not in the manifest (added)") }
        }

        // Custody: the chain holds, and it is as long as the manifest says.
        if let text = fm.contents(atPath: path("custody.jsonl")).map({ String(decoding: $0, as: UTF8.self) }) {
            var entries: [AuditEntry] = []
            var unreadable = 0
            for line in text.split(separator: "\n") where !line.isEmpty {
                if let e = try? JSONDecoder().decode(AuditEntry.self, from: Data(line.utf8)) { entries.append(e) } else { unreadable += 1 }
            }
            let problems = Audit.problems(in: entries)
            for p in problems { check("custody.jsonl", false, p.reason) }
            if unreadable > 0 { check("custody.jsonl", false, "\(unreadable) lines are not custody entries") }
            let complete = entries.count == manifest.custody.entries && entries.last?.hash == manifest.custody.lastHash
            if !complete { check("custody.jsonl", false, "has \(entries.count) entries ending \(entries.last?.hash.prefix(12) ?? "nowhere"); the manifest says \(manifest.custody.entries) ending \(manifest.custody.lastHash.prefix(12))") }
            if problems.isEmpty && unreadable == 0 && complete { check("custody.jsonl", true, "chain of \(entries.count) entries intact, ending with the manifest's hash") }
        }

        // Clips: their packets are the original's packets over that span.
        for f in manifest.files where f.derivation?.method == "stream-copy" {
            guard let d = f.derivation, let original = manifest.files.first(where: { $0.path == d.source }) else {
                check(f.path, false, "names a source that is not in the manifest"); continue
            }
            guard original.included else { check(f.path, true, "packets not compared: the original is not in this bundle"); continue }
            guard fm.fileExists(atPath: path(f.path)), fm.fileExists(atPath: path(original.path)) else { continue }   // already reported missing
            do {
                let (same, count) = try packetsMatch(clip: path(f.path), original: path(original.path))
                check(f.path, same, same ? "\(count) video packets identical to \(original.path)'s" : "video packets differ from \(original.path)'s (re-encoded or altered)")
            } catch {
                check(f.path, false, "packets could not be read: \(error)")
            }
        }
        return checks
    }

    /// Whether the clip's video packets appear, in order and unchanged, as a run of the original's.
    static func packetsMatch(clip: String, original: String) throws -> (Bool, Int) {
        var clipHashes: [SHA256.Digest] = []
        try PacketReader.forEachPacket(clip) { if $0.isVideo { clipHashes.append(SHA256.hash(data: $0.payload)) } }
        guard !clipHashes.isEmpty else { return (false, 0) }
        // Knuth–Morris–Pratt over packet hashes: a still scene repeats identical packets, which
        // defeats a naive restart.
        var fallback = [0], k = 0
        for i in 1..<max(1, clipHashes.count) where clipHashes.count > 1 {
            while k > 0 && clipHashes[i] != clipHashes[k] { k = fallback[k - 1] }
            if clipHashes[i] == clipHashes[k] { k += 1 }
            fallback.append(k)
        }
        var matched = 0, found = false
        try PacketReader.forEachPacket(original) { p in
            guard p.isVideo, !found else { return }
            let h = SHA256.hash(data: p.payload)
            while matched > 0 && h != clipHashes[matched] { matched = fallback[matched - 1] }
            if h == clipHashes[matched] { matched += 1 }
            if matched == clipHashes.count { found = true }
        }
        return (found, clipHashes.count)
    }
}
