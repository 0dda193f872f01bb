import Crypto
import Foundation
import GRDB

/// What an incident covers.
public struct IncidentConfig: Sendable, Codable, Equatable {
    public var name: String
    public var from: Date
    public var to: Date
    public var timeZone: String
    /// Absolute path of the archive root.
    public var archive: String
    public var layout: String
    /// Camera ids in scope; nil means every camera of the registry.
    public var cameras: [String]?
    /// Set in a shard file: only this share of the archive's files is catalogued and indexed.
    public var shard: Shard?

    public init(name: String, from: Date, to: Date, timeZone: String = "Asia/Karachi", archive: String,
                layout: String = ArchiveLayout.defaultTemplate, cameras: [String]? = nil, shard: Shard? = nil) {
        self.name = name; self.from = from; self.to = to; self.timeZone = timeZone
        self.archive = archive; self.layout = layout; self.cameras = cameras; self.shard = shard
    }

    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "Asia/Karachi")! }
}

/// One incident file (`NAME.forensic`): a self-describing SQLite database in WAL mode.
public final class Incident: Sendable {
    public static let toolVersion = "forensic 0.1.0"
    public let path: String
    /// The SQLite file: only IncidentStore runs SQL against it; other modules call the methods
    /// named for what they do.
    let db: any DatabaseWriter
    public let config: IncidentConfig
    /// Whether the file holds the one-deletion keys of its plate texts (schema v6; an older file
    /// read as it is has none, and near misses with a dropped or added character are not sought).
    let hasPlateKeys: Bool
    /// How the file was opened: a reading command never changes a byte of it.
    public let mode: AccessMode
    /// The face index, opened once and kept while the vectors it was built from stand.
    let faceIndexCache = FaceIndexCache()

    /// How a command opens an incident or day file.
    public enum AccessMode: Sendable {
        /// Indexing, merging, exporting (its custody entry), rechecking: an older file is upgraded.
        case readWrite
        /// Searching, tracking, listing hits, info, audit: opened read-only, never migrated, so the
        /// evidence file keeps its bytes and can be searched on read-only storage.
        case readOnly
    }

    /// The operator recorded in runs and the audit log.
    public static var currentUser: String {
        ProcessInfo.processInfo.environment["FORENSIC_OPERATOR"] ?? ProcessInfo.processInfo.environment["USER"]
            ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? ProcessInfo.processInfo.userName
    }

    private static func configuration() -> Configuration {
        var c = Configuration()
        c.busyMode = .timeout(30)
        c.foreignKeysEnabled = true
        return c
    }

    /// Mode of every file that holds biometric data (incident, shard, face vectors): owner only.
    public static let privateFileMode: Int = 0o600

    /// Creates a new incident file (mode 0600); refuses to overwrite one.
    public static func create(at path: String, config: IncidentConfig, cameras: [Camera]) throws -> Incident {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(file: path, reason: "already exists (open it, or choose another name)")
        }
        guard config.to > config.from else { throw StoreError(file: path, reason: "--to must be after --from") }
        guard TimeZone(identifier: config.timeZone) != nil else {
            throw StoreError(file: path, reason: "unknown time zone '\(config.timeZone)'")
        }
        if let wanted = config.cameras {
            let known = Set(cameras.map(\.id))
            if let missing = wanted.first(where: { !known.contains($0) }) {
                throw StoreError(file: path, reason: "camera '\(missing)' is not in the camera list")
            }
        }
        _ = try ArchiveLayout(config.layout, timeZone: config.zone)
        // Face embeddings, chips and plate crops of bystanders: readable by the owner only. SQLite
        // gives the -wal and -shm files the main file's mode.
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: Self.privateFileMode]) else {
            throw StoreError(file: path, reason: "cannot create: \(String(cString: strerror(errno)))")
        }
        let pool: DatabasePool
        do { pool = try DatabasePool(path: path, configuration: configuration()) } catch {
            throw StoreError(file: path, reason: "cannot create: \(error)")
        }
        try Schema.migrator.migrate(pool)
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO incident (id, name, from_utc, to_utc, timezone, archive, layout, camera_filter, created_utc, created_by,
                    tool_version, shard)
                VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [config.name, config.from.timeIntervalSince1970, config.to.timeIntervalSince1970,
                                 config.timeZone, config.archive, config.layout, config.cameras?.joined(separator: ","),
                                 Date().timeIntervalSince1970, currentUser, toolVersion, config.shard?.description])
            for c in cameras {
                try db.execute(sql: "INSERT INTO camera (id, name, site, zone, latitude, longitude) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [c.id, c.name, c.site, c.zone, c.latitude, c.longitude])
            }
            try Audit.append(db, actor: currentUser, action: "create",
                             detail: "incident \(config.name) \(isoTime(config.from, config.zone))–\(isoTime(config.to, config.zone)) archive \(config.archive)")
        }
        return try Incident(path: path)
    }

    /// Opens an existing incident file; `.readOnly` for commands that only read it.
    public init(path: String, mode: AccessMode = .readWrite) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError(file: path, reason: "no such incident file") }
        self.path = path
        self.mode = mode
        switch mode {
        case .readWrite:
            guard access(path, W_OK) == 0 else {
                throw StoreError(file: path, reason: "cannot be written (\(String(cString: strerror(errno)))), and this command writes to it "
                                 + "(indexing, merging, an export's custody entry); searching works as it is")
            }
            do {
                db = try DatabasePool(path: path, configuration: Self.configuration())
                try Schema.migrator.migrate(db)
            } catch {
                throw StoreError(file: path, reason: "not a forensic incident file (\(error))")
            }
        case .readOnly:
            // A plain read-only connection: no migration, no WAL switch, no checkpoint. SQLite reads
            // a WAL file's pending pages when they exist, and without -wal/-shm on storage it
            // cannot write to, it reads the main file as it is.
            var c = Self.configuration()
            c.readonly = true
            let queue: DatabaseQueue
            let upToDate: Bool
            do {
                queue = try DatabaseQueue(path: try Self.readOnlyLocation(path), configuration: c)
                // A file without only the migrations reading can do without is read as it is.
                upToDate = try queue.read { db in
                    Set(Schema.migrator.migrations).subtracting(try Schema.migrator.appliedIdentifiers(db)).isSubset(of: Schema.readableWithout)
                }
            } catch {
                throw StoreError(file: path, reason: "not a forensic incident file, or not readable (\(error))")
            }
            guard upToDate else {
                throw StoreError(file: path, reason: "made by an older forensic; reading does not change evidence files: "
                                 + "upgrade it once with a writing command (`forensic index \(path)`), on a copy if it must stay as it is")
            }
            db = queue
        }
        hasPlateKeys = try db.read { try $0.tableExists("plate_key") }
        guard let row = try db.read({ try Row.fetchOne($0, sql: "SELECT * FROM incident WHERE id = 1") }) else {
            throw StoreError(file: path, reason: "not a forensic incident file (no incident record)")
        }
        config = IncidentConfig(name: row["name"], from: Date(timeIntervalSince1970: row["from_utc"]),
                                to: Date(timeIntervalSince1970: row["to_utc"]), timeZone: row["timezone"],
                                archive: row["archive"], layout: row["layout"],
                                cameras: (row["camera_filter"] as String?).map { $0.split(separator: ",").map(String.init) },
                                shard: (row["shard"] as String?).flatMap(Shard.init(parsing:)))
    }

    /// Where SQLite reads a file from without writing anything. In a folder it may write to, the
    /// path itself (SQLite keeps its shared-memory index beside the file; the file's bytes stay).
    /// On storage it cannot write to (a read-only mount, another owner's folder) a WAL-mode file
    /// without its `-shm` cannot be opened plainly, so it is opened as immutable: nothing can
    /// change it there. A `-wal` with pages in it would then be ignored, so that is refused.
    static func readOnlyLocation(_ path: String) throws -> String {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let fm = FileManager.default
        guard access(folder, W_OK) != 0, !fm.fileExists(atPath: path + "-shm") else { return path }
        let wal = (try? fm.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        guard wal == 0 else {
            throw StoreError(file: path, reason: "its write-ahead log (-wal) holds changes not yet in the file, and this storage "
                             + "cannot be written: copy the file with its -wal to writable storage and search the copy")
        }
        return URL(fileURLWithPath: path).absoluteString + "?immutable=1"
    }

    public func cameras() throws -> [Camera] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM camera ORDER BY id").map {
                Camera(id: $0["id"], name: $0["name"], site: $0["site"], zone: $0["zone"], latitude: $0["latitude"], longitude: $0["longitude"])
            }
        }
    }

    /// Moves everything written into the file itself (a WAL checkpoint, the log truncated):
    /// after a writing command the incident file alone is the whole case, ready to be copied to
    /// evidence storage, and a later reader (read-only) finds nothing pending beside it.
    public func settle() throws {
        guard mode == .readWrite else { return }
        try db.writeWithoutTransaction { _ = try $0.checkpoint(.truncate) }
    }

    /// The audit log, oldest first.
    public func auditEntries() throws -> [AuditEntry] {
        try db.read { try Audit.entries($0) }
    }

    /// Appends to the hash-chained audit log.
    public func audit(_ action: String, _ detail: String, actor: String = Incident.currentUser) throws {
        try db.write { try Audit.append($0, actor: actor, action: action, detail: detail) }
    }
}

/// The append-only audit log: each row's hash is SHA-256 over the previous hash and its fields,
/// so an edited or deleted row breaks the chain from there on.
public enum Audit {
    /// The `audit` table (incident and watchlist files): append-only, hash-chained, each row's
    /// hash covering the previous row's hash.
    public static let tableSQL = """
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at_utc REAL NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL);
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        """

    static func hash(prev: String, at: Double, actor: String, action: String, detail: String) -> String {
        hash(prev: prev, at: timeText(at), actor: actor, action: action, detail: detail)
    }

    /// An entry's hash: SHA-256 (hex) of the previous hash, the time as hashed (`timeText`), actor,
    /// action and detail, joined by U+001F. Evidence bundles carry the time as this text, so a
    /// verifier recomputes the chain without the incident.
    public static func hash(prev: String, at: String, actor: String, action: String, detail: String) -> String {
        let text = [prev, at, actor, action, detail].joined(separator: "\u{1f}")
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Seconds since 1970 with six decimals, as an entry's time is hashed.
    public static func timeText(_ at: Double) -> String { String(format: "%.6f", at) }

    /// The first entry's previous hash.
    public static let genesis = String(repeating: "0", count: 64)

    /// Appends one entry to the `audit` table of `db` (an incident's, a watchlist's).
    public static func append(_ db: Database, actor: String, action: String, detail: String) throws {
        let prev = try String.fetchOne(db, sql: "SELECT hash FROM audit ORDER BY id DESC LIMIT 1") ?? genesis
        let at = Date().timeIntervalSince1970
        try db.execute(sql: "INSERT INTO audit (at_utc, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [at, actor, action, detail, prev, hash(prev: prev, at: at, actor: actor, action: action, detail: detail)])
    }

    /// Appends the entry unless an identical one (action and detail) is already there: an event
    /// that every run finds again while it lasts is recorded once.
    public static func appendOnce(_ db: Database, actor: String, action: String, detail: String) throws {
        guard try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM audit WHERE action = ? AND detail = ?)", arguments: [action, detail])! else { return }
        try append(db, actor: actor, action: action, detail: detail)
    }

    /// The id of the first row whose hash does not match, or nil when the chain is intact.
    public static func firstBrokenEntry(_ incident: Incident) throws -> Int64? {
        try incident.db.read { try firstBrokenEntry($0) }
    }

    /// The same check on any database with an `audit` table.
    public static func firstBrokenEntry(_ db: Database) throws -> Int64? {
        problems(in: try entries(db)).first?.id
    }

    /// Every entry, oldest first.
    public static func entries(_ db: Database) throws -> [AuditEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY id").map { r in
            AuditEntry(id: r["id"], at: timeText(r["at_utc"]), time: isoTime(Date(timeIntervalSince1970: r["at_utc"]), TimeZone(identifier: "UTC")!),
                       actor: r["actor"], action: r["action"], detail: r["detail"], prevHash: r["prev_hash"], hash: r["hash"])
        }
    }

    /// Where a chain is broken, entry by entry: an entry whose hash does not cover its contents
    /// (edited), or whose previous hash is not the hash of the entry before it (one removed,
    /// inserted or moved). Empty when intact.
    public static func problems(in entries: [AuditEntry]) -> [(id: Int64, reason: String)] {
        var out: [(id: Int64, reason: String)] = []
        var prev = genesis, prevID: Int64? = nil
        for e in entries {
            if e.hash != hash(prev: e.prevHash, at: e.at, actor: e.actor, action: e.action, detail: e.detail) {
                out.append((e.id, "entry \(e.id) (\(e.action)): its hash does not match its contents (edited)"))
            } else if e.prevHash != prev {
                out.append((e.id, "entry \(e.id) (\(e.action)): does not follow " + (prevID.map { "entry \($0)" } ?? "the start of the log") + " (an entry removed, added or moved)"))
            }
            prev = e.hash
            prevID = e.id
        }
        return out
    }
}

/// One audit log entry as hashed and as exported (`custody.jsonl`, `forensic audit --json`).
public struct AuditEntry: Codable, Sendable, Equatable {
    public var id: Int64
    /// Seconds since 1970, six decimals: the text the hash covers.
    public var at: String
    /// The same time, ISO 8601 UTC, for reading.
    public var time: String
    public var actor: String
    public var action: String
    public var detail: String
    public var prevHash: String
    public var hash: String
    /// Set by a chain check: false where the chain breaks at this entry (not part of the hash).
    public var ok: Bool?

    public init(id: Int64, at: String, time: String, actor: String, action: String, detail: String, prevHash: String, hash: String) {
        self.id = id; self.at = at; self.time = time; self.actor = actor; self.action = action; self.detail = detail
        self.prevHash = prevHash; self.hash = hash
    }

    enum CodingKeys: String, CodingKey { case id, at, time, actor, action, detail, hash, ok; case prevHash = "prev_hash" }
}
