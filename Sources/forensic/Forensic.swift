import ArgumentParser

/// Exit codes, shared by every subcommand (documented in the README).
enum ExitStatus {
    /// Some inputs could not be processed; the others were.
    static let someInputsFailed = ExitCode(2)
}

@main
struct Forensic: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "forensic",
        abstract: "Batch forensic analysis of archived CCTV footage.",
        version: version,
        subcommands: [IncidentCommand.self, Index.self, Search.self, Track.self, Convoy.self,
                      Probe.self, Clip.self, Plates.self, Faces.self, FaceCompare.self]
    )
}
