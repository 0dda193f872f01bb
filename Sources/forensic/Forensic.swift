import ArgumentParser
import Dispatch
import Foundation
import RecognitionKit

/// Exit codes, shared by every subcommand (documented in the README).
enum ExitStatus {
    /// Some inputs could not be processed; the others were.
    static let someInputsFailed = ExitCode(2)
    /// Stopped by SIGTERM or SIGINT: what was finished is saved, the rest is pending for the next run.
    static let interrupted = ExitCode(4)
}

/// SIGTERM and SIGINT (systemd and cron timeouts, Ctrl-C) call `stop` once instead of killing the
/// process, so the run can leave its files consistent and release its lock; a second signal
/// kills as usual. Keep the returned sources alive for as long as the handling should last.
func onStopSignals(_ stop: @escaping @Sendable (Int32) -> Void) -> [DispatchSourceSignal] {
    [SIGTERM, SIGINT].map { sig in
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler {
            signal(sig, SIG_DFL)
            stop(sig)
        }
        source.resume()
        return source
    }
}

@main
struct Forensic: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "forensic",
        abstract: "Batch forensic analysis of archived CCTV footage.",
        version: version,
        subcommands: [IncidentCommand.self, Index.self, NightlyCommand.self, Search.self, Track.self, Convoy.self,
                      WatchlistCommand.self, Hits.self, Export.self, Verify.self, AuditLog.self, Keys.self,
                      Serve.self, Users.self, Probe.self, Clip.self, Plates.self, Faces.self, FaceCompare.self]
    )

    /// Commands whose time goes into BLAS (face descriptors, watchlist matrix products): worth the
    /// ~65 ms a restart with the right OpenBLAS kernels costs; quick queries skip it.
    static let blasHeavy: Set<String> = ["index", "nightly", "faces", "face-compare", "watchlist", "hits"]

    static func main() {
        if let command = CommandLine.arguments.dropFirst().first, blasHeavy.contains(command) { BLASCore.restartIfMisdetected() }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
