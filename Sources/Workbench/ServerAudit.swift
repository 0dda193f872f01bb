import Foundation
import IncidentStore
import Investigation
import Synchronization

/// The workbench's own audit log: every search, view, clip play, export, log-in and refusal, who,
/// when, from where, what was asked and how many results, hash-chained like an incident's log
/// (`Audit.hash`). One JSON line per entry in its own file (mode 0600): reading never writes the
/// evidence files. `forensic audit --server LOG --verify` checks the chain.
public final class ServerAuditLog: Sendable {
    public let path: String
    private let tail: Mutex<(id: Int64, hash: String)>

    public init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw StoreError(file: path, reason: "cannot create the server audit log: \(String(cString: strerror(errno)))")
            }
        }
        let last = try Self.entries(path).last
        tail = Mutex((last?.id ?? 0, last?.hash ?? Audit.genesis))
    }

    /// Appends one entry; `detail` says what was asked and how many results came back.
    public func append(actor: String, action: String, detail: String) throws {
        try tail.withLock { t in
            let at = Date().timeIntervalSince1970
            let id = t.id + 1
            let text = Audit.timeText(at)
            let entry = AuditEntry(id: id, at: text, time: isoTime(Date(timeIntervalSince1970: at), .gmt), actor: actor, action: action,
                                   detail: detail, prevHash: t.hash, hash: Audit.hash(prev: t.hash, at: text, actor: actor, action: action, detail: detail))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            guard let handle = FileHandle(forWritingAtPath: path) else { throw StoreError(file: path, reason: "cannot append to the server audit log") }
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: try encoder.encode(entry) + Data("\n".utf8))
            try handle.synchronize()
            t = (id, entry.hash)
        }
    }

    /// Every entry, oldest first.
    public static func entries(_ path: String) throws -> [AuditEntry] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").enumerated().map { i, line in
            do { return try JSONDecoder().decode(AuditEntry.self, from: Data(line.utf8)) } catch {
                throw StoreError(file: path, reason: "line \(i + 1) is not an audit entry (\(error))")
            }
        }
    }
}

/// The workbench's clock: the time now, or `FORENSIC_NOW` (ISO 8601) when set, so tests over the
/// 2026 demo footage keep a search window that holds it in later years.
public enum WorkbenchClock {
    public static func now(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Date {
        environment["FORENSIC_NOW"].flatMap(parseISOTime) ?? Date()
    }
}

extension AuditReport {
    /// The workbench's audit log, checked (`forensic audit --server LOG --verify`).
    public init(workbenchLog path: String) throws {
        self.init(checking: try ServerAuditLog.entries(path))
    }
}
