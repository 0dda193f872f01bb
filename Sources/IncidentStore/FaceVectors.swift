import Foundation
import GRDB
import RecognitionKit

/// The face-track embeddings of an incident, flat, in a file beside it (`NAME.forensic-faces`),
/// so a face search maps them from the page cache instead of pulling a million blobs out of
/// SQLite row by row. Derived data, never the record: it carries the incident's indexing stamp
/// (last `index` or `merge` audit entry and highest track id) and is rebuilt whenever that differs. Where it
/// cannot be written (a read-only copy of an incident), the vectors are built in memory.
///
/// Layout, little-endian, each section 64-byte aligned: a 64-byte header (magic, count, stamp,
/// camera-list length, slots the sections are laid out for), embeddings (count × 128 float32), ids (int64), first and last UTC
/// (float64, NaN when unknown), camera index (int32, -1 when none), junk flags (uint8), and the
/// camera ids as a JSON array.
struct FaceVectors {
    static let magic = Array("FORFACE2".utf8)
    static let rowBytes = DescriptorIndex.dimensions * 4

    /// What the vectors were built from; equal stamps mean equal face tracks (tracks are only
    /// added or replaced by indexing or a merge, each audited). Both are index lookups: a cold
    /// search must not count a million rows to learn whether its vectors are current.
    struct Stamp: Equatable {
        var lastIndexEntry: Int64
        var lastTrack: Int64
    }

    let data: Data
    let count: Int
    let cameras: [String]
    /// What the vectors were built from (a face index over them carries the same).
    let stamp: Stamp
    private let offsets: Offsets

    private struct Offsets {
        let embeddings = 64, ids: Int, first: Int, last: Int, camera: Int, junk: Int, cameraList: Int
        init(count n: Int) {
            func align(_ v: Int) -> Int { (v + 63) / 64 * 64 }
            ids = align(64 + n * FaceVectors.rowBytes)
            first = align(ids + n * 8); last = align(first + n * 8)
            camera = align(last + n * 8); junk = align(camera + n * 4); cameraList = align(junk + n)
        }
    }

    static func path(for incident: Incident) -> String { incident.path + "-faces" }

    /// The embeddings, back to back, for building a face index over them.
    func withEmbeddings<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try data.withUnsafeBytes { try body(($0.baseAddress! + offsets.embeddings).assumingMemoryBound(to: Float.self)) }
    }

    static func stamp(_ db: Database) throws -> Stamp {
        Stamp(lastIndexEntry: try Int64.fetchOne(db, sql: "SELECT id FROM audit WHERE action IN ('index', 'merge') ORDER BY id DESC LIMIT 1") ?? 0,
              lastTrack: try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM face_track") ?? 0)
    }

    /// The vectors for `incident` as of the read transaction `db`: the file beside it when its
    /// stamp matches, else rebuilt (and the file rewritten when possible).
    static func load(_ incident: Incident, _ db: Database) throws -> FaceVectors {
        let current = try stamp(db)
        let path = path(for: incident)
        if let mapped = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped),
           let vectors = FaceVectors(data: mapped, expecting: current) {
            return vectors
        }
        let built = try build(db, stamp: current)
        _ = PrivateFile.replace(path, with: built)   // a read-only folder: searched from memory
        return FaceVectors(data: built, expecting: current)!
    }

    /// Reads the face tracks into the file layout.
    static func build(_ db: Database, stamp: Stamp) throws -> Data {
        let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM face_track") ?? 0
        let o = Offsets(count: n)
        var cameraIndex: [String: Int32] = [:]
        var cameraList: [String] = []
        var out = Data(count: o.cameraList)
        var row = 0
        try out.withUnsafeMutableBytes { (buf: UnsafeMutableRawBufferPointer) in
            let base = buf.baseAddress!
            let cursor = try Row.fetchCursor(db, sql: "SELECT id, camera_id, first_utc, last_utc, junk, embedding FROM face_track ORDER BY id")
            while let r = try cursor.next(), row < n {
                let camera: String? = r[1]
                var ci: Int32 = -1
                if let camera {
                    if let known = cameraIndex[camera] { ci = known } else {
                        ci = Int32(cameraList.count); cameraIndex[camera] = ci; cameraList.append(camera)
                    }
                }
                let id: Int64 = r[0]
                let first: Double? = r[2], last: Double? = r[3]
                let junk: Bool = r[4]
                var ok = false
                try r.withUnsafeData(atIndex: 5) { blob in
                    guard let blob, blob.count == rowBytes else { return }
                    blob.withUnsafeBytes { (base + o.embeddings + row * rowBytes).copyMemory(from: $0.baseAddress!, byteCount: rowBytes) }
                    ok = true
                }
                guard ok else { continue }   // a malformed embedding is skipped, as the scan did before
                base.storeBytes(of: id.littleEndian, toByteOffset: o.ids + row * 8, as: Int64.self)
                base.storeBytes(of: first ?? .nan, toByteOffset: o.first + row * 8, as: Double.self)
                base.storeBytes(of: last ?? .nan, toByteOffset: o.last + row * 8, as: Double.self)
                base.storeBytes(of: ci, toByteOffset: o.camera + row * 4, as: Int32.self)
                base.storeBytes(of: junk ? 1 : 0, toByteOffset: o.junk + row, as: UInt8.self)
                row += 1
            }
        }
        // Rows skipped for a malformed embedding leave zeroed slots at the end: count only real ones.
        var header = Data(magic)
        let names = try JSONEncoder().encode(cameraList)
        for v in [Int64(row), stamp.lastIndexEntry, stamp.lastTrack, Int64(names.count), Int64(n)] {
            withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) }
        }
        out.replaceSubrange(0..<header.count, with: header)
        out.append(names)
        return out
    }

    /// Nil unless `data` is a complete vector file built at `stamp`.
    init?(data: Data, expecting stamp: Stamp) {
        guard data.count >= 64, Array(data.prefix(8)) == Self.magic else { return nil }
        func int(_ at: Int) -> Int64 { data.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: Int64.self)) } }
        let n = Int(int(8))
        guard n >= 0, Stamp(lastIndexEntry: int(16), lastTrack: int(24)) == stamp else { return nil }
        // Offsets follow the track count the file was laid out for (rows may be fewer).
        let slots = Int(int(40))
        guard slots >= n, slots <= data.count / Self.rowBytes else { return nil }
        let o = Offsets(count: slots)
        let namesLength = Int(int(32))
        guard namesLength >= 0, data.count == o.cameraList + namesLength,
              let names = try? JSONDecoder().decode([String].self, from: data.subdata(in: o.cameraList..<data.count)) else { return nil }
        self.data = data; count = n; cameras = names; offsets = o; self.stamp = stamp
    }

    /// The `k` nearest tracks to `query` within `maxDistance` that pass the filters, among the
    /// rows `candidates` names when given (a face index's proposals; distances are still exact).
    func nearest(to query: [Float], k: Int, maxDistance: Float, cameras allowed: Set<String>?,
                 from: Date?, to: Date?, includeJunk: Bool, candidates: [Int]? = nil) -> [DescriptorIndex.Match] {
        let allowedIndex: Set<Int32>? = allowed.map { a in Set(cameras.indices.filter { a.contains(cameras[$0]) }.map { Int32($0) }) }
        let lower = from?.timeIntervalSince1970, upper = to?.timeIntervalSince1970
        let o = offsets
        return data.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            if candidates != nil {
                // A few rows, not a scan: no read-ahead around each (up to 8 MB a fault on some disks).
                let page = Int(sysconf(Int32(_SC_PAGESIZE)))
                let start = UInt(bitPattern: base) / UInt(page) * UInt(page)
                madvise(UnsafeMutableRawPointer(bitPattern: start), Int(UInt(bitPattern: base) - start) + raw.count, MADV_RANDOM)
            }
            let filtered = allowedIndex != nil || lower != nil || upper != nil || !includeJunk
            let matches = DescriptorIndex.nearest(in: base + o.embeddings, count: count, to: query, k: k, maxDistance: maxDistance,
                                                  candidates: candidates, include: filtered ? { i in
                if !includeJunk, base.load(fromByteOffset: o.junk + i, as: UInt8.self) != 0 { return false }
                if let allowedIndex, !allowedIndex.contains(base.loadUnaligned(fromByteOffset: o.camera + i * 4, as: Int32.self)) { return false }
                // Same overlap rule as the SQL filter: unknown times never match a time bound.
                if let lower, !(base.loadUnaligned(fromByteOffset: o.last + i * 8, as: Double.self) >= lower) { return false }
                if let upper, !(base.loadUnaligned(fromByteOffset: o.first + i * 8, as: Double.self) <= upper) { return false }
                return true
            } : nil)
            return matches.map { m in
                DescriptorIndex.Match(id: Int64(littleEndian: base.loadUnaligned(fromByteOffset: o.ids + m.position * 8, as: Int64.self)),
                                      distance: m.distance)
            }
        }
    }
}
