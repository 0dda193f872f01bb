import GRDB

/// The incident file's schema. Migrations are frozen once shipped: add a new one, never edit.
/// Times are UTC seconds since 1970 (REAL); `pts` are seconds from the video's first frame.
enum Schema {
    /// Migrations a reading command can do without: a file lacking only these is searched as it is
    /// (v6's deletion keys: near misses with a dropped or added character are then not sought).
    /// (v7's people: no reading command looks at them yet).
    static let readableWithout: Set<String> = ["v6", "v7"]

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE incident (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    name TEXT NOT NULL,
                    from_utc REAL NOT NULL,
                    to_utc REAL NOT NULL,
                    timezone TEXT NOT NULL,
                    archive TEXT NOT NULL,
                    layout TEXT NOT NULL,
                    camera_filter TEXT,             -- comma-separated ids, NULL = all
                    created_utc REAL NOT NULL,
                    created_by TEXT NOT NULL,
                    tool_version TEXT NOT NULL);

                CREATE TABLE camera (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    site TEXT NOT NULL DEFAULT '',
                    zone TEXT NOT NULL DEFAULT '',
                    latitude REAL,
                    longitude REAL);

                CREATE TABLE run (
                    id INTEGER PRIMARY KEY,
                    started_utc REAL NOT NULL,
                    finished_utc REAL,
                    tool_version TEXT NOT NULL,
                    models TEXT NOT NULL,           -- model fingerprints, comma-separated
                    parameters TEXT NOT NULL,       -- effective settings as JSON, as run
                    operator TEXT NOT NULL,
                    status TEXT NOT NULL);          -- running | finished | interrupted

                CREATE TABLE source_file (
                    id INTEGER PRIMARY KEY,
                    path TEXT NOT NULL UNIQUE,      -- relative to the incident's archive
                    size INTEGER NOT NULL,
                    sha256 TEXT,
                    camera_id TEXT REFERENCES camera(id),
                    start_utc REAL,
                    time_source TEXT,               -- path | creation_time | NULL (unknown)
                    duration REAL,
                    codec TEXT,
                    width INTEGER,
                    height INTEGER,
                    frame_rate REAL,
                    status TEXT NOT NULL,           -- pending | indexed | failed | no_time | out_of_scope
                    error TEXT,
                    run_id INTEGER REFERENCES run(id),
                    fingerprint TEXT,               -- models + parameters it was indexed with
                    frames_sampled INTEGER,
                    frames_analysed INTEGER,
                    corrupt_packets INTEGER);
                CREATE INDEX source_file_status ON source_file(status);
                CREATE INDEX source_file_sha ON source_file(sha256);

                CREATE TABLE plate_sighting (
                    id INTEGER PRIMARY KEY,
                    file_id INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                    camera_id TEXT,
                    text TEXT NOT NULL,             -- voted normalised text
                    display TEXT NOT NULL,
                    confidence REAL NOT NULL,
                    first_pts REAL NOT NULL,
                    last_pts REAL NOT NULL,
                    first_utc REAL,
                    last_utc REAL,
                    reads INTEGER NOT NULL,
                    best_pts REAL NOT NULL,
                    box_x INTEGER, box_y INTEGER, box_w INTEGER, box_h INTEGER,
                    crop BLOB);                     -- JPEG of the best read
                CREATE INDEX plate_sighting_text ON plate_sighting(text);
                CREATE INDEX plate_sighting_time ON plate_sighting(first_utc);
                CREATE INDEX plate_sighting_camera ON plate_sighting(camera_id, first_utc);

                CREATE TABLE plate_read (
                    id INTEGER PRIMARY KEY,
                    sighting_id INTEGER NOT NULL REFERENCES plate_sighting(id) ON DELETE CASCADE,
                    file_id INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                    pts REAL NOT NULL,
                    utc REAL,
                    box_x INTEGER NOT NULL, box_y INTEGER NOT NULL, box_w INTEGER NOT NULL, box_h INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    display TEXT NOT NULL,
                    confidence REAL NOT NULL,
                    candidates TEXT NOT NULL,       -- JSON [{"text","confidence"}], best first
                    format TEXT,
                    corrected_from TEXT,
                    model TEXT NOT NULL);
                CREATE INDEX plate_read_sighting ON plate_read(sighting_id);

                -- Every text a sighting may be: its vote, each read, each read's candidates.
                CREATE TABLE plate_text (
                    id INTEGER PRIMARY KEY,
                    sighting_id INTEGER NOT NULL REFERENCES plate_sighting(id) ON DELETE CASCADE,
                    text TEXT NOT NULL,
                    canon TEXT NOT NULL,            -- OCR confusions folded (B→8, O→0, …): see PlateCanon
                    confidence REAL NOT NULL,
                    UNIQUE (sighting_id, text));
                CREATE INDEX plate_text_text ON plate_text(text);
                CREATE INDEX plate_text_canon ON plate_text(canon);

                CREATE TABLE face_track (
                    id INTEGER PRIMARY KEY,
                    file_id INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                    camera_id TEXT,
                    first_pts REAL NOT NULL,
                    last_pts REAL NOT NULL,
                    first_utc REAL,
                    last_utc REAL,
                    faces INTEGER NOT NULL,
                    best_pts REAL NOT NULL,
                    box_x INTEGER, box_y INTEGER, box_w INTEGER, box_h INTEGER,
                    quality REAL NOT NULL,
                    junk INTEGER NOT NULL,
                    embedding BLOB NOT NULL,        -- 128 little-endian float32 of the best face
                    crop BLOB);                     -- JPEG of the aligned best face
                CREATE INDEX face_track_time ON face_track(first_utc);

                CREATE TABLE face (
                    id INTEGER PRIMARY KEY,
                    track_id INTEGER NOT NULL REFERENCES face_track(id) ON DELETE CASCADE,
                    file_id INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                    pts REAL NOT NULL,
                    utc REAL,
                    box_x INTEGER NOT NULL, box_y INTEGER NOT NULL, box_w INTEGER NOT NULL, box_h INTEGER NOT NULL,
                    score REAL NOT NULL,
                    landmarks TEXT NOT NULL,        -- JSON [[x,y] x5]
                    inter_eye REAL NOT NULL, sharpness REAL NOT NULL, frontal REAL NOT NULL,
                    quality REAL NOT NULL,
                    junk INTEGER NOT NULL,
                    embedding BLOB NOT NULL,
                    model TEXT NOT NULL);
                CREATE INDEX face_track_idx ON face(track_id);
                """)
            try db.execute(sql: Audit.tableSQL)
            // Substring search over plate texts ("KN1" finds "BKN123"), and over their folded forms
            // for near-miss search.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE plate_text_fts USING fts5(text, canon, content='plate_text', content_rowid='id', tokenize='trigram');
                CREATE TRIGGER plate_text_ai AFTER INSERT ON plate_text BEGIN
                  INSERT INTO plate_text_fts(rowid, text, canon) VALUES (new.id, new.text, new.canon); END;
                CREATE TRIGGER plate_text_ad AFTER DELETE ON plate_text BEGIN
                  INSERT INTO plate_text_fts(plate_text_fts, rowid, text, canon) VALUES ('delete', old.id, old.text, old.canon); END;
                """)
        }
        // A shard file (`incident split`) records which share of the archive it indexes.
        m.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE incident ADD COLUMN shard TEXT")   // "K/N"; NULL for a whole incident
        }
        // Watchlist hits: a sighting or face track that matched a wanted plate or person, with the
        // fingerprint of the watchlist as it stood when checked.
        m.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE watchlist_hit (
                    id INTEGER PRIMARY KEY,
                    watchlist TEXT NOT NULL,            -- fingerprint of the lists' contents when checked
                    list TEXT NOT NULL,
                    entry_ref TEXT NOT NULL,            -- the person's or plate's id in the list
                    entry_name TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('plate', 'face')),
                    sighting_id INTEGER REFERENCES plate_sighting(id) ON DELETE CASCADE,
                    face_track_id INTEGER REFERENCES face_track(id) ON DELETE CASCADE,
                    file_id INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                    match TEXT NOT NULL,                -- plate: exact | candidate | near; face: face
                    matched TEXT NOT NULL,              -- plate: the text that matched; face: the enrolled photo's SHA-256
                    distance REAL NOT NULL,             -- plate: OCR-aware edit distance; face: descriptor distance
                    quality REAL,                       -- face: the track's best quality
                    checked_utc REAL NOT NULL);
                CREATE INDEX watchlist_hit_file ON watchlist_hit(file_id);
                -- Checking (and re-indexing) goes file by file.
                CREATE INDEX plate_sighting_file ON plate_sighting(file_id);
                CREATE INDEX face_track_file ON face_track(file_id);
                CREATE TABLE watchlist_check (
                    file_id INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                    watchlist TEXT NOT NULL,
                    checked_utc REAL NOT NULL,
                    PRIMARY KEY (file_id, watchlist));
                """)
        }
        // v4: the archive index whose nightly results `index` reuses by default (incident create --reuse).
        m.registerMigration("v4") { db in
            try db.execute(sql: "ALTER TABLE incident ADD COLUMN reuse_index TEXT")
        }
        // v5: each file's modification time when catalogued (a touched indexed file is re-hashed).
        m.registerMigration("v5") { db in
            try db.execute(sql: "ALTER TABLE source_file ADD COLUMN modified_utc REAL")
        }
        // v6: the one-deletion keys of every folded plate text, so a near miss with a character
        // dropped or added is a B-tree lookup. A trigger writes them for every plate_text row,
        // whoever inserts it (indexing, merge, reuse); older files get theirs here, on their
        // first writing command.
        m.registerMigration("v6") { db in
            try db.execute(sql: """
                CREATE TABLE plate_position (p INTEGER PRIMARY KEY);
                WITH RECURSIVE n(p) AS (SELECT 0 UNION ALL SELECT p + 1 FROM n WHERE p < 31) INSERT INTO plate_position SELECT p FROM n;
                CREATE TABLE plate_key (
                    text_id INTEGER NOT NULL REFERENCES plate_text(id) ON DELETE CASCADE,
                    key TEXT NOT NULL);
                CREATE INDEX plate_key_key ON plate_key(key);
                CREATE INDEX plate_key_text ON plate_key(text_id);
                CREATE TRIGGER plate_text_keys AFTER INSERT ON plate_text BEGIN
                    INSERT INTO plate_key (text_id, key)
                    SELECT NEW.id, substr(NEW.canon, 1, p) || substr(NEW.canon, p + 2) FROM plate_position WHERE p < length(NEW.canon);
                END;
                INSERT INTO plate_key (text_id, key)
                    SELECT t.id, substr(t.canon, 1, p) || substr(t.canon, p + 2) FROM plate_text t JOIN plate_position ON p < length(t.canon);
                """)
        }
        // v7: what the index cascade's detector saw in each look (people today), so a file's
        // "someone walked past at 14:02" stays even when no face was found.
        m.registerMigration("v7") { db in
            try db.execute(sql: """
                CREATE TABLE object_look (
                    id INTEGER PRIMARY KEY,
                    file_id INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                    camera_id TEXT,
                    kind TEXT NOT NULL,             -- person
                    pts REAL NOT NULL,
                    utc REAL,
                    box_x INTEGER NOT NULL, box_y INTEGER NOT NULL, box_w INTEGER NOT NULL, box_h INTEGER NOT NULL,
                    score REAL NOT NULL,
                    model TEXT NOT NULL);
                CREATE INDEX object_look_file ON object_look(file_id);
                CREATE INDEX object_look_time ON object_look(utc);
                """)
        }
        return m
    }
}
