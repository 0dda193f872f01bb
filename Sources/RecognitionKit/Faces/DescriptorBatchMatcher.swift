internal import CDlibShim
import Foundation

/// A gallery of 128-D descriptors matched against a batch of queries at once: every pair closer
/// than a distance, found by BLAS matrix products (OpenBLAS, which dlib already brings). Exact —
/// each pair's distance is computed directly — and several times faster than one SIMD scan per
/// query once a batch holds more than a few queries (`forensic-bench watchlist-recheck`).
public struct DescriptorBatchMatcher: Sendable {
    private var gallery: [Float] = []
    public private(set) var count = 0

    public init(_ descriptors: [[Float]]) {
        gallery.reserveCapacity(descriptors.count * DescriptorIndex.dimensions)
        for d in descriptors {
            precondition(d.count == DescriptorIndex.dimensions, "descriptor must have 128 values")
            gallery.append(contentsOf: d)
        }
        count = descriptors.count
    }

    public struct Pair: Sendable, Equatable {
        public let query: Int, gallery: Int
        public let distance: Float
    }

    /// Every (query, gallery) pair closer than `maxDistance`, in no particular order.
    public func pairs(_ queries: [[Float]], within maxDistance: Float) throws -> [Pair] {
        guard count > 0, !queries.isEmpty else { return [] }
        var flat: [Float] = []
        flat.reserveCapacity(queries.count * DescriptorIndex.dimensions)
        for q in queries {
            precondition(q.count == DescriptorIndex.dimensions, "descriptor must have 128 values")
            flat.append(contentsOf: q)
        }
        var found: UnsafeMutablePointer<dlibshim_pair>?
        let n = dlibshim_pairs_within(flat, Int32(queries.count), gallery, Int32(count), maxDistance, &found)
        defer { free(found) }
        guard n >= 0 else {
            throw RecognitionError(.inference, file: "watchlist gallery", reason: "out of memory matching \(queries.count) faces against \(count) photos")
        }
        return (0..<Int(n)).map { i in
            let p = found![i]
            return Pair(query: Int(p.query), gallery: Int(p.gallery), distance: p.distance)
        }
    }
}
