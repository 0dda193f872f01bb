import Foundation
import Testing

/// From the investigator's and the court's side: index the samples, create a signing key, export
/// the suspect vehicle (zip) and the man on CAM04 (folder), verify both, catch tampering, read the
/// incident's audit log.
@Suite(.serialized) struct EvidenceCommandTests {
    @Test func anInvestigatorExportsEvidenceAndACourtVerifiesIt() throws {
        let dir = try CLI.tempDir()
        let archive = try CLI.archiveWithFaces(in: dir)
        let inc = dir.appendingPathComponent("case").path + ".forensic"
        #expect(try CLI.run(["incident", "create", inc, "--from", "2026-11-20T13:59:00+05:00", "--to", "2026-11-20T14:05:00+05:00",
                             "--archive", archive.path, "--cameras-file", CLI.sample("cameras.csv")]).status == 0)
        let indexed = try CLI.run(["index", inc])
        #expect(indexed.status == 0, "\(indexed.stderr)")

        let key = dir.appendingPathComponent("keys/court").path
        try FileManager.default.createDirectory(atPath: dir.appendingPathComponent("keys").path, withIntermediateDirectories: true)
        let created = try CLI.run(["keys", "create", "--out", key, "--json"])
        let fingerprint = try CLI.json(created.stdout).first?["fingerprint"] as? String
        #expect(created.status == 0 && fingerprint?.count == 64, "\(created.stderr)")
        let again = try CLI.run(["keys", "create", "--out", key])
        #expect(again.status == 1 && again.stderr.contains("already exists"))

        let zip = dir.appendingPathComponent("BKN-123.zip").path
        let exported = try CLI.run(["export", inc, "--plate", "BKN-123", "--out", zip, "--key", key, "--json"])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(try CLI.json(exported.stdout).first?["items"] as? Int == 3)
        let verified = try CLI.run(["verify", zip, "--key", key + ".pub", "--json"])
        let checks = try CLI.json(verified.stdout)
        #expect(verified.status == 0 && checks.count > 20 && checks.allSatisfy { $0["ok"] as? Bool == true }, "\(verified.stdout)")

        let faceBundle = dir.appendingPathComponent("man-on-CAM04").path
        let face = try CLI.run(["export", inc, "--face", "/usr/share/doc/libdlib19.1/examples/johns/John_Salley/000183_02159543.jpg",
                                "--out", faceBundle, "--key", key, "--padding", "2s"])
        #expect(face.status == 0, "\(face.stderr)")
        #expect(try CLI.run(["verify", faceBundle]).status == 0)
        let stills = try FileManager.default.contentsOfDirectory(atPath: faceBundle + "/stills")
        #expect(stills.contains { $0.hasPrefix("face-track-") && $0.hasSuffix("-crop.png") }, "\(stills)")

        // One changed byte in a still: FAIL naming it, exit 1.
        let still = faceBundle + "/stills/" + stills.sorted()[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: still))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: still))
        let tampered = try CLI.run(["verify", faceBundle])
        #expect(tampered.status == 1 && tampered.stdout.contains("FAIL stills/\(stills.sorted()[0])"), "\(tampered.stdout)")

        // A sighting that does not exist: one line, nothing written.
        let missing = try CLI.run(["export", inc, "--sighting", "999", "--out", dir.appendingPathComponent("none").path, "--key", key])
        #expect(missing.status == 1 && missing.stderr.split(separator: "\n").count == 1 && missing.stderr.contains("sighting 999 does not exist"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("none").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.contains("partial") })

        // The incident's audit log: both exports recorded, the chain intact.
        let audit = try CLI.run(["audit", inc, "--verify", "--json"])
        let entries = try CLI.json(audit.stdout)
        #expect(audit.status == 0 && entries.filter { $0["action"] as? String == "export" }.count == 2 && entries.allSatisfy { $0["ok"] as? Bool == true })
    }
}
