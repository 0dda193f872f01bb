import Foundation
import GRDB

/// A Bloom filter of every folded plate text in an incident file and of its one-deletion keys,
/// in a file beside it (`NAME.forensic-keys`), so a plate search over many day files skips the
/// days that cannot hold a match without opening them. Derived data, never the record: it
/// records the size, modification time and inode of the file it summarises and is believed only
/// while they are unchanged and no write is pending in the -wal; a stale or missing summary means
/// the file is searched. Written by `nightly` once a day file is settled; never by a search.
///
/// Layout, little-endian: a 64-byte header (magic, file size, mtime seconds, mtime nanoseconds,
/// inode, bits, hashes), then the bit array. Positions come from FNV-1a (stable across machines,
/// unlike Swift's seeded `Hasher`) with double hashing.
public enum PlateKeySummary {
    static let magic = Array("FORKEYS1".utf8)
    static let headerBytes = 64
    /// Eleven hashes at sixteen bits a key: ~0.05% false positives a key, so a near-miss search
    /// (8–30 keys) still opens only ~1% of the days that hold no match.
    static let hashes = 11
    static let bitsPerKey = 16

    static func path(for incidentPath: String) -> String { incidentPath + "-keys" }

    /// What identifies the file's contents without opening it; nil when it cannot be read or a
    /// write is pending in its -wal.
    static func fingerprint(_ incidentPath: String) -> [Int64]? {
        var st = stat(), wal = stat()
        guard stat(incidentPath, &st) == 0 else { return nil }
        if stat(incidentPath + "-wal", &wal) == 0, wal.st_size > 0 { return nil }
        return [Int64(st.st_size), Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec), Int64(bitPattern: UInt64(st.st_ino))]
    }

    /// The lookups a near-miss (or exact) search of `pattern` makes, as folded keys: a day whose
    /// summary holds none of them has no match. Nil for patterns no key narrows (wildcards).
    public static func probes(for pattern: PlatePattern, nearMisses: Bool) -> [String]? {
        guard !pattern.isWildcard else { return nil }
        let q = pattern.normalised
        guard nearMisses, q.count >= 3 else { return [PlateCanon.fold(q)] }
        return Array(Set(PlateCanon.oneTVariants(q).flatMap { variant -> [String] in
            let canon = PlateCanon.fold(variant)
            return [canon] + PlateCanon.deletions(canon)
        })).sorted()
    }

    static func positions(_ key: String, bits: UInt64) -> [Int] {
        var h1: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.utf8 { h1 = (h1 ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        // A second, independent-enough hash from the first (splitmix64's finaliser), odd.
        var h2 = h1 &+ 0x9e37_79b9_7f4a_7c15
        h2 = (h2 ^ (h2 >> 30)) &* 0xbf58_476d_1ce4_e5b9
        h2 = (h2 ^ (h2 >> 27)) &* 0x94d0_49bb_1331_11eb
        h2 = (h2 ^ (h2 >> 31)) | 1
        return (0..<UInt64(hashes)).map { Int((h1 &+ $0 &* h2) % bits) }
    }

    /// Whether the file at `incidentPath` may hold a read matching one of `probes`: false only when
    /// a current summary holds none of them.
    public static func mayHold(_ incidentPath: String, anyOf probes: [String]) -> Bool {
        guard let (data, bits) = current(incidentPath) else { return true }
        return data.withUnsafeBytes { raw in
            let bytes = raw.baseAddress! + headerBytes
            return probes.contains { key in
                positions(key, bits: bits).allSatisfy { p in bytes.load(fromByteOffset: p / 8, as: UInt8.self) & (1 << UInt8(p % 8)) != 0 }
            }
        }
    }

    /// Whether the summary beside `incidentPath` describes the file as it is now.
    public static func isCurrent(_ incidentPath: String) -> Bool { current(incidentPath) != nil }

    /// The summary (mapped) and its bit count, when it is whole and describes the file as it is now.
    private static func current(_ incidentPath: String) -> (Data, UInt64)? {
        guard let now = fingerprint(incidentPath),
              let data = try? Data(contentsOf: URL(fileURLWithPath: path(for: incidentPath)), options: .alwaysMapped),
              data.count > headerBytes, Array(data.prefix(8)) == magic else { return nil }
        let header = data.withUnsafeBytes { raw in (0..<5).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 + $0 * 8, as: Int64.self)) } }
        let bits = header[4]
        guard Array(header.prefix(4)) == now, bits > 0, Int64(data.count) == Int64(headerBytes) + (bits + 7) / 8 else { return nil }
        return (data, UInt64(bits))
    }
}

extension Incident {
    /// Writes the plate-key summary beside the file (whole, then renamed), unless the file changes
    /// while it is read; a file that is written later makes it stale (searched, not skipped).
    /// - Returns: whether a summary was written.
    @discardableResult
    public func writePlateKeySummary() throws -> Bool {
        guard let before = PlateKeySummary.fingerprint(path) else { return false }
        let canons = try db.read { try String.fetchAll($0, sql: "SELECT DISTINCT canon FROM plate_text") }
        let keyCount = canons.reduce(0) { $0 + 1 + $1.count }
        let bits = UInt64(max(1024, (keyCount * PlateKeySummary.bitsPerKey + 63) / 64 * 64))
        var array = [UInt8](repeating: 0, count: Int(bits / 8))
        for canon in canons {
            for key in [canon] + PlateCanon.deletions(canon) {
                for p in PlateKeySummary.positions(key, bits: bits) { array[p / 8] |= 1 << UInt8(p % 8) }
            }
        }
        guard PlateKeySummary.fingerprint(path) == before else { return false }
        var out = Data(PlateKeySummary.magic)
        for v in before + [Int64(bits), Int64(PlateKeySummary.hashes)] { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        out.append(Data(count: PlateKeySummary.headerBytes - out.count))
        out.append(contentsOf: array)
        let target = PlateKeySummary.path(for: path)
        guard PrivateFile.replace(target, with: out) else { throw StoreError(file: target, reason: "cannot write the plate-key summary") }
        return true
    }
}
