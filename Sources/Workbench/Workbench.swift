import Foundation
import Hummingbird
import HummingbirdAuth
import HummingbirdCore
import HummingbirdTLS
import IncidentStore
import Investigation
import Logging
import NIOCore
import NIOSSL

/// How `forensic serve` runs.
public struct WorkbenchSettings: Sendable {
    /// Incident files and archive index folders, served read-only (an export appends its custody entry).
    public var sources: [String]
    public var host = "127.0.0.1"
    public var port = 8080
    /// The users file (`forensic users add`).
    public var usersFile: String
    /// The server's own hash-chained audit log.
    public var auditLog: String
    /// PEM certificate chain and private key; without them only loopback is served, unless `insecure`.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// Serve plain HTTP on a non-loopback address (a lab network; never across a city).
    public var insecure = false
    /// The Ed25519 key exports are signed with (`forensic keys create`); without it, export is off.
    public var signingKey: String?
    /// Where bundles and clips made for the pages are kept (created 0700).
    public var workFolder: String
    /// How far back an investigator may search.
    public var investigatorDays = 90
    /// One JSON line per request on stderr (otherwise only warnings and errors).
    public var logJSON = false
    /// Models for face search by photo.
    public var models: String?
    /// The largest photo an upload may carry.
    public var maxUpload = 16 * 1024 * 1024

    public init(sources: [String], usersFile: String, auditLog: String, workFolder: String) {
        self.sources = sources; self.usersFile = usersFile; self.auditLog = auditLog; self.workFolder = workFolder
    }

    var isLoopback: Bool { host == "127.0.0.1" || host == "::1" || host == "localhost" }
    var usesTLS: Bool { tlsCertificate != nil }
}

/// Why the workbench will not start.
public struct WorkbenchRefusal: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// A request's context: the person's session (after log-in) and where the request came from.
public struct WorkbenchContext: RequestContext, SessionRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let sessions: SessionContext<WorkbenchSession>
    public let remoteAddress: SocketAddress?
    let maxUpload: Int

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        sessions = .init()
        remoteAddress = source.channel.remoteAddress
        maxUpload = 16 * 1024 * 1024
    }

    public var maxUploadSize: Int { maxUpload }
    /// Where the request came from, for the audit log.
    var from: String { remoteAddress?.ipAddress ?? "local" }
}

/// What a logged-in session holds: who, their role, and the token every form must carry.
public struct WorkbenchSession: Codable, Sendable {
    public var user: String
    public var role: Role
    public var csrf: String
}

/// The investigators' workbench: pages and a JSON API over the query layer (no SQL and no
/// ranking here), for several desks at once, each look recorded in the server's audit log.
public final class Workbench: Sendable {
    public let settings: WorkbenchSettings
    let scopes: [Scope]
    let users: UsersFile
    let audit: ServerAuditLog
    let media: MediaCache

    public init(_ settings: WorkbenchSettings) throws {
        if !settings.isLoopback && !settings.usesTLS && !settings.insecure {
            throw WorkbenchRefusal(description: "--listen \(settings.host):\(settings.port) is not loopback: give --tls-cert and --tls-key "
                                   + "(passwords and evidence must not cross a network in the clear), or --insecure for a closed lab network")
        }
        guard (settings.tlsCertificate == nil) == (settings.tlsKey == nil) else {
            throw WorkbenchRefusal(description: "give --tls-cert and --tls-key together")
        }
        guard !settings.sources.isEmpty else { throw WorkbenchRefusal(description: "give at least one incident file or archive index folder") }
        self.settings = settings
        scopes = try settings.sources.map { try Scope(path: $0) }
        users = UsersFile(path: settings.usersFile)
        guard !(try users.load()).isEmpty else {
            throw WorkbenchRefusal(description: "\(settings.usersFile): no users; add one first (forensic users add NAME --role supervisor --users \(settings.usersFile))")
        }
        audit = try ServerAuditLog(path: settings.auditLog)
        media = MediaCache(folder: settings.workFolder)
        for folder in [settings.workFolder, media.clipFolder, (settings.workFolder as NSString).appendingPathComponent("exports")] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    /// The server: loopback or TLS, SIGTERM and SIGINT drain the requests in flight, then stop.
    public func application() throws -> some ApplicationProtocol {
        var logger = Logger(label: "forensic-serve")
        logger.logLevel = .warning
        let server: HTTPServerBuilder
        if let cert = settings.tlsCertificate, let key = settings.tlsKey {
            let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(.http1(), tlsConfiguration: tls)
        } else {
            server = .http1()
        }
        return Application(router: router(), server: server,
                           configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "forensic"),
                           logger: logger)
    }

    /// Records one look in the server's audit log.
    func record(_ context: WorkbenchContext, _ action: String, _ detail: String) throws {
        try audit.append(actor: "\(context.sessions.session?.user ?? "-")@\(context.from)", action: action, detail: detail)
    }
}
