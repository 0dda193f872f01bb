import Crypto
import Foundation
import GRDB
import IncidentStore

/// A watchlist file: named lists of wanted people (enrolled face photos) and wanted vehicles
/// (plates), checked by indexing runs. One SQLite file (WAL, mode 0600: it holds biometric data)
/// with a hash-chained audit log of every change, like an incident's.
public final class Watchlist: Sendable {
    public let path: String
    let db: DatabasePool

    public enum Kind: String, Sendable, Codable, CaseIterable {
        case faces, plates
    }

    /// The watchlist a writing command checks against: `path`, else `$FORENSIC_WATCHLIST` when
    /// set, else none. Opened at once, so one that cannot be opened stops a run before any work.
    public static func chosen(_ path: String?) throws -> Watchlist? {
        try (path ?? ProcessInfo.processInfo.environment["FORENSIC_WATCHLIST"].flatMap { $0.isEmpty ? nil : $0 }).map { try Watchlist(path: $0) }
    }

    /// Where the file is when none is given: `$FORENSIC_WATCHLIST`, else
    /// `${XDG_DATA_HOME:-~/.local/share}/forensic/watchlist.db`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = environment["FORENSIC_WATCHLIST"], !p.isEmpty { return p }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (data as NSString).appendingPathComponent("forensic/watchlist.db")
    }

    private static func configuration() -> Configuration {
        var c = Configuration()
        c.busyMode = .timeout(30)
        c.foreignKeysEnabled = true
        return c
    }

    /// Opens the file, creating it (0600, with its folder) when `create` is true and it does not exist.
    public init(path: String, create: Bool = false) throws {
        self.path = path
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard create else {
                throw StoreError(file: path, reason: "no watchlist file (create a list first: forensic watchlist create NAME --kind faces|plates)")
            }
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
            guard fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: Incident.privateFileMode]) else {
                throw StoreError(file: path, reason: "cannot create: \(String(cString: strerror(errno)))")
            }
        }
        do {
            db = try DatabasePool(path: path, configuration: Self.configuration())
            try Self.migrator.migrate(db)
        } catch {
            throw StoreError(file: path, reason: "not a forensic watchlist file (\(error))")
        }
        try db.write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM meta") == 0 {
                try db.execute(sql: "INSERT INTO meta (id, created_utc, created_by, tool_version) VALUES (1, ?, ?, ?)",
                               arguments: [Date().timeIntervalSince1970, Incident.currentUser, Incident.toolVersion])
                try Audit.append(db, actor: Incident.currentUser, action: "create", detail: "watchlist file")
            }
        }
    }

    /// Migrations are frozen once shipped: add a new one, never edit.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    created_utc REAL NOT NULL,
                    created_by TEXT NOT NULL,
                    tool_version TEXT NOT NULL);

                CREATE TABLE list (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL CHECK (kind IN ('faces', 'plates')),
                    description TEXT NOT NULL DEFAULT '',
                    created_by TEXT NOT NULL,
                    created_utc REAL NOT NULL);

                CREATE TABLE entry (
                    id INTEGER PRIMARY KEY,
                    list_id INTEGER NOT NULL REFERENCES list(id) ON DELETE CASCADE,
                    ref TEXT NOT NULL,                  -- the person's or vehicle's id in the source system
                    name TEXT NOT NULL DEFAULT '',
                    notes TEXT NOT NULL DEFAULT '',
                    source TEXT NOT NULL DEFAULT '',    -- the folder or file it was enrolled from
                    added_by TEXT NOT NULL,
                    added_utc REAL NOT NULL,
                    UNIQUE (list_id, ref));

                CREATE TABLE face_photo (
                    id INTEGER PRIMARY KEY,
                    entry_id INTEGER NOT NULL REFERENCES entry(id) ON DELETE CASCADE,
                    sha256 TEXT NOT NULL,               -- of the photo file as enrolled
                    file TEXT NOT NULL,
                    quality REAL NOT NULL,              -- 0–1 (FaceQuality.score)
                    embedding BLOB NOT NULL,            -- 128 float32, little-endian
                    chip BLOB,                          -- aligned 150x150 face, JPEG
                    model TEXT NOT NULL,                -- face model fingerprint
                    UNIQUE (entry_id, sha256));

                CREATE TABLE plate (
                    entry_id INTEGER PRIMARY KEY REFERENCES entry(id) ON DELETE CASCADE,
                    text TEXT NOT NULL,                 -- normalised as search does: A–Z 0–9
                    reason TEXT NOT NULL DEFAULT '',
                    max_distance REAL NOT NULL DEFAULT 1.0);  -- OCR-aware edit distance a near match may have
                CREATE INDEX plate_text ON plate(text);
                """)
            try db.execute(sql: Audit.tableSQL)
        }
        return m
    }

    // MARK: Lists

    public struct ListInfo: Sendable, Codable, Equatable {
        public var name: String
        public var kind: Kind
        public var description: String
        public var createdBy: String
        public var created: String
        public var entries: Int
        public var photos: Int

        enum CodingKeys: String, CodingKey {
            case name, kind, description, created, entries, photos
            case createdBy = "created_by"
        }
    }

    public func createList(_ name: String, kind: Kind, description: String = "") throws {
        guard Self.validName(name) else {
            throw StoreError(file: path, reason: "list name '\(name)' must be 1–64 letters, digits, '-', '_' or '.'")
        }
        try db.write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM list WHERE name = ?", arguments: [name]) == 0 else {
                throw StoreError(file: path, reason: "list '\(name)' already exists")
            }
            try db.execute(sql: "INSERT INTO list (name, kind, description, created_by, created_utc) VALUES (?, ?, ?, ?, ?)",
                           arguments: [name, kind.rawValue, description, Incident.currentUser, Date().timeIntervalSince1970])
            try Audit.append(db, actor: Incident.currentUser, action: "create-list", detail: "\(name) (\(kind.rawValue)) \(description)")
        }
    }

    static func validName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    public func lists() throws -> [ListInfo] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT l.*, (SELECT COUNT(*) FROM entry e WHERE e.list_id = l.id) AS entries,
                       (SELECT COUNT(*) FROM face_photo p JOIN entry e ON e.id = p.entry_id WHERE e.list_id = l.id) AS photos
                FROM list l ORDER BY l.name
                """).map { r in
                ListInfo(name: r["name"], kind: Kind(rawValue: r["kind"]) ?? .faces, description: r["description"],
                         createdBy: r["created_by"], created: isoTime(Date(timeIntervalSince1970: r["created_utc"]), TimeZone(identifier: "UTC")!),
                         entries: r["entries"], photos: r["photos"])
            }
        }
    }

    /// The list's id and kind, or an error naming the lists there are.
    func list(_ name: String, _ db: Database) throws -> (id: Int64, kind: Kind) {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, kind FROM list WHERE name = ?", arguments: [name]) else {
            let names = try String.fetchAll(db, sql: "SELECT name FROM list ORDER BY name")
            throw StoreError(file: path, reason: "no list '\(name)'" + (names.isEmpty ? " (there are none yet)" : " (lists: \(names.joined(separator: ", ")))"))
        }
        return (row["id"], Kind(rawValue: row["kind"]) ?? .faces)
    }

    /// Removes a whole list, or one entry of it; the audit log keeps what was removed and by whom.
    public func remove(list name: String, entry ref: String? = nil) throws {
        try db.write { db in
            let l = try list(name, db)
            if let ref {
                try db.execute(sql: "DELETE FROM entry WHERE list_id = ? AND ref = ?", arguments: [l.id, ref])
                guard db.changesCount > 0 else { throw StoreError(file: path, reason: "list '\(name)' has no entry '\(ref)'") }
                try Audit.append(db, actor: Incident.currentUser, action: "remove-entry", detail: "\(name)/\(ref)")
            } else {
                let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entry WHERE list_id = ?", arguments: [l.id]) ?? 0
                try db.execute(sql: "DELETE FROM list WHERE id = ?", arguments: [l.id])
                try Audit.append(db, actor: Incident.currentUser, action: "remove-list", detail: "\(name) (\(n) entries)")
            }
        }
    }

    // MARK: Entries

    /// One entry as shown, exported and imported.
    public struct Entry: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var notes: String
        public var source: String
        public var addedBy: String
        public var added: String
        /// Plate lists: the plate, why it is wanted, and how far a near read may be.
        public var plate: String?
        public var reason: String?
        public var maxDistance: Double?
        /// Face lists: the enrolled photos.
        public var photos: [Photo]?

        enum CodingKeys: String, CodingKey {
            case id, name, notes, source, added, plate, reason, photos
            case addedBy = "added_by", maxDistance = "max_distance"
        }

        public init(id: String, name: String = "", notes: String = "", source: String = "", addedBy: String = "", added: String = "",
                    plate: String? = nil, reason: String? = nil, maxDistance: Double? = nil, photos: [Photo]? = nil) {
            self.id = id; self.name = name; self.notes = notes; self.source = source; self.addedBy = addedBy; self.added = added
            self.plate = plate; self.reason = reason; self.maxDistance = maxDistance; self.photos = photos
        }
    }

    public struct Photo: Sendable, Codable, Equatable {
        public var sha256: String
        public var file: String
        public var quality: Double
        public var model: String
        /// 128 float32, little-endian, base64 (JSON export); nil in CSV and `show`.
        public var embedding: String?

        public init(sha256: String, file: String, quality: Double, model: String, embedding: String?) {
            self.sha256 = sha256; self.file = file; self.quality = quality; self.model = model; self.embedding = embedding
        }
    }

    public func entries(list name: String, embeddings: Bool = false) throws -> (kind: Kind, entries: [Entry]) {
        try db.read { db in
            let l = try list(name, db)
            let utc = TimeZone(identifier: "UTC")!
            let rows = try Row.fetchAll(db, sql: """
                SELECT e.*, p.text, p.reason, p.max_distance FROM entry e LEFT JOIN plate p ON p.entry_id = e.id
                WHERE e.list_id = ? ORDER BY e.ref
                """, arguments: [l.id])
            return (l.kind, try rows.map { r in
                var e = Entry(id: r["ref"], name: r["name"], notes: r["notes"], source: r["source"], addedBy: r["added_by"],
                              added: isoTime(Date(timeIntervalSince1970: r["added_utc"]), utc))
                if l.kind == .plates {
                    e.plate = r["text"]; e.reason = r["reason"]; e.maxDistance = r["max_distance"]
                } else {
                    e.photos = try Row.fetchAll(db, sql: "SELECT * FROM face_photo WHERE entry_id = ? ORDER BY id", arguments: [r["id"] as Int64]).map { p in
                        Photo(sha256: p["sha256"], file: p["file"], quality: p["quality"], model: p["model"],
                              embedding: embeddings ? (p["embedding"] as Data).base64EncodedString() : nil)
                    }
                }
                return e
            })
        }
    }

    /// The entry's row id in `list`, creating the entry when new. An existing id with another
    /// non-empty name is refused (two people under one id); with the same or no name, it is the
    /// same person and gains the new photos.
    func entryID(_ db: Database, list: Int64, listName: String, ref: String, name: String, notes: String, source: String,
                 addedBy: String? = nil, added: Double? = nil) throws -> (id: Int64, new: Bool) {
        if let row = try Row.fetchOne(db, sql: "SELECT id, name FROM entry WHERE list_id = ? AND ref = ?", arguments: [list, ref]) {
            let existing: String = row["name"]
            if !name.isEmpty, !existing.isEmpty, existing != name {
                throw EntryRefused(reason: "id '\(ref)' is already '\(existing)' in \(listName), not '\(name)'")
            }
            if existing.isEmpty, !name.isEmpty {
                try db.execute(sql: "UPDATE entry SET name = ? WHERE id = ?", arguments: [name, row["id"] as Int64])
            }
            return (row["id"], false)
        }
        try db.execute(sql: "INSERT INTO entry (list_id, ref, name, notes, source, added_by, added_utc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [list, ref, name, notes, source, addedBy ?? Incident.currentUser, added ?? Date().timeIntervalSince1970])
        return (db.lastInsertedRowID, true)
    }

    struct EntryRefused: Error { let reason: String }

    /// Every face embedding of the face lists (or of one), for matching.
    public func faceGallery(list: String? = nil) throws -> [(list: String, ref: String, name: String, photo: String, embedding: [Float])] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT l.name AS list, e.ref, e.name, p.sha256, p.embedding FROM face_photo p
                JOIN entry e ON e.id = p.entry_id JOIN list l ON l.id = e.list_id
                WHERE ? IS NULL OR l.name = ? ORDER BY l.name, e.ref, p.id
                """, arguments: [list, list]).map { r in
                (r["list"], r["ref"], r["name"], r["sha256"], embeddingFloats(r["embedding"]))
            }
        }
    }

    /// SHA-256 over the lists' contents (names, entries, plates, photo hashes and embeddings): stored with
    /// every hit, so a hit can be traced to the list as it stood.
    public func fingerprint() throws -> String {
        try db.read { db in
            var h = SHA256()
            for r in try Row.fetchAll(db, sql: """
                SELECT l.name, l.kind, e.ref, e.name AS person, p.text, p.max_distance FROM entry e JOIN list l ON l.id = e.list_id
                LEFT JOIN plate p ON p.entry_id = e.id ORDER BY l.name, e.ref
                """) {
                h.update(data: Data("\(r["name"] as String)\u{1f}\(r["kind"] as String)\u{1f}\(r["ref"] as String)\u{1f}\(r["person"] as String)\u{1f}\((r["text"] as String?) ?? "")\u{1f}\((r["max_distance"] as Double?) ?? 0)\n".utf8))
            }
            for r in try Row.fetchAll(db, sql: "SELECT sha256, embedding FROM face_photo ORDER BY entry_id, sha256") {
                h.update(data: Data((r["sha256"] as String).utf8))
                h.update(data: r["embedding"] as Data)
            }
            return h.finalize().map { String(format: "%02x", $0) }.joined().prefix(16).description
        }
    }

    /// The audit chain is intact (nil) or broken at this entry id.
    public func firstBrokenAuditEntry() throws -> Int64? {
        try db.read { try Audit.firstBrokenEntry($0) }
    }
}
