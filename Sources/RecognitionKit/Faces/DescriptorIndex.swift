/// Distance between two 128-D face descriptors.
public func faceDistance(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    var s: Float = 0
    for i in a.indices { let d = a[i] - b[i]; s += d * d }
    return s.squareRoot()
}

/// A flat, contiguous store of 128-D descriptors with a SIMD nearest-neighbour scan.
/// 1 million descriptors take 512 MB and scan in a few tens of milliseconds per core.
public struct DescriptorIndex: Sendable {
    public static let dimensions = 128
    /// Descriptors packed as SIMD16 lanes, 8 per descriptor.
    private var lanes: [SIMD16<Float>] = []
    public private(set) var ids: [Int64] = []

    public init() {}

    public var count: Int { ids.count }

    public mutating func reserve(_ n: Int) {
        lanes.reserveCapacity(n * 8)
        ids.reserveCapacity(n)
    }

    public mutating func append(id: Int64, descriptor: [Float]) {
        descriptor.withUnsafeBufferPointer { append(id: id, descriptor: $0) }
    }

    /// Appends straight from a buffer (e.g. a stored little-endian float32 blob), without an array.
    public mutating func append(id: Int64, descriptor buf: UnsafeBufferPointer<Float>) {
        precondition(buf.count == Self.dimensions, "descriptor must have 128 values")
        let raw = UnsafeRawPointer(buf.baseAddress!)
        for k in 0..<8 { lanes.append(raw.loadUnaligned(fromByteOffset: k * 64, as: SIMD16<Float>.self)) }
        ids.append(id)
    }

    public struct Match: Sendable, Equatable {
        public let id: Int64
        public let distance: Float
        public init(id: Int64, distance: Float) { self.id = id; self.distance = distance }
    }

    /// The `k` nearest descriptors to `query` within `maxDistance`, nearest first.
    public func nearest(to query: [Float], k: Int, maxDistance: Float = .infinity) -> [Match] {
        lanes.withUnsafeBytes { raw in
            Self.nearest(in: raw.baseAddress, count: count, to: query, k: k, maxDistance: maxDistance)
                .map { Match(id: ids[$0.position], distance: $0.distance) }
        }
    }

    /// The `k` nearest to `query` within `maxDistance` of `count` descriptors stored back to back
    /// (128 float32 each, e.g. a memory-mapped file), among the positions `include` accepts (and
    /// only `candidates`, when given: an index's proposals): positions and distances, nearest first.
    public static func nearest(in descriptors: UnsafeRawPointer?, count: Int, to query: [Float], k: Int,
                               maxDistance: Float = .infinity, candidates: [Int]? = nil,
                               include: ((Int) -> Bool)? = nil) -> [(position: Int, distance: Float)] {
        precondition(query.count == dimensions)
        guard k > 0, count > 0, let descriptors else { return [] }
        var q = [SIMD16<Float>]()
        query.withUnsafeBufferPointer { buf in for i in 0..<8 { q.append(SIMD16<Float>(buf[(i * 16)..<(i * 16 + 16)])) } }
        let limit = maxDistance.isFinite ? maxDistance * maxDistance : .infinity
        // Keep the best k in a small sorted array: k is tiny next to the scan.
        var best: [(Float, Int)] = []
        best.reserveCapacity(k + 1)
        var worst = limit
        q.withUnsafeBufferPointer { qv in
            func consider(_ i: Int) {
                guard i >= 0, i < count else { return }
                if let include, !include(i) { return }
                let base = i * dimensions * 4
                var acc = SIMD16<Float>()
                for j in 0..<8 {
                    let d = descriptors.loadUnaligned(fromByteOffset: base + j * 64, as: SIMD16<Float>.self) - qv[j]
                    acc += d * d
                }
                let dist = acc.sum()
                guard dist < worst || (best.count < k && dist <= limit) else { return }
                let pos = best.firstIndex { $0.0 > dist } ?? best.count
                best.insert((dist, i), at: pos)
                if best.count > k { best.removeLast() }
                if best.count == k { worst = best[k - 1].0 }
            }
            if let candidates { for i in candidates { consider(i) } } else { for i in 0..<count { consider(i) } }
        }
        return best.map { (position: $0.1, distance: $0.0.squareRoot()) }
    }
}
