import ArgumentParser
import Foundation
import Synchronization
import Workbench

/// `${XDG_DATA_HOME:-~/.local/share}/forensic/NAME`.
func dataPath(_ name: String) -> String {
    let env = ProcessInfo.processInfo.environment
    let data = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
    return ((data as NSString).appendingPathComponent("forensic") as NSString).appendingPathComponent(name)
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The investigators' workbench: search, view, play, route, hits and export in a browser.",
        discussion: """
            Serves the incident files and archive index folders given, read-only (an export appends its custody \
            entry), to the people in --users; every look is recorded in --audit-log. Loopback unless --tls-cert and \
            --tls-key are given (or --insecure on a closed network). SIGTERM or SIGINT drains the requests in \
            flight and stops (exit 0). Exit 1 when it cannot start.
            """)

    @Argument(help: "Incident files and archive index folders.") var sources: [String]
    @Option(help: "Address and port to listen on.") var listen = "127.0.0.1:8080"
    @Option(help: "The users file (forensic users add).") var users = dataPath("users.json")
    @Option(name: .customLong("audit-log"), help: "The server's audit log (hash-chained JSON lines).") var auditLog = dataPath("workbench-audit.jsonl")
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain.") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key of the certificate.") var tlsKey: String?
    @Flag(help: "Serve plain HTTP on a non-loopback address (a closed lab network only).") var insecure = false
    @Option(help: "Ed25519 private key exports are signed with (forensic keys create); without it, export is off.") var key: String?
    @Option(help: "Folder for clips and bundles made for the pages.") var work = dataPath("workbench")
    @Option(name: .customLong("investigator-days"), help: "How far back an investigator may search.") var investigatorDays = 90
    @Flag(name: .customLong("log-json"), help: "One JSON line per request on stderr.") var logJSON = false
    @Option(help: "Model directory (for face search by photo).") var models: String?

    func run() throws {
        let app = try reportingFailure {
            let parts = listen.split(separator: ":")
            guard parts.count >= 2, let port = Int(parts.last!), (1...65535).contains(port) else {
                throw ValidationError("--listen takes HOST:PORT, e.g. 127.0.0.1:8080")
            }
            var settings = WorkbenchSettings(sources: sources, usersFile: users, auditLog: auditLog, workFolder: work)
            settings.host = parts.dropLast().joined(separator: ":")
            settings.port = port
            settings.tlsCertificate = tlsCert
            settings.tlsKey = tlsKey
            settings.insecure = insecure
            settings.signingKey = key
            settings.investigatorDays = investigatorDays
            settings.logJSON = logJSON
            settings.models = models
            let workbench = try Workbench(settings)
            reportError("serving \(sources.count) case(s) on \(tlsCert == nil ? "http" : "https")://\(listen)/ (users: \(users); audit log: \(auditLog))")
            return try workbench.application()
        }
        // Runs until SIGTERM or SIGINT, which drain the requests in flight.
        let failure = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await app.runService() } catch { failure.withLock { $0 = "\(error)" } }
            done.signal()
        }
        done.wait()
        if let why = failure.withLock({ $0 }) {
            reportError("serve: \(why)")
            throw ExitCode.failure
        }
    }
}

struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "People who may log in to the workbench, and their roles.",
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a person (the password is read from $FORENSIC_PASSWORD, else from stdin; kept only as a bcrypt hash).")
        @Argument var name: String
        @Option(help: "investigator (searches 90 days back), supervisor (no limit; exports) or auditor (reads the audit logs).") var role: Role
        @Option(help: "The users file.") var users = dataPath("users.json")
        @Flag(help: "Set a new role and password for a person who exists.") var replace = false

        func run() throws {
            try reportingFailure {
                let password = ProcessInfo.processInfo.environment["FORENSIC_PASSWORD"] ?? readLine(strippingNewline: true) ?? ""
                try FileManager.default.createDirectory(atPath: (users as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                try UsersFile(path: users).add(name: name, role: role, password: password, replace: replace)
                print("\(name): \(role.rawValue) (\(users))")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a person.")
        @Argument var name: String
        @Option(help: "The users file.") var users = dataPath("users.json")
        func run() throws { try reportingFailure { try UsersFile(path: users).remove(name: name) } }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The people and their roles.")
        @Option(help: "The users file.") var users = dataPath("users.json")
        func run() throws {
            for u in try reportingFailure({ try UsersFile(path: users).load() }) { print("\(u.name)\t\(u.role.rawValue)\tsince \(u.created)") }
        }
    }
}

extension Role: ExpressibleByArgument {}
