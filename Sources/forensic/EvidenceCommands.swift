import ArgumentParser
import Evidence
import Foundation
import IncidentStore
import Investigation
import Workbench
import RecognitionKit

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Signing keys for evidence bundles.",
        subcommands: [Create.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an Ed25519 key pair: the private key at PATH (mode 0600), the public key at PATH.pub.",
            discussion: "Refuses to overwrite either file. Prints the public key's fingerprint (SHA-256 of its DER form); give it to whoever verifies your bundles.")
        @Option(help: "Where to write the private key (PEM).") var out: String
        @OptionGroup var output: JSONOutput

        func run() throws {
            try reportingFailure {
                let fingerprint = try SigningKeys.create(at: out)
                printResult(["private_key": out, "public_key": out + ".pub", "fingerprint": fingerprint], output) {
                    "\(out) (private, 0600), \(out).pub (public); fingerprint \(fingerprint)"
                }
            }
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export an evidence bundle for a court: originals, clips, stills, signed manifest, custody log, report.",
        discussion: """
            Written under a hidden temporary name and renamed at the end: a failure leaves nothing that looks like a bundle. \
            Refuses when an original is missing or its SHA-256 differs from the one recorded when it was indexed. \
            The export is appended to the incident's audit log. Check a bundle with `forensic verify`.
            """)

    @Argument(help: "The incident file.") var incident: String
    @Option(name: .customLong("sighting"), parsing: .upToNextOption, help: "Plate sighting ids.") var sightings: [Int64] = []
    @Option(name: .customLong("face-track"), parsing: .upToNextOption, help: "Face track ids.") var faceTracks: [Int64] = []
    @Option(name: .customLong("hit"), parsing: .upToNextOption, help: "Watchlist hit ids (see `hits`).") var hits: [Int64] = []
    @Option(help: "Every sighting of this plate (its vote, a read or a candidate, exactly).") var plate: String?
    @Option(help: "Every face track like the face in this photo (needs the face models).") var face: String?
    @Option(help: "Face distance for --face.") var threshold: Float = FaceEngine.samePersonThreshold
    @Option(help: "Model directory (for --face).") var models: String?
    @Option(help: "Output: a folder, or FILE.zip.") var out: String
    @Option(help: "Ed25519 private key (PEM, from `forensic keys create`).") var key: String
    @Option(help: "Footage kept before and after each item, e.g. 10s.") var padding: String = "10s"
    @Flag(help: "Reference the originals by path, size and SHA-256 instead of copying them.") var noOriginals = false
    @Flag(help: "Add re-encoded copies of the clips with other faces and plates covered.") var redact = false
    @OptionGroup var output: JSONOutput

    func validate() throws {
        guard !sightings.isEmpty || !faceTracks.isEmpty || !hits.isEmpty || plate != nil || face != nil else {
            throw ValidationError("say what to export: --sighting, --face-track, --hit, --plate or --face")
        }
        guard paddingSeconds != nil else { throw ValidationError("--padding must be seconds, e.g. 10s or 10") }
    }

    var paddingSeconds: Double? {
        let text = padding.hasSuffix("s") ? String(padding.dropLast()) : padding
        return Double(text).flatMap { (0...3600).contains($0) ? $0 : nil }
    }

    func run() throws {
        try reportingFailure {
            let signingKey = try SigningKeys.loadPrivate(key)
            var request = ExportRequest()
            request.sightings = sightings
            request.faceTracks = faceTracks
            request.hits = hits
            request.plate = plate
            request.facePhoto = face
            request.padding = paddingSeconds!
            request.includeOriginals = !noOriginals
            request.redact = redact
            let probe = try face.map { (embedding: try probeFace($0, models: models).embedding, threshold: threshold) }
            let summary = try Scope(path: incident, mode: .readWrite).export(request, face: probe, to: out, key: signingKey)
            printResult(summary, output) {
                "\(summary.bundle): \(summary.items) items, \(summary.files) files, \(summary.bytes) bytes; manifest SHA-256 \(summary.manifestSHA256), signed by \(summary.publicKeySHA256)"
            }
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify an evidence bundle (folder or zip) without the incident or the models.",
        discussion: "Re-hashes every file, checks the signature (and with --key that the signer is the expected key), the custody chain, each clip's packets against its original, and flags files not in the manifest. Exit status 0 only when every check passes, 1 when any fails.")

    @Argument(help: "The bundle: its folder or its zip.") var bundle: String
    @Option(help: "The public key the bundle must be signed with (PEM).") var key: String?
    @OptionGroup var output: JSONOutput

    func run() throws {
        let checks = try reportingFailure { try BundleVerifier.verify(bundle, expectedKey: try key.map(SigningKeys.loadPublic)) }
        let printer = ResultPrinter<VerifyCheck>(output) { "\($0.ok ? "OK  " : "FAIL") \($0.item): \($0.detail)" }
        checks.forEach { printer.add($0) }
        printer.finish()
        let failed = checks.filter { !$0.ok }.count
        if !output.isJSON { print(failed == 0 ? "bundle verified: \(checks.count) checks passed" : "BUNDLE FAILED: \(failed) of \(checks.count) checks failed") }
        if failed > 0 { throw ExitCode.failure }
    }
}

struct AuditLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print an incident's audit log (its chain of custody); --verify checks the hash chain.",
        discussion: "With --verify the exit status is 1 when any entry was edited, removed or reordered.")

    @Argument(help: "The incident file.") var incident: String?
    @Option(help: "The workbench's own audit log instead (forensic serve --audit-log).") var server: String?
    @Flag(help: "Check the hash chain and report where it breaks.") var verify = false
    @OptionGroup var output: JSONOutput

    func validate() throws {
        guard (incident == nil) != (server == nil) else { throw ValidationError("give an incident file, or --server LOG") }
    }

    func run() throws {
        let report = try reportingFailure {
            if let server { return try AuditReport(workbenchLog: server) }
            return try Scope(path: incident!).audit()
        }
        let name = server ?? incident!
        let printer = ResultPrinter<AuditEntry>(output) { e in
            "\(e.id)\t\(e.time)\t\(e.actor)\t\(e.action)\t\(e.detail)" + (verify && e.ok == false ? "\tBROKEN" : "")
        }
        // The chain check's verdict per entry is printed only when asked for.
        report.entries.forEach { e in var e = e; if !verify { e.ok = nil }; printer.add(e) }
        printer.finish()
        let (entries, problems) = (report.entries, report.problems)
        if verify {
            for p in problems { reportError("\(name): audit \(p)") }
            if !output.isJSON { FileHandle.standardError.write(Data((problems.isEmpty ? "audit chain intact: \(entries.count) entries\n" : "audit chain BROKEN\n").utf8)) }
            if !problems.isEmpty { throw ExitCode.failure }
        }
    }
}
