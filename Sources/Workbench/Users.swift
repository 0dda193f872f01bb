import Foundation
import HummingbirdBcrypt
import IncidentStore

/// What a person may do at the workbench.
public enum Role: String, Codable, CaseIterable, Sendable {
    /// Searches, views and plays, within a time limit (90 days back by default).
    case investigator
    /// Everything an investigator does, without the time limit, and exports signed bundles.
    case supervisor
    /// Reads the audit logs (the server's and each incident's); no searching.
    case auditor

    var searches: Bool { self != .auditor }
    var exports: Bool { self == .supervisor }
    var readsAudit: Bool { self == .auditor || self == .supervisor }
}

/// One person who may log in: the password is kept only as a bcrypt hash (cost 12).
public struct UserRecord: Codable, Sendable, Equatable {
    public var name: String
    public var role: Role
    public var passwordHash: String
    public var created: String
}

/// The users file (`--users FILE`): JSON, mode 0600, one record per person.
public struct UsersFile: Sendable {
    public let path: String
    public init(path: String) { self.path = path }

    public func load() throws -> [UserRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        do { return try JSONDecoder().decode([UserRecord].self, from: Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw StoreError(file: path, reason: "not a forensic users file (\(error))")
        }
    }

    /// Adds a person, or with `replace` sets a known person's role and password.
    public func add(name: String, role: Role, password: String, replace: Bool = false) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "._-@".contains($0) }) else {
            throw StoreError(file: path, reason: "a user name is letters, digits and . _ - @ ('\(name)' is not)")
        }
        guard password.count >= 10 else { throw StoreError(file: path, reason: "a password needs at least 10 characters") }
        var users = try load()
        if let i = users.firstIndex(where: { $0.name == name }) {
            guard replace else { throw StoreError(file: path, reason: "user '\(name)' exists (--replace sets a new role and password)") }
            users.remove(at: i)
        }
        users.append(UserRecord(name: name, role: role, passwordHash: Bcrypt.hash(password, cost: 12), created: isoTime(Date(), .gmt)))
        try write(users)
    }

    public func remove(name: String) throws {
        let users = try load()
        guard users.contains(where: { $0.name == name }) else { throw StoreError(file: path, reason: "no user '\(name)'") }
        try write(users.filter { $0.name != name })
    }

    /// The person, when the password is theirs.
    public func verify(name: String, password: String) throws -> UserRecord? {
        guard let user = try load().first(where: { $0.name == name }) else {
            // As slow as a real check, so a wrong name cannot be told from a wrong password.
            _ = Bcrypt.verify(password, hash: Self.decoy)
            return nil
        }
        return Bcrypt.verify(password, hash: user.passwordHash) ? user : nil
    }

    private static let decoy = Bcrypt.hash("not a password of anyone", cost: 12)

    private func write(_ users: [UserRecord]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: try encoder.encode(users), attributes: [.posixPermissions: 0o600]) else {
            throw StoreError(file: path, reason: "cannot write: \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else { throw StoreError(file: path, reason: "cannot write: \(String(cString: strerror(errno)))") }
    }
}
