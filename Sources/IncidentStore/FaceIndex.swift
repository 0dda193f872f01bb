import CFaissShim
import Foundation
import RecognitionKit
import Synchronization

/// An inverted-file index (FAISS IVF, 8-bit scalar-quantised codes) over an incident's face-vector
/// file, in a file beside it (`NAME.forensic-faces.ivf`), so a face search reads the few lists
/// near the query instead of every embedding. Built by writing commands (`index`, `nightly`,
/// `merge`) once a file holds `Incident.faceIndexFrom` face tracks; a search uses it only when it was built
/// from the vectors as they stand (same stamp, same rows), else scans. It proposes candidates
/// within a slightly wider radius; their exact distances come from the vector file, so what a
/// search returns and the distance it shows are the flat scan's — the index can only miss a track
/// in a list it did not probe (recall measured by `forensic-bench archive-scale`).
///
/// Layout: a 64-byte header (magic, the vector file's stamp, rows, lists), then FAISS's own
/// serialisation, whose inverted lists are mapped from the file when opened.
// Unchecked: a C handle; FAISS searches are const and may run from several threads at once.
final class FaceIndex: @unchecked Sendable {
    static let magic = Array("FORIVF01".utf8)
    static let headerBytes = 64
    /// How much wider than the threshold the quantised distances are taken (8-bit codes are off
    /// by ~0.01 at the threshold); the exact distance then decides.
    static let slack: Float = 0.05

    private let handle: OpaquePointer
    let rows: Int
    let lists: Int
    /// The vectors it was built from (nil while building).
    private(set) var stamp: FaceVectors.Stamp?

    private init(handle: OpaquePointer) {
        self.handle = handle
        rows = Int(faissshim_count(handle))
        lists = Int(faissshim_lists(handle))
    }

    deinit { faissshim_free(handle) }

    static func path(for incident: Incident) -> String { FaceVectors.path(for: incident) + ".ivf" }

    /// Lists for `rows` vectors: a power of two up to 8·√rows (FAISS's guidance: 4–16·√rows) and
    /// at most 8,192 (k-means of 16,384 lists over 5 M faces ran past 25 minutes on 2 cores), with
    /// at least 39 vectors to train each list.
    static func listCount(rows: Int) -> Int {
        var lists = 1
        while lists < 8_192 && (lists * 2) * (lists * 2) <= 64 * rows && lists * 2 * 39 <= rows { lists *= 2 }
        return lists
    }

    /// Lists a search probes: 64, so a search reads ~64·√rows/8 codes — it grows with the square
    /// root of the file, not with it (recall by lists probed: `forensic-bench archive-scale`).
    static func defaultProbes(lists: Int) -> Int { min(lists, 64) }

    /// Builds the index over `vectors` and writes it to `path` (whole, under a temporary name, then
    /// renamed: a reader never sees half an index). The file is private, like the vectors.
    static func build(_ vectors: FaceVectors, to path: String) throws {
        let lists = listCount(rows: vectors.count)
        // k-means needs ~40 points a list; more only slows the training.
        let stride = max(1, vectors.count / (64 * lists))
        var err = [CChar](repeating: 0, count: 512)
        guard let built = vectors.withEmbeddings({
            faissshim_build($0, Int64(vectors.count), Int32(DescriptorIndex.dimensions), "IVF\(lists),SQ8", Int64(stride), &err, err.count)
        }) else { throw StoreError(file: path, reason: "cannot build the face index: \(String(cString: err))") }
        let index = FaceIndex(handle: built)
        var header = Data(magic)
        for v in [vectors.stamp.lastIndexEntry, vectors.stamp.lastTrack, Int64(vectors.count), Int64(lists)] {
            withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) }
        }
        header.append(Data(count: headerBytes - header.count))
        let tmp = path + ".tmp-\(getpid())"
        let written = header.withUnsafeBytes { h in
            faissshim_write(index.handle, tmp, h.baseAddress!.assumingMemoryBound(to: UInt8.self), headerBytes, &err, err.count)
        }
        guard written == 0 else {
            unlink(tmp)
            throw StoreError(file: path, reason: "cannot write the face index: \(String(cString: err))")
        }
        chmod(tmp, mode_t(Incident.privateFileMode))
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw StoreError(file: path, reason: "cannot write the face index: \(String(cString: strerror(errno)))")
        }
    }

    /// The index at `path` if it was built from exactly `vectors`; nil when it is missing, stale
    /// or unreadable (the search then scans).
    static func open(_ path: String, for vectors: FaceVectors) -> FaceIndex? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var header = [UInt8](repeating: 0, count: headerBytes)
        var err = [CChar](repeating: 0, count: 512)
        guard let handle = faissshim_open(path, &header, headerBytes, &err, err.count) else { return nil }
        let index = FaceIndex(handle: handle)
        func int(_ at: Int) -> Int64 { header.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: Int64.self)) } }
        guard Array(header.prefix(8)) == magic,
              FaceVectors.Stamp(lastIndexEntry: int(8), lastTrack: int(16)) == vectors.stamp,
              int(24) == Int64(vectors.count), index.rows == vectors.count else { return nil }
        index.stamp = vectors.stamp
        return index
    }

    /// Rows whose quantised distance to `query` is within `radius` + `slack`, from the `probes`
    /// lists nearest it.
    func candidates(near query: [Float], within radius: Float, probes: Int? = nil) throws -> [Int] {
        var capacity = 4096
        var err = [CChar](repeating: 0, count: 512)
        while true {
            var positions = [Int64](repeating: 0, count: capacity)
            var distances = [Float](repeating: 0, count: capacity)
            let n = faissshim_range(handle, query, radius + Self.slack, Int32(probes ?? Self.defaultProbes(lists: lists)),
                                    &positions, &distances, Int64(capacity), &err, err.count)
            guard n >= 0 else { throw StoreError(file: "face index", reason: String(cString: err)) }
            if n <= capacity { return positions.prefix(Int(n)).map { Int($0) } }
            capacity = Int(n)
        }
    }

    /// Builds or removes the index beside `incident` so that it matches `vectors`: built when there
    /// are `minimumRows` rows or more and it is missing or stale; a stale one is removed otherwise.
    static func refresh(for incident: Incident, vectors: FaceVectors, minimumRows: Int) throws {
        let path = path(for: incident)
        if open(path, for: vectors) != nil { return }
        if vectors.count >= minimumRows {
            try build(vectors, to: path)
        } else {
            unlink(path)
        }
    }
}

/// An incident's face index, opened on the first face search and kept while the vectors it was
/// built from stand: a workbench searching the same day files all day opens each index once
/// (header, centroids, list sizes: 0.5–4 MB read), not once a search.
final class FaceIndexCache: Sendable {
    private let slot = Mutex<FaceIndex?>(nil)

    func index(for incident: Incident, vectors: FaceVectors) -> FaceIndex? {
        slot.withLock { kept in
            if let kept, kept.stamp == vectors.stamp, kept.rows == vectors.count { return kept }
            kept = FaceIndex.open(FaceIndex.path(for: incident), for: vectors)
            return kept
        }
    }
}
