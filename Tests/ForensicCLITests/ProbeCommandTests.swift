import Foundation
import Testing

/// The CLI reports failures on stderr, prints the good files, and exits 2.
@Suite struct ProbeCommandTests {
    @Test func badFileDoesNotStopTheBatch() throws {
        let dir = try CLI.tempDir()
        let bad = dir.appendingPathComponent("bad.mp4").path
        try Data("junk".utf8).write(to: URL(fileURLWithPath: bad))
        let r = try CLI.run(["probe", "--json", bad, CLI.sample("archive/CAM01/2026-11-20/140000.mp4")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.mp4") && r.stderr.split(separator: "\n").count == 1)
        // One document, whole although a file failed: the good file's object.
        let probed = try CLI.json(r.stdout)
        #expect(probed.count == 1)
        #expect(probed.first?["codec"] as? String == "h264")
        #expect(probed.first?["width"] as? Int == 1280)
    }

    @Test func helpAndVersion() throws {
        let help = try CLI.run(["--help"])
        #expect(help.stdout.contains("probe") && help.stdout.contains("clip"))
        let version = try CLI.run(["--version"])
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).first?.isNumber == true)
    }
}
